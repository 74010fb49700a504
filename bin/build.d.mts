/** Types of bin/build.mjs (plain JavaScript: it runs at install time, before any compiler). */
export declare const ROOT: string;
export declare const V8_FLAGS: readonly string[];
export declare function sourceFingerprint(root?: string): string;
export declare function build(root?: string, fingerprint?: string): Promise<string>;
export declare function currentBuild(root?: string, warn?: (message: string) => void): Promise<string | null>;
export declare function compileScript(options: { contents: string; resolveDir: string; outfile: string; root?: string }): Promise<void>;
export declare const CLI_ENTRY: string;
export declare const WORKER_ENTRY: string;
/** esbuild options every compiled entry shares (esbuild's BuildOptions). */
export declare const COMPILE_OPTIONS: Record<string, unknown>;
