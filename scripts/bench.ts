/**
 * `npm run bench`: one table of figures and ratios (scripts/bench/harness.ts says how a case is
 * added). Each file in scripts/bench/ (except harness.ts) is a section, run in name order; a file
 * exports `section(): Promise<BenchSection>` (measured 3 times, interleaved, min/median/max) or the
 * older `run(): Promise<BenchLine[]>` (one run per figure). Exit 1 when a gate fails.
 * `npm run bench -- sim tape` runs only the sections whose file name contains one of the words.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { formatTable, linesToRows, runSection, type BenchLine, type BenchRow, type BenchSection } from './bench/harness.ts';

const here = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'harness.ts')
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

console.log(`ladderlab bench — node ${process.version}, ${new Date().toISOString()}`);
const rows: BenchRow[] = [];
for (const file of files) {
  const name = file.replace(/\.ts$/, '');
  process.stderr.write(`bench: ${name} …\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { section?: () => Promise<BenchSection>; run?: () => Promise<BenchLine[]> };
  if (mod.section) rows.push(...(await runSection(name, await mod.section())));
  else if (mod.run) rows.push(...linesToRows(name, await mod.run()));
}
console.log(formatTable(rows));
const failed = rows.filter((r) => r.failed);
if (failed.length > 0) {
  console.log(`\n${failed.length} gate(s) failed: ${failed.map((r) => `${r.section}/${r.name}`).join(', ')}`);
  process.exitCode = 1;
}
