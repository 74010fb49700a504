/**
 * The sweep worker starts without apache-arrow (the tape encoder's library, ~480 KB bundled, most
 * of a worker's start-up): its import graph reads tapes with flechette only. Checked on esbuild's
 * metafile for the worker entry (no input under node_modules/apache-arrow) and on a fresh build
 * (bin/build.mjs into a temp folder): sweep-worker.js is one self-contained file without
 * apache-arrow's code, while the CLI's chunks do carry it (so the check can see it), and it
 * answers `init` with `ready`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, COMPILE_OPTIONS, WORKER_ENTRY, CLI_ENTRY } from '../../bin/build.mjs';

const repo = resolve(import.meta.dirname, '../..');
const APACHE_ARROW = 'node_modules/apache-arrow/';
const FLECHETTE_DECODER = 'node_modules/@uwdata/flechette/src/decode/table-from-ipc.js';

async function graphInputs(entry: string): Promise<string[]> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ ...COMPILE_OPTIONS, absWorkingDir: repo, entryPoints: [entry], outdir: join(tmpdir(), 'unused'), write: false, metafile: true });
  return Object.keys(result.metafile.inputs);
}

describe('sweep worker bundle', () => {
  it("the worker's import graph has flechette's decoder and no apache-arrow; the CLI's has apache-arrow", async () => {
    const worker = await graphInputs(WORKER_ENTRY);
    expect(worker.filter((p) => p.includes(APACHE_ARROW))).toEqual([]);
    expect(worker).toContain(FLECHETTE_DECODER);
    expect(worker).toContain('src/data/tape/arrow-decode.ts');
    expect(worker).not.toContain('src/data/tape/arrow-encode.ts');
    const cli = await graphInputs(CLI_ENTRY);
    expect(cli.some((p) => p.includes(APACHE_ARROW))).toBe(true);
    expect(cli).toContain('src/data/tape/arrow-encode.ts');
  }, 60_000);

  describe('a fresh build', () => {
    let root: string;
    let dist: string;
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'ladderlab-worker-bundle-'));
      mkdirSync(join(root, 'bin'));
      symlinkSync(join(repo, 'bin/build.mjs'), join(root, 'bin/build.mjs'));
      symlinkSync(join(repo, 'src'), join(root, 'src'));
      symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
      dist = await build(root);
    }, 120_000);
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('sweep-worker.js is one file with the tape decoder and without apache-arrow; the CLI chunks have it', () => {
      const worker = readFileSync(join(dist, 'sweep-worker.js'), 'utf8');
      expect(worker.match(/(?:from|import)\s*\(?\s*"\.\.?\//g)).toBeNull(); // no chunk imports: self-contained
      expect(worker).toContain(FLECHETTE_DECODER); // esbuild's "// node_modules/…" source markers
      expect(worker).not.toContain(APACHE_ARROW);
      expect(worker).not.toContain('RecordBatchReader');
      const chunks = readdirSync(join(dist, 'chunks')).map((name) => readFileSync(join(dist, 'chunks', name), 'utf8'));
      expect(chunks.filter((text) => text.includes(APACHE_ARROW) && text.includes('RecordBatchReader'))).toHaveLength(1);
    });

    it('the built worker answers init with ready', async () => {
      const dataDir = mkdtempSync(join(root, 'data-'));
      const worker = new Worker(join(dist, 'sweep-worker.js'));
      try {
        const first = new Promise((ok, fail) => {
          worker.once('message', ok);
          worker.once('error', fail);
        });
        worker.postMessage({ type: 'init', init: { dataDir, parents: [], seed: 1, replicates: 0, arrivalMinute: [] } });
        expect(await first).toEqual({ type: 'ready' });
      } finally {
        await worker.terminate();
      }
    }, 60_000);
  });
});
