/**
 * Report costs (issue targets: a report on 2,000 parents < 2 s, on 20,000 < 6 s): the whole page
 * (metrics, every bootstrap table at 1000 replicates, charts rendered to SVG) at 200, 2,000 and
 * 20,000 parents, and the tables alone against the arquero row-weight bootstrap they replaced
 * (test/reports/legacy) at 2,000 parents — the ratio is the figure to quote on a busy machine.
 * Parents come from the report tests' seeded synthetic run (one arrival every 15 s: 4 per block).
 */
import { defaultConfig } from '../../src/config.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { buildReport } from '../../src/reports/report.ts';
import { buildTables } from '../../src/reports/tables.ts';
import { buildTables as legacyBuildTables } from '../../test/reports/legacy/tables.ts';
import { syntheticRun } from '../../test/reports/report-synthetic.ts';
import { medianSeconds, type BenchLine } from './harness.ts';

const flatMid = () => 20;

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function run(): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const config = defaultConfig();
  const page = (n: number) => {
    const s = syntheticRun(n, 'bench');
    return () => buildReport({ title: 'bench', meta: [], config, seed: 1, records: s.records, baseline: s.baseline, midAt: flatMid, replicates: 1000, run: {} });
  };
  await page(200)(); // warm-up (vega and arquero compile on first use)
  for (const n of [200, 2000, 20000]) {
    const build = page(n);
    const times = [await seconds(build), ...(n < 20000 ? [await seconds(build), await seconds(build)] : [])].sort((a, b) => a - b);
    lines.push({ name: `report page, ${n.toLocaleString('en-US')} parents, 1000 replicates (median of ${times.length})`, value: times[Math.floor(times.length / 2)], unit: 's' });
  }
  const s = syntheticRun(2000, 'bench');
  const ladder = runMetrics(s.records, flatMid);
  const baseline = runMetrics(s.baseline, flatMid);
  const options = { progressiveSteps: 4, replicates: 1000, seed: 1 };
  const fresh = medianSeconds(() => buildTables(ladder, baseline, options), 3);
  const legacy = medianSeconds(() => legacyBuildTables(ladder, baseline, options), 1);
  lines.push({ name: 'report tables, 2,000 parents: per-block sums', value: fresh, unit: 's' });
  lines.push({ name: 'report tables, 2,000 parents: arquero row weights (before)', value: legacy, unit: 's' });
  lines.push({ name: 'report tables speed-up (before / now)', value: legacy / fresh, unit: '×' });
  return lines;
}
