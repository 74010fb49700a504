/**
 * The per-block-sums bootstrap (src/reports/bootstrap.ts) gives the same tables as the arquero
 * row-weight bootstrap it replaced (test/reports/legacy/) to 1e-9 relative: every column of every
 * table, on seeded synthetic runs (buys and sells, unfilled parents, a partial baseline, a midAt
 * that leaves some horizons unknown) and on the sweep's paired difference.
 */
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { BlockSums, bootstrapMean, drawBlocks } from '../../src/reports/bootstrap.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { buildTables } from '../../src/reports/tables.ts';
import { blockBootstrap, weightedMean } from './legacy/bootstrap.ts';
import { buildTables as legacyBuildTables, legacyMetrics } from './legacy/tables.ts';
import { stepMids } from './report-fixtures.ts';
import { syntheticRun } from './report-synthetic.ts';

function expectClose(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
    if (Math.abs(actual - expected) > tolerance) throw new Error(`${where}: ${actual} ≠ ${expected}`);
    return;
  }
  const norm = (x: unknown) => (x === undefined || (typeof x === 'number' && Number.isNaN(x)) ? null : x);
  expect(norm(actual), where).toEqual(norm(expected));
}

/**
 * The old tables counted savings as positive (far touch, baseline, markouts); every figure is a
 * cost now. The legacy path gets the metrics under their old names and signs, and its columns are
 * read back negated: q_p(−x) = −q_(1−p)(x), so a negated column's _lo is the old _hi, negated.
 */
const NEGATED: Record<string, string> = {
  improvementFarTouchBps: 'vsFarTouchBps',
  improvementBaselineBps: 'vsBaselineBps',
  improvementBps: 'vsBaselineBps',
  savedFarTouchUsd: 'vsFarTouchUsd',
  markoutBps: 'markoutBps',
};

/** The new table's value for a legacy column, sign and interval ends mapped. */
function fromNew(row: Record<string, unknown>, legacyColumn: string): unknown {
  const m = /^(.*?)(_lo|_hi)?$/.exec(legacyColumn)!;
  const [, base, suffix = ''] = m;
  if (!(base in NEGATED)) return row[legacyColumn];
  const swapped = suffix === '_lo' ? '_hi' : suffix === '_hi' ? '_lo' : '';
  const v = row[`${NEGATED[base]}${swapped}`];
  return typeof v === 'number' ? -v : v;
}

function compareTables(name: string, actual: aq.ColumnTable | null, expected: aq.ColumnTable | null): number {
  if (expected === null) {
    expect(actual, name).toBeNull();
    return 0;
  }
  const a = actual!.objects() as Record<string, unknown>[];
  const e = expected.objects() as Record<string, unknown>[];
  expect(a.length, `${name} rows`).toBe(e.length);
  let compared = 0;
  for (let i = 0; i < e.length; i++) {
    for (const column of Object.keys(e[i])) {
      // a count of no pairs: the old rollup summed nothing to null, the new one says 0
      if (column === 'pairedN' && e[i][column] == null && a[i][column] === 0) continue;
      expectClose(fromNew(a[i], column), e[i][column], `${name} row ${i} ${column}`);
      compared++;
    }
  }
  return compared;
}

const OPTIONS = { progressiveSteps: 4, replicates: 400, seed: 'eq' };

describe('per-block sums = the arquero row-weight bootstrap (1e-9 relative)', () => {
  for (const [label, parents, midAt] of [
    ['300 parents, flat mid', 300, () => 20],
    ['120 parents, mids unknown after 20 min (null horizons, unknown opportunity costs)', 120, stepMids([[-1e15, 20]], Date.UTC(2024, 2, 12, 13, 50) * 1000)],
  ] as const) {
    it(label, () => {
      const run = syntheticRun(parents, label);
      const ladder = runMetrics(run.records, midAt);
      // a baseline missing every fifth parent: pairs are a subset, with their own blocks
      const baseline = runMetrics(run.baseline.filter((_, i) => i % 5 !== 0), midAt);
      const fresh = buildTables(ladder, baseline, OPTIONS);
      const legacy = legacyBuildTables(legacyMetrics(ladder), legacyMetrics(baseline), OPTIONS);
      let compared = 0;
      for (const name of ['fillRateByStep', 'bySpreadBucket', 'speedVsPrice', 'markouts', 'ladderVsBaseline', 'executionDetails', 'overall'] as const) {
        compared += compareTables(name, fresh[name], legacy[name]);
      }
      expect(compared).toBeGreaterThan(300);
      // the intervals are real intervals, not collapsed points
      const all = (fresh.speedVsPrice.objects() as Record<string, number>[]).find((r) => (r.side as unknown) === 'all')!;
      expect(all.shortfallBps_hi - all.shortfallBps_lo).toBeGreaterThan(0.1);
    });
  }

  it('without a baseline and with no replicates', () => {
    const run = syntheticRun(60, 'none');
    const ladder = runMetrics(run.records, () => 20);
    const options = { ...OPTIONS, replicates: 0 };
    const fresh = buildTables(ladder, null, options);
    const legacy = legacyBuildTables(legacyMetrics(ladder), null, options);
    for (const name of ['fillRateByStep', 'bySpreadBucket', 'speedVsPrice', 'markouts', 'ladderVsBaseline', 'overall'] as const) compareTables(name, fresh[name], legacy[name]);
  });

  it("the sweep's paired difference: bootstrapMean = the arquero weighted mean", () => {
    const minute: number[] = [];
    const d: number[] = [];
    let x = 1;
    for (let i = 0; i < 500; i++) {
      x = (x * 16807) % 2147483647;
      minute.push(Math.floor(i / 7));
      d.push((x / 2147483647 - 0.45) * 10);
    }
    const options = { replicates: 1000, seed: 3, label: 'sweep/c1' };
    const legacy = blockBootstrap(aq.table({ minute, d }), 'minute', [], ['d'], (t, by) => (by.length ? t.groupby(...by) : t).rollup({ d: weightedMean('d') }), options).object() as Record<string, number>;
    const fresh = bootstrapMean(d, minute, options);
    expectClose(fresh.value, legacy.d, 'mean');
    expectClose(fresh.lo, legacy.d_lo, 'lo');
    expectClose(fresh.hi, legacy.d_hi, 'hi');
  });
});

describe('BlockSums', () => {
  // blocks 1: rows 0,1 (x 1, 2) · 2: rows 2,3 (3, 5) · 3: row 4 (8) · 4: rows 5,6 (13, NaN)
  const minute = [1, 1, 2, 2, 3, 4, 4];
  const x = [1, 2, 3, 5, 8, 13, Number.NaN];

  it('point = Σ S_b / Σ N_b over present values: (1+2+3+5+8+13)/6 = 5.333…', () => {
    const sums = new BlockSums(minute);
    sums.ratio((i) => x[i], () => 1);
    expect(sums.blockCount).toBe(4);
    expect(Array.from(sums.rowBlock)).toEqual([0, 0, 1, 1, 2, 3, 3]);
    expect(sums.point(0)).toBeCloseTo(32 / 6, 12);
  });

  it('a replicate is Σ k_b·S_b / Σ k_b·N_b with k_b from drawBlocks; one block → the interval is the point', () => {
    // one block drawn every time (1 block) → the interval is the point
    const one = new BlockSums([7, 7, 7]);
    one.ratio((i) => [2, 4, 9][i], () => 1);
    expect(one.estimate({ replicates: 50, seed: 1, label: 'x' })[0]).toEqual({ value: 5, lo: 5, hi: 5 });
    const sums = new BlockSums(minute);
    sums.ratio((i) => x[i], () => 1);
    const [e] = sums.estimate({ replicates: 1, seed: 42, label: 'hand' });
    const k = drawBlocks(4, 1, 42, 'hand');
    const S = [3, 8, 8, 13];
    const N = [2, 2, 1, 1];
    const expected = (k[0] * S[0] + k[1] * S[1] + k[2] * S[2] + k[3] * S[3]) / (k[0] * N[0] + k[1] * N[1] + k[2] * N[2] + k[3] * N[3]);
    expect(e.lo).toBeCloseTo(expected, 12);
    expect(e.hi).toBeCloseTo(expected, 12);
  });
});
