/**
 * `npm run bench`: measures the hot loops. Each file in scripts/bench/ exports
 * `export async function run(): Promise<BenchLine[]>`; this runner imports them in name order
 * and prints one table. A benchmark, not a test: nothing here passes or fails on speed.
 * `npm run bench -- tape sim` runs only the sections whose file name contains one of the words.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchLine } from './bench/harness.ts';

const here = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'harness.ts')
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

console.log(`ladderlab bench — node ${process.version}, ${new Date().toISOString()}`);
const all: BenchLine[] = [];
for (const file of files) {
  const section = file.replace(/\.ts$/, '');
  console.log(`\n## ${section}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchLine[]> };
  for (const line of await mod.run()) {
    all.push(line);
    console.log(`  ${line.name.padEnd(56)} ${formatValue(line.value).padStart(14)} ${line.unit}`);
  }
}

function formatValue(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(4);
}
