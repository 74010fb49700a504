/**
 * The layout is the pipeline (ARCHITECTURE.md): data → sim → records → reports, the engine in the
 * middle importing only core. Each folder may import only the folders listed for it here; this
 * test reads every import in src and fails on any other edge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Which top-level folders of src each folder may import (its own folder is always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  engine: ['core'],
  data: ['core', 'engine'],
  records: ['core', 'engine', 'data', 'config'],
  sim: ['core', 'engine', 'data'],
  reports: ['core', 'engine', 'data', 'records', 'config'],
  sweep: ['core', 'engine', 'data', 'records', 'sim', 'reports', 'config'],
  fidelity: ['core', 'engine', 'data', 'records', 'sim', 'reports', 'config'],
  live: ['core', 'engine', 'data', 'records', 'config'],
  serve: ['core', 'engine', 'data', 'records', 'sim', 'config'],
  // src/config.ts composes each module's own section (src/<module>/config.ts) into the one schema
  config: ['core', 'engine', 'data', 'sim', 'live', 'serve'],
  cli: ['core', 'engine', 'data', 'records', 'sim', 'reports', 'sweep', 'fidelity', 'live', 'serve', 'config', '(root)'],
  '(root)': ['core', 'engine', 'data', 'records', 'sim', 'reports', 'sweep', 'fidelity', 'live', 'serve', 'config'],
};

interface Edge {
  file: string;
  target: string;
  from: string;
  to: string;
}

function folderOf(pathInSrc: string): string {
  const parts = pathInSrc.split('/');
  if (parts.length > 1) return parts[0];
  return pathInSrc === 'config.ts' ? 'config' : '(root)';
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|mjs)$/.test(entry.name)) continue;
    const abs = join(entry.parentPath, entry.name);
    const file = relative(SRC, abs);
    const text = readFileSync(abs, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(SRC, resolve(dirname(abs), m[1]));
      if (target.startsWith('..')) continue; // package.json and the like
      out.push({ file, target, from: folderOf(file), to: folderOf(target) });
    }
  }
  return out;
}

describe('architecture: the folders are the pipeline', () => {
  const all = edges();

  it('reads the imports of every module (the test is not vacuous)', () => {
    expect(all.length).toBeGreaterThan(200);
    // every folder but core (which imports nothing of ours) shows up as an importer
    const importers = new Set(all.map((e) => e.from));
    for (const folder of ['engine', 'data', 'records', 'sim', 'reports', 'sweep', 'live', 'serve', 'cli']) expect(importers.has(folder), folder).toBe(true);
    for (const folder of importers) expect(Object.keys(ALLOWED), folder).toContain(folder);
  });

  it('every import goes to the folder itself or a folder it is allowed to use', () => {
    const bad = all.filter((e) => e.from !== e.to && !(ALLOWED[e.from] ?? []).includes(e.to));
    expect(bad.map((e) => `${e.file} → ${e.to}`)).toEqual([]);
  });

  it('src/config.ts reads only the modules\' config sections', () => {
    const composed = all.filter((e) => e.file === 'config.ts' && e.to !== 'core');
    expect(composed.length).toBeGreaterThanOrEqual(5);
    expect(composed.filter((e) => !/^[a-z]+\/config\.ts$/.test(e.target)).map((e) => e.target)).toEqual([]);
  });

  it('nothing imports cli, and the engine imports only core', () => {
    expect(all.filter((e) => e.to === 'cli' && e.from !== 'cli').map((e) => e.file)).toEqual([]);
    expect(new Set(all.filter((e) => e.from === 'engine').map((e) => e.to))).toEqual(new Set(['engine', 'core']));
  });

  it('live and serve never reach into the simulator the other way: sim, reports, data never import live or serve', () => {
    const back = all.filter((e) => ['sim', 'reports', 'data', 'records', 'engine', 'core'].includes(e.from) && ['live', 'serve', 'sweep'].includes(e.to));
    expect(back.map((e) => `${e.file} → ${e.to}`)).toEqual([]);
  });
});
