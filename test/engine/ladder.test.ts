import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config.ts';
import {
  ladderParams,
  ladderTable,
  marketStepPrice,
  quoteProblem,
  spreadPct,
  stepPercentageFor,
  stepPrice,
} from '../../src/engine/ladder.ts';
import { makeTickTable, roundPassive } from '../../src/engine/ticks.ts';

const defaults = ladderParams(defaultConfig().execution);
const prices = (bid: number, ask: number, side: 'buy' | 'sell', params = defaults, tick = 100) =>
  ladderTable({ bid, ask }, side, params, tick).map((r) => r.price);

describe('seed worked example: UVXY 15.23 / 15.32 with the defaults', () => {
  // spread 0.09 = 0.587 % of the ask → p stays 10 %; buy steps 0.09·k·0.10·0.75, sell 0.09·k·0.10·0.85.
  it('buy steps round down (passive) from targets 15.2750 / 15.2818 / 15.2885 / 15.2953', () => {
    expect(prices(15.23, 15.32, 'buy')).toEqual([15.27, 15.28, 15.28, 15.29]);
  });
  it('sell steps round up (passive) from targets 15.2750 / 15.2674 / 15.2597 / 15.2521', () => {
    expect(prices(15.23, 15.32, 'sell')).toEqual([15.28, 15.27, 15.26, 15.26]);
  });
  it('every step is within one tick of the seed table’s unrounded price', () => {
    for (const side of ['buy', 'sell'] as const) {
      for (const row of ladderTable({ bid: 15.23, ask: 15.32 }, side, defaults, 100)) {
        expect(Math.abs(row.price - row.target)).toBeLessThan(0.01);
      }
    }
  });
});

describe('seed worked example: TSLA 319.00 / 325.68', () => {
  it('with the defaults the adaptive rule picks 15 % (spread 2.051 % > 2 %): 322.34 / 323.09 / 323.84 / 324.59', () => {
    expect(spreadPct(319, 325.68)).toBeCloseTo(2.0511, 4);
    expect(prices(319, 325.68, 'buy')).toEqual([322.34, 323.09, 323.84, 324.59]);
    expect(prices(319, 325.68, 'sell')).toEqual([322.34, 321.49, 320.64, 319.79]);
  });
  it('the seed’s own table needs step_percentage 5, aggression 1.0, adaptive off (it contradicts its adaptive rule)', () => {
    // Targets 322.34 + 6.68·k·0.05 = 322.340 / 322.674 / 323.008 / 323.342 (buy, rounded down).
    const seedParams = ladderParams(
      parseConfig({ execution: { step_percentage: 5, aggression_buy: 1, aggression_sell: 1, adaptive_step: false } }).execution,
    );
    expect(prices(319, 325.68, 'buy', seedParams)).toEqual([322.34, 322.67, 323.0, 323.34]);
    // Sell targets 322.340 / 322.006 / 321.672 / 321.338, rounded up.
    expect(prices(319, 325.68, 'sell', seedParams)).toEqual([322.34, 322.01, 321.68, 321.34]);
  });
});

describe('ticks', () => {
  it('sub-$1 prices use $0.0001 ticks', () => {
    const table = makeTickTable();
    expect(table.tickUnits('PENNY', 0.5056)).toBe(1);
    expect(table.tickUnits('PENNY', 1.0)).toBe(100);
    // spread 0.0088 = 1.725 % → p 10 %; buy 0.5056 + 0.0088·k·0.075, sell 0.5056 − 0.0088·k·0.085
    expect(prices(0.5012, 0.51, 'buy', defaults, 1)).toEqual([0.5056, 0.5062, 0.5069, 0.5075]);
    expect(prices(0.5012, 0.51, 'sell', defaults, 1)).toEqual([0.5056, 0.5049, 0.5042, 0.5034]);
  });
  it('a half-penny override applies by symbol and date', () => {
    const table = makeTickTable([{ symbol: 'XYZ', tick: 0.005, from: '2025-11-03' }]);
    expect(table.tickUnits('XYZ', 20, '2025-11-03')).toBe(50);
    expect(table.tickUnits('XYZ', 20, '2025-10-31')).toBe(100);
    expect(table.tickUnits('ABC', 20, '2025-11-03')).toBe(100);
    // spread 0.05 = 0.249 % → narrow p 5 %
    expect(prices(20, 20.05, 'buy', defaults, 50)).toEqual([20.025, 20.025, 20.025, 20.03]);
    expect(prices(20, 20.05, 'sell', defaults, 50)).toEqual([20.025, 20.025, 20.025, 20.02]);
  });
  it('rounds passive and never through the far touch', () => {
    expect(roundPassive(15.2899, 'buy', 15.32, 100)).toBe(15.28);
    expect(roundPassive(15.29 - 1e-12, 'buy', 15.32, 100)).toBe(15.29); // float noise is not a tick
    expect(roundPassive(15.5, 'buy', 15.32, 100)).toBe(15.32);
    expect(roundPassive(15.0, 'sell', 15.23, 100)).toBe(15.23);
    const aggressive = ladderParams(parseConfig({ execution: { step_percentage: 100, aggression_buy: 2, aggression_sell: 2, adaptive_step: false } }).execution);
    expect(prices(10, 10.1, 'buy', aggressive)).toEqual([10.05, 10.1, 10.1, 10.1]);
    expect(prices(10, 10.1, 'sell', aggressive)).toEqual([10.05, 10.0, 10.0, 10.0]);
  });
  it('prices are exact decimals, inside the spread, over random quotes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 100_000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('buy' as const, 'sell' as const),
        (bidCents, spreadCents, step, side) => {
          const bid = bidCents / 100;
          const ask = (bidCents + spreadCents) / 100;
          const p = stepPrice({ bid, ask }, side, step, defaults, 100);
          expect(p).toBe(Math.round(p * 100) / 100);
          expect(String(p)).toMatch(/^\d+(\.\d{1,2})?$/);
          expect(p).toBeGreaterThanOrEqual(bid);
          expect(p).toBeLessThanOrEqual(ask);
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });
});

describe('adaptive step percentage at each threshold', () => {
  it('uses spreadPct = (ask − bid)/ask·100', () => {
    expect(spreadPct(98, 100)).toBe(2);
    expect(spreadPct(99.5, 100)).toBe(0.5);
  });
  it('> 2 % → 15, exactly 2 % → 10, exactly 0.5 % → 10, < 0.5 % → 5', () => {
    expect(stepPercentageFor(2.0001, defaults)).toBe(15);
    expect(stepPercentageFor(2, defaults)).toBe(10);
    expect(stepPercentageFor(0.5, defaults)).toBe(10);
    expect(stepPercentageFor(0.4999, defaults)).toBe(5);
  });
  it('off: always the configured percentage', () => {
    const fixed = ladderParams(parseConfig({ execution: { adaptive_step: false, step_percentage: 12 } }).execution);
    expect(stepPercentageFor(3, fixed)).toBe(12);
    expect(stepPercentageFor(0.1, fixed)).toBe(12);
  });
});

describe('usable quotes', () => {
  const now = 1_000_000_000;
  const q = (bid: number, ask: number, ageMs = 0) => ({ tsUs: now - ageMs * 1000, bid, ask, bidSize: 100, askSize: 100 });
  it('locked, crossed, stale, missing and non-positive quotes are not priced from', () => {
    expect(quoteProblem(q(15.23, 15.32), now, 5000)).toBeNull();
    expect(quoteProblem(q(15.3, 15.3), now, 5000)).toBe('locked');
    expect(quoteProblem(q(15.31, 15.3), now, 5000)).toBe('crossed');
    expect(quoteProblem(q(15.23, 15.32, 5001), now, 5000)).toBe('stale');
    expect(quoteProblem(q(15.23, 15.32, 5000), now, 5000)).toBeNull();
    expect(quoteProblem(undefined, now, 5000)).toBe('missing');
    expect(quoteProblem(q(0, 15.32), now, 5000)).toBe('invalid');
  });
});

describe('market step: marketable limit at the far touch ± collar', () => {
  it('tick collar: buy ask + 5 ticks, sell bid − 5 ticks', () => {
    expect(marketStepPrice({ bid: 15.23, ask: 15.32 }, 'buy', { ticks: 5 }, 100)).toBe(15.37);
    expect(marketStepPrice({ bid: 15.23, ask: 15.32 }, 'sell', { ticks: 5 }, 100)).toBe(15.18);
  });
  it('bps collar rounds back toward the touch', () => {
    // 325.68 · 1.001 = 326.00568 → 326.00; 319 · 0.999 = 318.681 → 318.69
    expect(marketStepPrice({ bid: 319, ask: 325.68 }, 'buy', { ticks: 5, bps: 10 }, 100)).toBe(326.0);
    expect(marketStepPrice({ bid: 319, ask: 325.68 }, 'sell', { ticks: 5, bps: 10 }, 100)).toBe(318.69);
  });
});
