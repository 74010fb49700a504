/**
 * Quantity beyond the displayed touch (sim.beyond_touch) for a child marketable on arrival — the
 * market step and the baseline: synthetic levels (default) or resting at the collar; buy and sell,
 * concrete prices.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { buy, makeMarket, SEC, sell, T0, tape } from './sim-fixtures.ts';

// 10.00 × 300 / 10.05 × 400
const oneQuote = () => tape([[T0, 10.0, 10.05, 300, 400]]);
const fillsOf = (fills: { price: number; qty: number }[]) => fills.map((f) => [f.price, f.qty]);

describe('levels (default): the touch repeated every tick behind it, up to the limit', () => {
  it('buy 1000 with limit 10.10: 400 at the ask, then 400 at 10.06 and 200 at 10.07', () => {
    const { market, at, fills, config } = makeMarket([oneQuote()]);
    expect(config.sim.beyond_touch).toEqual({ model: 'levels', level_size_factor: 1, level_spacing_ticks: 1 });
    at(T0 + SEC);
    market.submit(buy('b1', 1000, 10.1));
    market.run(T0 + 2 * SEC);
    expect(fillsOf(fills('b1'))).toEqual([[10.05, 400], [10.06, 400], [10.07, 200]]);
  });

  it('sell 1000 with limit 9.95: 300 at the bid, 300 at 9.99, 300 at 9.98, 100 at 9.97', () => {
    const { market, at, fills } = makeMarket([oneQuote()]);
    at(T0 + SEC);
    market.submit(sell('s1', 1000, 9.95));
    market.run(T0 + 2 * SEC);
    expect(fillsOf(fills('s1'))).toEqual([[10.0, 300], [9.99, 300], [9.98, 300], [9.97, 100]]);
  });

  it('level_size_factor 0.5 and level_spacing_ticks 2: buy levels of 200 at 10.07, 10.09', () => {
    const { market, at, fills } = makeMarket([oneQuote()], { beyond_touch: { level_size_factor: 0.5, level_spacing_ticks: 2 } });
    at(T0 + SEC);
    market.submit(buy('b1', 1000, 10.1));
    market.run(T0 + 2 * SEC);
    // 10.11 would be past the limit: 200 shares rest at 10.10.
    expect(fillsOf(fills('b1'))).toEqual([[10.05, 400], [10.07, 200], [10.09, 200]]);
    expect(market.restingCount()).toBe(1);
  });

  it('the limit (collar) stops the walk; the rest rests there (sell at 9.99: 300 + 300, 400 rest)', () => {
    const { market, at, fills, types } = makeMarket([oneQuote()]);
    at(T0 + SEC);
    market.submit(sell('s1', 1000, 9.99));
    market.run(T0 + 2 * SEC);
    expect(fillsOf(fills('s1'))).toEqual([[10.0, 300], [9.99, 300]]);
    expect(types('s1')).toEqual(['accepted', 'fill', 'fill']);
    expect(market.restingCount()).toBe(1);
  });

  it('two takers within one quote share the levels (buy 500 twice: 400@10.05 100@10.06, then 300@10.06 200@10.07)', () => {
    const { market, at, fills } = makeMarket([oneQuote()]);
    at(T0 + SEC);
    market.submit(buy('b1', 500, 10.1));
    market.submit(buy('b2', 500, 10.1));
    market.run(T0 + 2 * SEC);
    expect(fillsOf(fills('b1'))).toEqual([[10.05, 400], [10.06, 100]]);
    expect(fillsOf(fills('b2'))).toEqual([[10.06, 300], [10.07, 200]]);
  });

  it('a limit step (not through the far touch) never walks: buy 1000 at the ask takes 400 and rests', () => {
    const { market, at, fills } = makeMarket([oneQuote()]);
    at(T0 + SEC);
    market.submit(buy('b1', 1000, 10.05));
    market.run(T0 + 2 * SEC);
    expect(fillsOf(fills('b1'))).toEqual([[10.05, 400]]);
  });
});

describe('collar: nothing beyond the displayed size', () => {
  it('buy 1000 at 10.10 takes the 400 shown and rests; sell 1000 at 9.95 takes 300', () => {
    const b = makeMarket([oneQuote()], { beyond_touch: { model: 'collar' } });
    b.at(T0 + SEC);
    b.market.submit(buy('b1', 1000, 10.1));
    b.market.run(T0 + 2 * SEC);
    const s = makeMarket([oneQuote()], { beyond_touch: { model: 'collar' } });
    s.at(T0 + SEC);
    s.market.submit(sell('s1', 1000, 9.95));
    s.market.run(T0 + 2 * SEC);
    expect([fillsOf(b.fills('b1')), fillsOf(s.fills('s1'))]).toEqual([[[10.05, 400]], [[10.0, 300]]]);
  });
});

describe('the market-order baseline uses the same model', () => {
  const parent = (side: 'buy' | 'sell'): ParentOrder => ({ clientOrderId: `p-${side}`, symbol: 'XYZ', side, qty: 1000, arrivalTsUs: T0 + SEC });

  it('baseline buy 1000 fills at once at 10.05/10.06/10.07 (collar 5 ticks); sell at 10.00/9.99/9.98/9.97', () => {
    const config = parseConfig({});
    const { records } = runBacktest({ config, tapes: [oneQuote()], parents: [parent('buy'), parent('sell')], marketOnly: true, pathChecks: false });
    const [b, s] = records;
    expect(b).toMatchObject({ status: 'filled', filledQty: 1000, timeToFillUs: 0 });
    expect(b.avgPrice).toBeCloseTo((400 * 10.05 + 400 * 10.06 + 200 * 10.07) / 1000, 10);
    expect(b.children[0].limitPrice).toBe(10.1);
    expect(s).toMatchObject({ status: 'filled', filledQty: 1000, timeToFillUs: 0 });
    expect(s.avgPrice).toBeCloseTo((300 * 10.0 + 300 * 9.99 + 300 * 9.98 + 100 * 9.97) / 1000, 10);
  });

  it('with collar, the same baseline buy fills 400 only (no later quote reaches 10.10)', () => {
    const config = parseConfig({ sim: { beyond_touch: { model: 'collar' } } });
    const [b] = runBacktest({ config, tapes: [oneQuote()], parents: [parent('buy')], marketOnly: true, pathChecks: false }).records;
    expect(b.filledQty).toBe(400);
    expect(b.avgPrice).toBe(10.05);
  });
});
