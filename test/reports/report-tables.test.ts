/** The report's arquero tables on small hand-made runs. */
import { describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../src/engine/types.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { buildTables, parentsTable } from '../../src/reports/tables.ts';
import { T0_US, makeRecord, stepMids } from './report-fixtures.ts';

const FLAT = stepMids([[-1e12, 10.05]]);

/** A parent filled completely at `step` (4 = market), `atS` seconds after arrival. */
function filledAt(id: string, side: 'buy' | 'sell', step: number, price: number, atS: number, arrivalUs = T0_US, bid = 10.0, ask = 10.1): ExecutionRecord {
  return makeRecord({
    id, side, qty: 100, bid, ask, arrivalUs,
    children: [{ step, limit: price, qty: 100, sentBid: bid, sentAsk: ask, fills: [{ atUs: atS * 1e6, price, qty: 100 }] }],
  });
}

const OPTIONS = { progressiveSteps: 4, replicates: 200, seed: 3 };

describe('fill rate per step', () => {
  // Five parents in ONE arrival minute: a single block, so every replicate equals the point.
  const records = [
    filledAt('a', 'buy', 0, 10.05, 5),
    filledAt('b', 'sell', 0, 10.05, 6),
    filledAt('c', 'buy', 2, 10.07, 35),
    filledAt('d', 'sell', 4, 10.0, 50),
    makeRecord({ id: 'e', side: 'buy', qty: 100, bid: 10.0, ask: 10.1, endAfterUs: 60e6 }),
  ];
  const tables = buildTables(runMetrics(records, FLAT), null, OPTIONS);
  const bySide = tables.fillRateByStep.objects() as Record<string, number | string>[];
  const rows = bySide.filter((r) => r.side === 'all');

  it('per step: 2, 0, 1, 0, 1 of 5 → 40 %, 0, 20 %, 0, 20 %', () => {
    expect(rows.map((r) => r.stepLabel)).toEqual(['step 1 (mid)', 'step 2', 'step 3', 'step 4', 'market']);
    expect(rows.map((r) => r.filledAt)).toEqual([2, 0, 1, 0, 1]);
    expect(rows.map((r) => r.share)).toEqual([0.4, 0, 0.2, 0, 0.2]);
  });
  it('cumulative 40, 40, 60, 60, 80 %; conditional: step 2 = 0.2/0.6, market = 0.2/0.4', () => {
    expect(rows.map((r) => r.cumulative as number).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0.4, 0.4, 0.6, 0.6, 0.8]);
    expect(rows[2].conditional).toBeCloseTo(1 / 3, 12);
    expect(rows[4].conditional).toBeCloseTo(0.5, 12);
  });
  it('by side: buys a (step 1), c (step 3), e (unfilled) → 1/3, 0, 1/3, 0, 0; sells b (step 1), d (market) → 1/2, 0, 0, 0, 1/2', () => {
    expect(bySide.map((r) => r.side)).toEqual([...Array(5).fill('buy'), ...Array(5).fill('sell'), ...Array(5).fill('all')]);
    expect(bySide.filter((r) => r.side === 'buy').map((r) => r.share)).toEqual([1 / 3, 0, 1 / 3, 0, 0]);
    expect(bySide.filter((r) => r.side === 'buy').map((r) => r.parents)).toEqual([3, 3, 3, 3, 3]);
    expect(bySide.filter((r) => r.side === 'sell').map((r) => r.share)).toEqual([0.5, 0, 0, 0, 0.5]);
    expect(bySide.filter((r) => r.side === 'sell').map((r) => r.cumulative)).toEqual([0.5, 0.5, 0.5, 0.5, 1]);
  });
  it('one block: the interval collapses onto the point', () => {
    expect(rows[0].share_lo).toBe(0.4);
    expect(rows[0].share_hi).toBe(0.4);
    expect(rows[4].cumulative_lo).toBeCloseTo(0.8, 12);
  });
});

describe('by spread bucket', () => {
  const records = [
    filledAt('n1', 'buy', 0, 20.0, 3, T0_US, 19.99, 20.01), // 0.1 % spread
    filledAt('m1', 'buy', 1, 10.06, 3, T0_US + 60e6, 10.0, 10.1), // 0.99 %
    filledAt('m2', 'sell', 1, 10.04, 3, T0_US + 120e6, 10.0, 10.1),
  ];
  const tables = buildTables(runMetrics(records, FLAT), null, OPTIONS);
  const rows = tables.bySpreadBucket.objects() as Record<string, number | string | null>[];

  it('all three buckets in order, the empty one with n = 0 and no statistics', () => {
    expect(rows.map((r) => r.spreadBucket)).toEqual(['< 0.5 %', '0.5–1.5 %', '> 1.5 %']);
    expect(rows.map((r) => r.n)).toEqual([1, 2, 0]);
    expect(rows[2].shortfallBps).toBeNull();
  });
  it('middle bucket: buy 10.06 and sell 10.04 vs mid 10.05 → mean shortfall 9.950 bps; vs far touch −39.801', () => {
    expect(rows[1].shortfallBps).toBeCloseTo(9.9502, 3);
    expect(rows[1].vsFarTouchBps).toBeCloseTo(-39.801, 3); // −0.04/10.05
  });
  it('no baseline → the paired column is empty', () => {
    expect(rows[1].vsBaselineBps).toBeNull();
    expect(rows[1].pairedN).toBe(0);
    expect(tables.ladderVsBaseline).toBeNull();
  });
});

describe('ladder vs baseline, paired by client order id', () => {
  const ladder = [filledAt('p1', 'buy', 1, 10.06, 12), filledAt('p2', 'sell', 1, 10.04, 12, T0_US + 60e6)];
  // Baseline order is reversed on purpose: pairing is by id, not by row.
  const baseline = [filledAt('p2', 'sell', 4, 10.0, 0.001, T0_US + 60e6), filledAt('p1', 'buy', 4, 10.1, 0.001)];
  const tables = buildTables(runMetrics(ladder, FLAT), runMetrics(baseline, FLAT), OPTIONS);

  it('vs baseline = ladder shortfall − baseline shortfall per parent: (0.01 − 0.05)/10.05 = −39.801 bps (the ladder was cheaper)', () => {
    const parents = tables.parents.objects() as Record<string, number | string>[];
    expect(parents.map((p) => p.clientOrderId)).toEqual(['p1', 'p2']);
    expect(parents[0].baselineShortfallBps).toBeCloseTo(49.7512, 3);
    expect(parents[0].vsBaselineBps).toBeCloseTo(-39.801, 3);
    expect(parents[1].vsBaselineBps).toBeCloseTo(-39.801, 3);
  });
  it('by side and all: pairs, both shortfalls, the difference, its decomposition and both times to fill', () => {
    const rows = tables.ladderVsBaseline!.objects() as Record<string, number | string>[];
    expect(rows.map((r) => r.side)).toEqual(['buy', 'sell', 'all']);
    expect(rows.map((r) => r.pairs)).toEqual([1, 1, 2]);
    expect(rows[2].ladderShortfallBps).toBeCloseTo(9.9502, 3);
    expect(rows[2].baselineShortfallBps).toBeCloseTo(49.7512, 3);
    expect(rows[2].vsBaselineBps).toBeCloseTo(-39.801, 3);
    // half spread 0.05/10.05 = 49.751; ladder 9.950 = 49.751 − 39.801 (vs the far touch); the market order paid nothing beyond the touch
    expect(rows[2].halfSpreadBps).toBeCloseTo(49.7512, 3);
    expect(rows[2].ladderVsFarTouchBps).toBeCloseTo(-39.801, 3);
    expect(rows[2].baselineBeyondTouchBps).toBeCloseTo(0, 9);
    for (const r of rows) {
      expect((r.ladderVsFarTouchBps as number) - (r.baselineBeyondTouchBps as number)).toBeCloseTo(r.vsBaselineBps as number, 9);
      expect((r.halfSpreadBps as number) + (r.ladderVsFarTouchBps as number)).toBeCloseTo(r.ladderShortfallBps as number, 9);
    }
    expect(rows[0].ladderTimeToFillS).toBe(12);
    expect(rows[0].baselineTimeToFillS).toBeCloseTo(0.001, 12);
  });
  it('a parent missing from the baseline is left unpaired', () => {
    const onlyOne = parentsTable(runMetrics(ladder, FLAT), runMetrics([baseline[1]], FLAT)).objects() as Record<string, unknown>[];
    expect(onlyOne[0].vsBaselineBps).toBeCloseTo(-39.801, 3);
    expect(onlyOne[1].vsBaselineBps).toBeNull();
  });
});

describe('speed vs price by side and markouts', () => {
  const records = [
    filledAt('b1', 'buy', 0, 10.05, 4),
    filledAt('b2', 'buy', 2, 10.07, 30, T0_US + 60e6),
    filledAt('s1', 'sell', 1, 10.04, 12, T0_US + 120e6),
    makeRecord({ id: 's2', side: 'sell', qty: 100, bid: 10.0, ask: 10.1, arrivalUs: T0_US + 180e6, endAfterUs: 60e6 }),
  ];
  // Mid 10.05 until 5 min after T0, then the tape ends: b1's +60 s horizon (64 s) is known,
  // b2's +60 s (150 s) too, s1's (192 s) too; nothing past 300 s is asked.
  const tables = buildTables(runMetrics(records, stepMids([[-1e12, 10.05]], 170e6)), null, OPTIONS);

  it('fill rate, mean and median time to fill, by side', () => {
    const rows = tables.speedVsPrice.objects() as Record<string, number | string>[];
    expect(rows.map((r) => r.side)).toEqual(['buy', 'sell', 'all']);
    expect(rows.map((r) => r.n)).toEqual([2, 2, 4]);
    expect(rows.map((r) => r.fillRate)).toEqual([1, 0.5, 0.75]);
    expect(rows[0].timeToFillS).toBe(17);
    expect(rows[0].medianTimeToFillS).toBe(17);
    expect(rows[1].timeToFillS).toBe(12);
    expect(rows[2].medianTimeToFillS).toBe(12);
  });
  it('markouts: long format by side × horizon; a horizon past the tape is counted as unknown', () => {
    const rows = tables.markouts.objects() as Record<string, number | string | null>[];
    expect(rows.filter((r) => r.side === 'all').map((r) => r.horizonS)).toEqual([1, 5, 60]);
    const sell60 = rows.find((r) => r.side === 'sell' && r.horizonS === 60)!;
    expect(sell60.filledParents).toBe(1);
    expect(sell60.unknownHorizon).toBe(1);
    expect(sell60.markoutBps).toBeNull();
    const buy1 = rows.find((r) => r.side === 'buy' && r.horizonS === 1)!;
    // b1: (10.05 − 10.05) = 0, b2: (10.07 − 10.05) = +2 cents; equal qty → +1 cent / 10.05 (a cost)
    expect(buy1.markoutBps).toBeCloseTo(9.9502, 3);
    expect(buy1.unknownHorizon).toBe(0);
  });
  it('execution details: effective spread and price levels by side', () => {
    const rows = tables.executionDetails.objects() as Record<string, number | string>[];
    expect(rows.map((r) => r.side)).toEqual(['buy', 'sell', 'all']);
    expect(rows[0].effectiveSpreadBps).toBeCloseTo(19.9005, 3); // (0 + 2·0.02/10.05)/2
    expect(rows[0].priceLevelsSent).toBe(1);
    expect(rows[0].beyondDisplayedShare).toBe(0);
  });
  it('overall: the verdict row', () => {
    const o = tables.overall.object() as Record<string, number>;
    expect(o.n).toBe(4);
    expect(o.fillRate).toBe(0.75);
    expect(o.marketStepParents).toBe(0);
    expect(o.vsFarTouchUsd).toBeCloseTo(-(5 + 3 + 4), 9); // buy 10.05−10.10, 10.07−10.10; sell 10.00−10.04; × 100
  });
});
