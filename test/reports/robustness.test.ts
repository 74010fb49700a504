/**
 * The robustness band: per fill model × latency the paired ladder − market-order difference with
 * its interval, and a verdict that is "robust" only when every row agrees in sign with its interval
 * excluding zero — otherwise it names the rows that flip. Buys and sells both.
 */
import { describe, expect, it } from 'vitest';
import type { RobustnessScenario } from '../../src/records/robustness.ts';
import { robustnessRows, robustnessVerdict } from '../../src/reports/robustness.ts';
import { syntheticRun } from './report-synthetic.ts';

const synth = syntheticRun(160, 'robust');
const flat = () => 20;
const OPTIONS = { replicates: 200, seed: 5 };

/** A scenario where the ladder's fills are `worseBy` dollars worse (buy higher, sell lower) than recorded. */
function scenario(fillModel: string, latencyMs: number, worseBy = 0): RobustnessScenario {
  return {
    fillModel,
    latencyMs,
    outcomes: synth.records.map((r, i) => ({
      clientOrderId: r.clientOrderId,
      ladder: { filledQty: r.filledQty, avgPrice: r.avgPrice + (r.side === 'buy' ? worseBy : -worseBy), endTsUs: r.endTsUs },
      baseline: { filledQty: synth.baseline[i].filledQty, avgPrice: synth.baseline[i].avgPrice, endTsUs: synth.baseline[i].endTsUs },
    })),
  };
}

describe('robustness band', () => {
  it('every row better with its interval below zero → robust', () => {
    const rows = robustnessRows([scenario('queue', 0), scenario('queue', 50), scenario('touch', 0)], synth.records, flat, OPTIONS);
    expect(rows.map((r) => r.call)).toEqual(['better', 'better', 'better']);
    expect(rows[0].pairs).toBe(160);
    expect(rows[0].vsBaselineBps_hi!).toBeLessThan(0);
    const v = robustnessVerdict(rows);
    expect(v.robust).toBe(true);
    expect(v.verdict).toBe('Robust: in all 3 fill-model × latency rows the ladder is better than a market order, every interval excluding zero.');
  });

  it('one fill model flips the sign → "depends on the fill model", naming its rows', () => {
    const scenarios = [];
    for (const model of ['through', 'touch', 'queue']) {
      for (const latency of [0, 50, 250]) scenarios.push(scenario(model, latency, model === 'through' ? 0.2 : 0));
    }
    const rows = robustnessRows(scenarios, synth.records, flat, OPTIONS);
    expect(rows.filter((r) => r.fillModel === 'through').map((r) => r.call)).toEqual(['worse', 'worse', 'worse']);
    expect(rows.filter((r) => r.fillModel !== 'through').every((r) => r.call === 'better')).toBe(true);
    // a buy 20 cents higher on a $20 stock is 100 bps more; a sell 20 cents lower the same
    const shift = rows[0].vsBaselineBps! - rows[3].vsBaselineBps!;
    expect(shift).toBeGreaterThan(90);
    const v = robustnessVerdict(rows);
    expect(v.robust).toBe(false);
    expect(v.verdict).toMatch(/^Depends on the fill model: mostly better, but through at 0 ms \(worse, .*\); through at 50 ms \(worse, .*\); through at 250 ms \(worse, .*\)\.$/);
  });

  it('only the 250 ms rows cannot tell → "depends on the latency"', () => {
    const rows = robustnessRows([scenario('queue', 0), scenario('queue', 250, 0.0535)], synth.records, flat, OPTIONS);
    const v = robustnessVerdict(rows);
    if (rows[1].call === 'better') throw new Error('fixture: the 250 ms row should not be called better');
    expect(v.verdict).toMatch(/^Depends on the latency: .*queue at 250 ms/);
  });

  it('not run → says so', () => {
    expect(robustnessVerdict([]).verdict).toBe('The robustness band was not run (backtest --no-robustness).');
  });
});

describe('breakdowns', () => {
  it('tick regimes, time of day, and a histogram whose bins hold every parent', async () => {
    const { tickRegime, timeOfDay, differenceHistogram, breakdownTable } = await import('../../src/reports/breakdowns.ts');
    const { parentsTable } = await import('../../src/reports/tables.ts');
    const { runMetrics } = await import('../../src/reports/metrics.ts');
    const { defaultConfig } = await import('../../src/config.ts');
    expect([1, 2, 3, 4, 9].map(tickRegime)).toEqual(['1 tick', '2–3 ticks', '2–3 ticks', '4+ ticks', '4+ ticks']);
    const open = Date.UTC(2024, 2, 12, 13, 30) * 1000; // 09:30 New York (EDT)
    expect([open, open + 29 * 60e6, open + 30 * 60e6, open + 6 * 3600e6, open + 6.5 * 3600e6 - 1].map(timeOfDay)).toEqual(['first 30 min', 'first 30 min', 'middle', 'last 30 min', 'last 30 min']);
    const parents = parentsTable(runMetrics(synth.records, flat), runMetrics(synth.baseline, flat));
    const bins = differenceHistogram(parents);
    expect(bins.reduce((n, b) => n + b.parents, 0)).toBe(160);
    expect(bins.length).toBeLessThan(60);
    const table = breakdownTable(parents, synth.records, defaultConfig(), { progressiveSteps: 4, replicates: 100, seed: 1 }).objects() as Record<string, unknown>[];
    const sides = table.filter((r) => r.dimension === 'side');
    expect(sides.map((r) => [r.group, r.n])).toEqual([['buy', 80], ['sell', 80]]);
    expect(table.filter((r) => r.dimension === 'time of day').reduce((n, r) => n + (r.n as number), 0)).toBe(160);
    expect(table.filter((r) => r.dimension === 'spread in ticks').reduce((n, r) => n + (r.n as number), 0)).toBe(160);
    expect(table.find((r) => r.dimension === 'symbol')).toMatchObject({ group: 'XYZ', n: 160, thin: false });
    expect(table.filter((r) => (r.n as number) < 30).every((r) => r.thin === true)).toBe(true);
    expect(table.filter((r) => r.dimension === 'day').map((r) => [r.group, r.n])).toEqual([['2024-03-12', 160]]);
  });

  it('one row per New York day on a run over several days', async () => {
    const { breakdownTable } = await import('../../src/reports/breakdowns.ts');
    const { parentsTable } = await import('../../src/reports/tables.ts');
    const { runMetrics } = await import('../../src/reports/metrics.ts');
    const { defaultConfig } = await import('../../src/config.ts');
    const DAY_US = 86_400e6;
    // every third parent (ladder and baseline alike) moved to the next day: 2024-03-13
    const shift = (records: typeof synth.records) => records.map((r, i) => (i % 3 === 0 ? { ...r, arrivalTsUs: r.arrivalTsUs + DAY_US } : r));
    const parents = parentsTable(runMetrics(shift(synth.records), flat), runMetrics(shift(synth.baseline), flat));
    const table = breakdownTable(parents, synth.records, defaultConfig(), { progressiveSteps: 4, replicates: 100, seed: 1 }).objects() as Record<string, unknown>[];
    expect(table.filter((r) => r.dimension === 'day').map((r) => [r.group, r.n])).toEqual([['2024-03-12', 106], ['2024-03-13', 54]]);
  });
});
