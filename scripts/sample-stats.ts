/**
 * `npm run sample:stats [-- --seed N]`: the generated sample market measured against the real IBM
 * day (../shared/data) — the IBM-like symbol BLUE line by line with the ratio and a ±25 % verdict —
 * then the three generated symbols side by side. Without ../shared the real column is skipped
 * with a message. Exit code 1 when a BLUE line is out of tolerance.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { regularSession } from '../src/core/calendar.ts';
import { compareStats, comparisonMarkdown, sideBySideMarkdown, TOLERANCE } from '../src/data/sample/compare.ts';
import { loadRealIbmDay, REAL_DATA_DIR } from '../src/data/sample/real-ibm.ts';
import { DEFAULT_SAMPLE_SEED, generateSample } from '../src/data/sample/sample.ts';
import { computeTapeStats } from '../src/data/sample/stats.ts';

const args = await yargs(hideBin(process.argv))
  .usage('$0 [--seed N]')
  .option('seed', { type: 'number', default: DEFAULT_SAMPLE_SEED, describe: 'sample seed (as for npm run sample)' })
  .strict()
  .help()
  .parseAsync();

const generated = generateSample({ seed: args.seed });
const stats = generated.map((d) => ({ label: d.symbol, stats: computeTapeStats(d, regularSession(d.day)) }));
const blue = stats.find((s) => s.label === 'BLUE')!;

const real = await loadRealIbmDay();
let failed = false;
if (real) {
  const lines = compareStats(computeTapeStats(real, regularSession(real.day)), blue.stats);
  failed = lines.some((l) => !l.ok);
  process.stdout.write(`## IBM 2013-10-07 (real) vs BLUE (generated, seed ${args.seed}), regular session\n\n`);
  process.stdout.write(`${comparisonMarkdown(lines, 'IBM real', 'BLUE generated')}\n`);
  process.stdout.write(
    `check: generated/real within ±${TOLERANCE * 100} % (median spread: within one tick) — ` +
      `${lines.filter((l) => l.ok).length} of ${lines.length} lines ok\n\n`,
  );
} else {
  process.stdout.write(`(real column skipped: ${REAL_DATA_DIR} not found: the licensed tick data lives outside the repository)\n\n`);
}
process.stdout.write(`## Generated sample, seed ${args.seed}, ${generated[0].day}\n\n${sideBySideMarkdown(stats)}\n`);
if (failed) process.exitCode = 1;
