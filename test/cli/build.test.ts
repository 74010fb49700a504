/**
 * The compiled CLI (bin/build.mjs + bin/ladderlab.mjs) on a miniature copy of the package: the
 * first start builds dist/<fingerprint>/, a changed source rebuilds (never the old build), and a
 * source that cannot be bundled runs through tsx with a warning.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');

describe('compiled CLI build', () => {
  let root: string;
  const writeMain = (body: string) => writeFileSync(join(root, 'src/cli/main.ts'), body);
  const run = () => spawnSync(process.execPath, [join(root, 'bin/ladderlab.mjs'), 'go'], { encoding: 'utf8', env: { ...process.env, LADDERLAB_FROM_SOURCE: '' } });
  const builds = () => readdirSync(join(root, 'dist')).filter((n) => /^[0-9a-f]{16}$/.test(n));

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ladderlab-build-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'src/cli'), { recursive: true });
    mkdirSync(join(root, 'src/sweep'), { recursive: true });
    cpSync(join(repo, 'bin/build.mjs'), join(root, 'bin/build.mjs'));
    cpSync(join(repo, 'bin/ladderlab.mjs'), join(root, 'bin/ladderlab.mjs'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'src/sweep/worker.ts'), 'export const worker: number = 1;\n');
    writeFileSync(join(root, 'src/cli/answer.ts'), 'export const answer = (argv: string[]): string => `v1 ${argv[0]}`;\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const mainSource = (extra = '') =>
    `import { answer } from './answer.ts';\n${extra}\nexport async function main(argv: string[]): Promise<void> {\n  process.stdout.write(\`\${answer(argv)} \${process.env.LADDERLAB_COMPILED === '1' ? 'compiled' : 'source'}\\n\`);\n}\n`;

  it('builds on first start, reuses the build, rebuilds when a source changes, falls back to tsx', () => {
    writeMain(mainSource());
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('v1 go compiled\n');
    expect(builds()).toHaveLength(1);

    expect(run().stdout).toBe('v1 go compiled\n');
    expect(builds()).toHaveLength(1);

    // An imported module changes: a new build, and the CLI runs it.
    writeFileSync(join(root, 'src/cli/answer.ts'), 'export const answer = (argv: string[]): string => `v2 ${argv[0]}`;\n');
    expect(run().stdout).toBe('v2 go compiled\n');
    expect(builds()).toHaveLength(2);

    // A source esbuild cannot bundle (a lazy import of a missing module): tsx runs it, with a warning.
    writeMain(mainSource("export const later = () => import('./missing.ts');"));
    const fallback = run();
    expect(fallback.stdout).toBe('v2 go source\n');
    expect(fallback.stderr).toMatch(/could not rebuild dist\/ .*Could not resolve "\.\/missing\.ts".*running the TypeScript sources through tsx/s);
  }, 60_000);
});
