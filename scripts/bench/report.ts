/**
 * Report costs (issue targets: a report on 2,000 parents < 2 s, on 20,000 < 6 s): the whole page
 * (metrics, every bootstrap table at 1000 replicates, breakdowns, charts rendered to SVG) at 2,000
 * and 20,000 parents, and the tables alone against the arquero row-weight bootstrap they replaced
 * (test/reports/legacy) at 500 parents — the ratio is the figure to quote on a busy machine.
 * Parents come from the report tests' seeded synthetic run (one arrival every 15 s: 4 per block).
 */
import { defaultConfig } from '../../src/config.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { buildReport } from '../../src/reports/report.ts';
import { buildTables } from '../../src/reports/tables.ts';
import { buildTables as legacyBuildTables, legacyMetrics } from '../../test/reports/legacy/tables.ts';
import { syntheticRun } from '../../test/reports/report-synthetic.ts';
import { type BenchSection, timeSeconds } from './harness.ts';

const flatMid = () => 20;

export async function section(): Promise<BenchSection> {
  const config = defaultConfig();
  const page = (n: number) => {
    const s = syntheticRun(n, 'bench');
    return () => buildReport({ title: 'bench', meta: [], config, seed: 1, records: s.records, baseline: s.baseline, midAt: flatMid, replicates: 1000, run: {} });
  };
  const page2k = page(2000);
  const page20k = page(20000);
  const small = syntheticRun(500, 'bench');
  const ladder = runMetrics(small.records, flatMid);
  const baseline = runMetrics(small.baseline, flatMid);
  const options = { progressiveSteps: 4, replicates: 1000, seed: 1 };
  return {
    cases: [
      { name: 'report page, 2,000 parents, 1000 replicates', unit: 's', measure: () => timeSeconds(page2k) },
      { name: 'report page, 20,000 parents, 1000 replicates', unit: 's', measure: () => timeSeconds(page20k), warmup: false },
      { name: 'report tables, 500 parents: per-block sums', unit: 's', measure: () => timeSeconds(() => buildTables(ladder, baseline, options)) },
      { name: 'report tables, 500 parents: arquero row weights (before)', unit: 's', measure: () => timeSeconds(() => legacyBuildTables(legacyMetrics(ladder), legacyMetrics(baseline), options)), warmup: false },
    ],
    ratios: [
      { name: 'report tables speed-up (before / per-block sums)', numerator: 'report tables, 500 parents: arquero row weights (before)', denominator: 'report tables, 500 parents: per-block sums', atLeast: 10 },
    ],
  };
}
