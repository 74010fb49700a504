/**
 * `npm run sample:fit`: fit the IBM-like sample model to the real IBM day (../shared/data, read by
 * the vendor reader) and write the committed constants file src/data/sample/fitted-ibm.json.
 * Run once, offline, from the repository root; the generator itself never reads ../shared.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { regularSession } from '../src/core/calendar.ts';
import { fitSampleModel } from '../src/data/sample/fit.ts';
import { formatModelJson, loadRealIbmDay, REAL_IBM_QUOTES, REAL_IBM_TRADES } from '../src/data/sample/real-ibm.ts';

const out = fileURLToPath(new URL('../src/data/sample/fitted-ibm.json', import.meta.url));

const real = await loadRealIbmDay();
if (!real) {
  process.stderr.write(`sample:fit needs the real IBM day: ${REAL_IBM_QUOTES} and ${REAL_IBM_TRADES} not found (the licensed tick data lives outside the repository)\n`);
  process.exit(1);
}
const model = fitSampleModel(real, regularSession(real.day), { tickDollars: 0.01 });
const temp = `${out}.tmp-${process.pid}`;
writeFileSync(temp, formatModelJson(model));
renameSync(temp, out);
process.stdout.write(
  `wrote ${out}\n  ${model.description}\n  spread states 1..${model.maxSpreadTicks} ticks, ` +
    `${model.tradeProfile.length} intraday buckets of ${model.profileBucketMinutes} min, ` +
    `P(level clears | market order) by queue bucket ${model.clearAfterOrder.join(' / ')}\n`,
);
