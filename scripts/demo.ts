/**
 * `npm run demo`: the main job on data every checkout has.
 *   1. the generated sample market (data/sample; made here, deterministically, when missing),
 *   2. a backtest of 200 generated parents with ladderlab.yaml, beside the market-order baseline,
 *   3. a small parameter sweep on the same parents,
 *   4. both HTML reports — the backtest's and the sweep's — whose paths are the last two lines printed.
 * Each step is the CLI command a user would type, run in-process.
 */
import { existsSync } from 'node:fs';
import { main } from '../src/cli/main.ts';
import { DEFAULT_SAMPLE_DIR, ensureSample } from '../src/data/sample/sample.ts';

async function step(title: string, argv: string[]): Promise<void> {
  process.stdout.write(`\n$ ladderlab ${argv.join(' ')}\n`);
  await main(argv);
  if (process.exitCode) {
    process.stderr.write(`demo: "${title}" failed\n`);
    process.exit(process.exitCode);
  }
}

if (!existsSync(`${DEFAULT_SAMPLE_DIR}/SAMPLE.json`)) process.stdout.write(`generating the sample market in ${DEFAULT_SAMPLE_DIR} …\n`);
const sample = ensureSample(DEFAULT_SAMPLE_DIR);
process.stdout.write(`sample market: ${sample.symbols.map((s) => `${s.symbol} (${s.character})`).join(', ')}\n`);

await step('backtest', ['backtest', '--config', 'ladderlab.yaml', '--data', DEFAULT_SAMPLE_DIR, '--orders', '200', '--out', 'out/demo']);
await step('sweep', [
  'sweep',
  '--config',
  'ladderlab.yaml',
  '--data',
  DEFAULT_SAMPLE_DIR,
  '--orders',
  '200',
  '--out',
  'out/demo-sweep',
  '--grid',
  'execution.step_percentage=5,10,15',
  '--grid',
  'execution.step_timeout_buy=5,15,30',
  '--grid',
  'execution.progressive_steps=2,4',
  '--replicates',
  '300',
]);
await step('sweep report', ['report', 'out/demo-sweep']);
await step('report', ['report', 'out/demo']);
