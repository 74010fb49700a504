#!/usr/bin/env node
/**
 * The compiled CLI. `npm ci` runs the package's `prepare` (this file): esbuild bundles the CLI
 * (src/cli/main.ts → cli.js, the commands' lazy imports split into chunks) and the sweep worker
 * (src/sweep/worker.ts → sweep-worker.js, one self-contained file: a worker thread starts faster
 * loading one tree-shaken file than the ~15 chunks it shares with the CLI, and the chunks would
 * carry code only the CLI uses, e.g. flechette's encoder) into dist/<fingerprint>/, where the fingerprint
 * is a hash of every file under src/ (and of this file). bin/ladderlab.mjs recomputes it at each
 * start (a few ms): a build for the current sources runs; none → rebuild (about a second);
 * a failed rebuild → run the TypeScript sources through tsx. So the CLI never runs stale code.
 *
 * Builds go to a temporary folder renamed into place, so two processes starting at once never
 * see half a build; older builds are pruned, keeping a few for processes still running them.
 * Modules keep their source location in `import.meta.url` (the plugin below), so files they
 * read relative to themselves (package.json, fitted-ibm.json) resolve as from the sources.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * V8 flags of every process running the compiled build (bin/ladderlab.mjs sets them; the bench runs
 * its sections with them). Allocation-site pretenuring off: it sometimes decides early (while a
 * tape loads) to allocate the simulator's short-lived objects straight into the old generation —
 * then 7–8 full GCs instead of 2 and ~35 % more CPU (1,000 IBM sweep cells took 3.1–3.5 s instead
 * of 2.3–2.6 s, at random from run to run). Off, every run was the fast one. (The sweep pool's
 * child processes get the same flag: src/sweep/pool.ts, which cannot import this file.)
 */
export const V8_FLAGS = ['--no-allocation-site-pretenuring'];
export const CLI_ENTRY = 'src/cli/main.ts';
export const WORKER_ENTRY = 'src/sweep/worker.ts';
const KEEP_BUILDS = 3;
/**
 * Packages bundled into the build; every other package stays an import of node_modules. ESM
 * libraries of many small files load much faster as one tree-shaken chunk: apache-arrow alone
 * took 104 ms to import (a sweep worker's start was mostly that), bundled it takes a few; zod
 * (52 ms) is read by every command. yaml stays out: its `node` entry is CommonJS requiring
 * builtins, which an ESM bundle cannot do.
 * Packages that read their own files at run time (bullmq's Lua scripts, parquet-wasm's .wasm,
 * playwright) must stay external.
 */
const BUNDLED = new Set(['apache-arrow', 'flatbuffers', 'tslib', '@uwdata/flechette', 'zod']);
/**
 * flechette's `main` is one CommonJS file (the whole library, ~170 KB, no tree-shaking): bundle
 * its ES modules instead (its `module` field), so a sweep worker, which only decodes tapes, loads
 * the decoder alone.
 */
const ALIASES = { '@uwdata/flechette': '@uwdata/flechette/src/index.js' };

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * sha256 over (relative path, content) of src/** and this build script, sorted by path. The
 * files' sizes and mtimes are kept in dist/sources.json with the hash: when none changed the
 * hash is reused without reading the files (stat only); any change re-reads and re-hashes all.
 */
export function sourceFingerprint(root = ROOT) {
  const files = [...filesUnder(join(root, 'src')), join(root, 'bin', 'build.mjs')].map((f) => relative(root, f)).sort();
  const stats = files.map((f) => {
    const s = statSync(join(root, f));
    return `${f}\t${s.size}\t${s.mtimeMs}`;
  });
  const stampFile = join(root, 'dist', 'sources.json');
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (stamp.stats.length === stats.length && stamp.stats.every((line, i) => line === stats[i])) return stamp.fingerprint;
  } catch {
    // no stamp yet, or unreadable: hash the contents
  }
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  const fingerprint = hash.digest('hex').slice(0, 16);
  try {
    mkdirSync(join(root, 'dist'), { recursive: true });
    const temp = `${stampFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ fingerprint, stats }));
    renameSync(temp, stampFile);
  } catch {
    // a read-only install: hash each time
  }
  return fingerprint;
}

/** `import.meta.url` (dirname, filename) → the source file's, so relative reads resolve as from the sources. */
const sourceUrlPlugin = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[mc]?ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

/** Bare imports (packages, node: builtins) stay external unless their package is in BUNDLED. */
const externalPackagesPlugin = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/** esbuild options every compiled entry shares (the CLI, the sweep worker, the bench's sections). */
export const COMPILE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { 'process.env.LADDERLAB_COMPILED': '"1"' },
  alias: ALIASES,
  plugins: [externalPackagesPlugin, sourceUrlPlugin],
  logLevel: 'silent',
};

/**
 * Compile one script, given as TypeScript source resolved from `resolveDir`, into `outfile` — as
 * the CLI is compiled (`npm run bench` measures the code the CLI runs, not tsx's per-module
 * output, whose imported constants are loads the optimizer cannot fold).
 */
export async function compileScript({ contents, resolveDir, outfile, root = ROOT }) {
  const esbuild = await import('esbuild');
  await esbuild.build({ ...COMPILE_OPTIONS, absWorkingDir: root, stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'entry.ts' }, outfile });
}

/** Build the sources as they are now into dist/<fingerprint>/ (unless there); returns that folder. */
export async function build(root = ROOT, fingerprint = sourceFingerprint(root)) {
  const dist = join(root, 'dist');
  const target = join(dist, fingerprint);
  if (existsSync(join(target, 'cli.js'))) return target;
  const esbuild = await import('esbuild');
  mkdirSync(dist, { recursive: true });
  const temp = join(dist, `.tmp-${process.pid}-${Date.now()}`);
  try {
    await Promise.all([
      esbuild.build({ ...COMPILE_OPTIONS, absWorkingDir: root, entryPoints: { cli: CLI_ENTRY }, outdir: temp, splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
      esbuild.build({ ...COMPILE_OPTIONS, absWorkingDir: root, entryPoints: [WORKER_ENTRY], outfile: join(temp, 'sweep-worker.js') }),
    ]);
    try {
      renameSync(temp, target);
    } catch (err) {
      if (!existsSync(join(target, 'cli.js'))) throw err; // else another process published the same build first
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  prune(dist, fingerprint);
  return target;
}

function prune(dist, keep) {
  const builds = readdirSync(dist)
    .filter((name) => /^[0-9a-f]{16}$/.test(name) && name !== keep)
    .map((name) => ({ name, mtimeMs: statSync(join(dist, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(join(dist, old.name), { recursive: true, force: true });
}

/**
 * The compiled build for the sources as they are, building it when missing; null → run the
 * sources through tsx (LADDERLAB_FROM_SOURCE=1, or the rebuild failed: `warn` says why).
 */
export async function currentBuild(root = ROOT, warn = () => undefined) {
  if (process.env.LADDERLAB_FROM_SOURCE === '1') return null;
  try {
    return await build(root);
  } catch (err) {
    warn(`could not rebuild dist/ (${err?.message ?? err}); running the TypeScript sources through tsx`);
    return null;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const start = performance.now();
  const dir = await build();
  process.stdout.write(`ladderlab: compiled ${relative(ROOT, dir)} in ${((performance.now() - start) / 1000).toFixed(2)} s\n`);
}
