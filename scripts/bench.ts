/**
 * `npm run bench`: one table of figures and ratios (scripts/bench/harness.ts says how a case is
 * added). Each file in scripts/bench/ (except harness.ts) is a section, run in name order, each in
 * a process of its own: a section must not inherit another's heap or JIT state (V8's sampling heap
 * profiler, started by sim-alloc, left the replay 1/3 slower for the rest of the process). A file
 * exports `section(): Promise<BenchSection>` (measured 3 times, interleaved, min/median/max) or the
 * older `run(): Promise<BenchLine[]>` (one run per figure). Exit 1 when a gate fails.
 * `npm run bench -- sim tape` runs only the sections whose file name contains one of the words.
 * A section runs compiled, as the CLI runs (bin/build.mjs `compileScript`, into dist/bench/), with
 * the CLI's V8 flags: the figures are those of the shipped code. (Run through tsx, each module's
 * imported constants are loads the optimizer cannot fold: the replay measured ~25 % slower.)
 * `BENCH_FROM_SOURCE=1` runs the sections through tsx instead.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { compileScript, V8_FLAGS } from '../bin/build.mjs';
import { formatTable, ROWS_PREFIX, runSectionModule, type BenchRow } from './bench/harness.ts';

const here = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const repo = dirname(dirname(here));

/** The section as a compiled script in dist/bench/ (inside the repository, so packages resolve). */
async function compileSection(file: string): Promise<string> {
  const outfile = join(repo, 'dist', 'bench', file.replace(/\.ts$/, '.mjs'));
  const contents = [
    `import * as section from ${JSON.stringify(`./bench/${file}`)};`,
    `import { runSectionModule } from './bench/harness.ts';`,
    `await runSectionModule(${JSON.stringify(file.replace(/\.ts$/, ''))}, section);`,
  ].join('\n');
  await compileScript({ contents, resolveDir: dirname(here), outfile });
  return outfile;
}

/** The command running one section in a process of its own. */
async function sectionCommand(file: string): Promise<string[]> {
  if (process.env.BENCH_FROM_SOURCE === '1') return [...process.execArgv, fileURLToPath(import.meta.url), '--section', file];
  return [...V8_FLAGS, await compileSection(file)];
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
    // The section's stderr passes through; its rows come back on stdout.
    const child = spawnSync(process.execPath, await sectionCommand(file), {
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
if (args[0] === '--section') await runSectionModule(args[1].replace(/\.ts$/, ''), await import(pathToFileURL(join(here, args[1])).href));
else await runAll(args);
