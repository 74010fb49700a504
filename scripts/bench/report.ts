/**
 * Report costs: metrics per parent, the bootstrap tables (1000 replicates, the default) at 200
 * and 2000 parents, and the whole page (tables + five charts rendered to SVG) at 200 parents.
 * Parents come from the report tests' seeded synthetic run.
 */
import { defaultConfig } from '../../src/config.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { buildReport } from '../../src/reports/report.ts';
import { buildTables } from '../../src/reports/tables.ts';
import { syntheticRun } from '../../test/reports/report-synthetic.ts';
import { medianSeconds, type BenchLine } from './harness.ts';

const flatMid = () => 20;

export async function run(): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const big = syntheticRun(2000, 'bench');
  const metricsS = medianSeconds(() => runMetrics(big.records, flatMid));
  lines.push({ name: 'report metrics parents/s (3 markout horizons)', value: big.records.length / metricsS, unit: 'parents/s' });
  for (const n of [200, 2000]) {
    const s = n === 2000 ? big : syntheticRun(n, 'bench');
    const ladder = runMetrics(s.records, flatMid);
    const baseline = runMetrics(s.baseline, flatMid);
    const seconds = medianSeconds(() => buildTables(ladder, baseline, { progressiveSteps: 4, replicates: 1000, seed: 1 }), n === 2000 ? 1 : 3);
    lines.push({ name: `report tables, ${n} parents, 1000 replicates`, value: seconds, unit: 's' });
  }
  const small = syntheticRun(200, 'bench');
  const config = defaultConfig();
  const page = () => buildReport({ title: 'bench', meta: [], config, seed: 1, records: small.records, baseline: small.baseline, midAt: flatMid, replicates: 1000, run: {} });
  await page(); // warm-up (vega and arquero compile on first use)
  const start = process.hrtime.bigint();
  await page();
  const pageS = Number(process.hrtime.bigint() - start) / 1e9;
  lines.push({ name: 'report page (tables + 5 SVG charts), 200 parents', value: pageS, unit: 's' });
  return lines;
}
