/**
 * `npm run bench`: one table of figures and ratios (scripts/bench/harness.ts says how a case is
 * added). Each file in scripts/bench/ (except harness.ts) is a section, run in name order, each in
 * a process of its own: a section must not inherit another's heap or JIT state (V8's sampling heap
 * profiler, started by sim-alloc, left the replay 1/3 slower for the rest of the process). A file
 * exports `section(): Promise<BenchSection>` (measured 3 times, interleaved, min/median/max) or the
 * older `run(): Promise<BenchLine[]>` (one run per figure). Exit 1 when a gate fails.
 * `npm run bench -- sim tape` runs only the sections whose file name contains one of the words.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { formatTable, linesToRows, runSection, type BenchLine, type BenchRow, type BenchSection } from './bench/harness.ts';

const here = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const ROWS_PREFIX = 'bench-rows ';

/** In the section's own process: measure it and hand the rows to the parent on stdout. */
async function runOne(file: string): Promise<void> {
  const name = file.replace(/\.ts$/, '');
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { section?: () => Promise<BenchSection>; run?: () => Promise<BenchLine[]> };
  let rows: BenchRow[] = [];
  if (mod.section) rows = await runSection(name, await mod.section());
  else if (mod.run) rows = linesToRows(name, await mod.run());
  process.stdout.write(`${ROWS_PREFIX}${JSON.stringify(rows)}\n`);
}

async function runAll(filters: string[]): Promise<void> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.ts') && f !== 'harness.ts')
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
  console.log(`ladderlab bench — node ${process.version}, ${new Date().toISOString()}`);
  const rows: BenchRow[] = [];
  for (const file of files) {
    process.stderr.write(`bench: ${file.replace(/\.ts$/, '')} …\n`);
    // The same node and loader flags (tsx) as this process; the section's stderr passes through.
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--section', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith(ROWS_PREFIX));
    if (child.status !== 0 || !line) throw new Error(`bench: section ${file} failed (exit ${child.status ?? child.signal})`);
    rows.push(...(JSON.parse(line.slice(ROWS_PREFIX.length)) as BenchRow[]));
  }
  console.log(formatTable(rows));
  const failed = rows.filter((r) => r.failed);
  if (failed.length > 0) {
    console.log(`\n${failed.length} gate(s) failed: ${failed.map((r) => `${r.section}/${r.name}`).join(', ')}`);
    process.exitCode = 1;
  }
}

const args = process.argv.slice(2);
if (args[0] === '--section') await runOne(args[1]);
else await runAll(args);
