/**
 * `npm run sample [-- --out DIR] [--seed N]`: generate the sample market — one regular session of
 * PENNY, BLUE and WIDE (src/data/sample/symbols.ts) — as tapes in DIR (default data/sample), with
 * a SAMPLE.json manifest written last. Same seed → byte-identical files. Needs nothing outside
 * the repository.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_SAMPLE_DIR, DEFAULT_SAMPLE_SEED, writeSample } from '../src/data/sample/sample.ts';

const args = await yargs(hideBin(process.argv))
  .usage('$0 [--out DIR] [--seed N]')
  .option('out', { type: 'string', default: DEFAULT_SAMPLE_DIR, describe: 'directory for the tapes' })
  .option('seed', { type: 'number', default: DEFAULT_SAMPLE_SEED, describe: 'random seed (an integer)' })
  .check((a) => {
    if (!Number.isSafeInteger(a.seed)) throw new Error(`--seed ${a.seed}: expected an integer`);
    return true;
  })
  .strict()
  .help()
  .fail((message, error) => {
    process.stderr.write(`make-sample: ${message ?? error?.message} (see --help)\n`);
    process.exit(2); // bad input
  })
  .parseAsync();

const started = performance.now();
const manifest = writeSample(args.out, { seed: args.seed });
const ms = performance.now() - started;
process.stdout.write(`sample market ${manifest.day}, seed ${manifest.seed} → ${args.out} (${ms.toFixed(0)} ms)\n`);
for (const s of manifest.symbols) {
  process.stdout.write(`  ${s.symbol.padEnd(6)} ${String(s.quotes).padStart(7)} quotes ${String(s.trades).padStart(7)} trades  ${s.character}\n`);
}
