/**
 * The statistics behind `sample:stats`, on a hand-made hour whose every value is worked out by
 * hand, and the ±25 % / one-tick verdict.
 */
import { describe, expect, it } from 'vitest';
import { nyLocalToUtcUs } from '../../../src/core/calendar.ts';
import { compareStats, statLines } from '../../../src/data/sample/compare.ts';
import { computeTapeStats, interpolatedPercentile, type TapeStats } from '../../../src/data/sample/stats.ts';
import { makeQuoteColumns, makeTradeColumns, type SymbolDay } from '../../../src/data/tape/tape.ts';

const DAY = '2025-03-12';
const OPEN = nyLocalToUtcUs(DAY, (9 * 60 + 30) * 60_000);
const MIN = 60_000_000;
const MS = 1_000;
const window = { openUs: OPEN, closeUs: OPEN + 60 * MIN };

/**
 * 10.00/10.03 (100×100) stands from before the open; at +15 min a sell of 100 prints at the bid
 * and 2 ms later the quote becomes 10.00/10.02 (300×100); an off-exchange 200 prints at the
 * midpoint 10.01 at +20 min, a buy of 300 at the ask 10.02 at +40 min.
 */
function handMadeHour(): SymbolDay {
  return {
    symbol: 'TEST',
    day: DAY,
    quotes: makeQuoteColumns([
      [OPEN - 1_000 * MS, 10.0, 10.03, 100, 100],
      [OPEN + 15 * MIN + 2 * MS, 10.0, 10.02, 300, 100],
    ]),
    trades: makeTradeColumns([
      { tsUs: OPEN + 15 * MIN, price: 10.0, size: 100, exchange: 'N', eligible: true },
      { tsUs: OPEN + 20 * MIN, price: 10.01, size: 200, exchange: 'D', eligible: false },
      { tsUs: OPEN + 40 * MIN, price: 10.02, size: 300, exchange: 'N', eligible: true },
    ]),
  };
}

describe('computeTapeStats on a hand-made hour', () => {
  const s = computeTapeStats(handMadeHour(), window);

  it('counts quote updates and trades per minute, in the session only', () => {
    expect(s.quoteUpdates).toBe(1); // the row before the open is not an update of the session
    expect(s.quoteUpdatesPerMin).toBeCloseTo(1 / 60, 12);
    expect(s.quoteUpdatesPerMinFirst30).toBeCloseTo(1 / 30, 12);
    expect(s.trades).toBe(3);
    expect(s.tradesPerMin).toBeCloseTo(3 / 60, 12);
    expect(s.tradesPerMinFirst30).toBeCloseTo(2 / 30, 12);
    expect(s.tradesPerMinLast30).toBeCloseTo(1 / 30, 12);
  });

  it('weighs the spread by time: 3 ¢ for 15 min, then 2 ¢ for 45 min', () => {
    expect(s.spreadMedianCents).toBe(2);
    expect(s.spreadMeanCents).toBeCloseTo((3 * 900.002 + 2 * 2699.998) / 3600, 9);
    // 2 ¢ holds 75 % (spread over 1.5–2.5 ¢), 3 ¢ 25 % (2.5–3.5 ¢).
    expect(s.spreadCents.p50).toBeCloseTo(1.5 + 0.5 / 0.75, 4);
    expect(s.spreadCents.p90).toBeCloseTo(2.5 + (0.9 - 0.75) / 0.25, 4);
  });

  it('sizes, prints inside the spread, off-exchange prints and updates after a trade', () => {
    expect(s.tradeSize.mean).toBe(200);
    expect(s.tradeSize.p50).toBe(200);
    expect(s.tradeSize.p90).toBe(300);
    expect(s.tradeSize.shareRoundLot).toBeCloseTo(1 / 3, 12);
    expect(s.shareInside).toBeCloseTo(1 / 3, 12); // the midpoint print
    expect(s.shareOffExchange).toBeCloseTo(1 / 3, 12);
    expect(s.shareUpdatesAfterTrade).toBe(1); // the one update came 2 ms after the sell
  });

  it('touch size over time and one-minute mid changes', () => {
    // Sizes: 100 (both sides) for 15 min, then 300 and 100 for 45 min → 100 holds 62.5 % of side-time.
    expect(s.touchSize.p50).toBeCloseTo(50 + 100 * (0.5 / 0.625), 2);
    expect(s.touchSize.p90).toBeCloseTo(250 + 100 * ((0.9 - 0.625) / 0.375), 2);
    // Mid 10.015 until minute 15, then 10.01: one change of −0.5 ¢ among 60 minute-to-minute changes.
    const mean = -0.5 / 60;
    const variance = (0.25 - 60 * mean * mean) / 59;
    expect(s.midChange1mStdCents).toBeCloseTo(Math.sqrt(variance), 9);
  });
});

describe('interpolatedPercentile', () => {
  it('spreads each value over ±½ tick: IBM has 10.9 % of the time at 1 ¢, so p10 ≈ 1.42 ¢', () => {
    expect(interpolatedPercentile([1, 2, 3], [0.109, 0.244, 0.647], 0.1, 0.5)).toBeCloseTo(0.5 + 0.1 / 0.109, 10);
    expect(interpolatedPercentile([1, 2, 3], [0.109, 0.244, 0.647], 0.25, 0.5)).toBeCloseTo(1.5 + (0.25 - 0.109) / 0.244, 10);
  });
});

describe('compareStats verdict', () => {
  const base = computeTapeStats(handMadeHour(), window);
  const scaled = (f: Partial<TapeStats>): TapeStats => ({ ...base, ...f });

  it('a line passes within ±25 % and fails beyond', () => {
    const within = compareStats(base, scaled({ tradesPerMin: base.tradesPerMin * 1.25 }));
    expect(within.find((l) => l.name === 'trades / min')!.ok).toBe(true);
    const beyond = compareStats(base, scaled({ tradesPerMin: base.tradesPerMin * 1.26 }));
    const line = beyond.find((l) => l.name === 'trades / min')!;
    expect(line.ok).toBe(false);
    expect(line.ratio).toBeCloseTo(1.26, 12);
    const low = compareStats(base, scaled({ shareInside: base.shareInside * 0.74 }));
    expect(low.find((l) => l.name === 'share of trades inside the spread')!.ok).toBe(false);
  });

  it('the quoted median spread passes within one tick, not by ratio', () => {
    const name = 'spread median, ¢ (as quoted)';
    expect(compareStats(base, scaled({ spreadMedianCents: 3 })).find((l) => l.name === name)!.ok).toBe(true); // 2 → 3: ratio 1.5, one tick
    expect(compareStats(base, scaled({ spreadMedianCents: 4 })).find((l) => l.name === name)!.ok).toBe(false);
  });

  it('every statistic has a line', () => {
    expect(statLines(base)).toHaveLength(28);
    expect(compareStats(base, base).every((l) => l.ok)).toBe(true);
  });
});
