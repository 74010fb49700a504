/**
 * The `intensity` fill model: λ(δ) = A·exp(−k·δ) for a child inside the spread, δ in ticks from its
 * near touch, P(fill in dt) = 1 − exp(−λ·dt), one seeded exponential threshold per child.
 */
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng.ts';
import { distanceFromNearTicks, fillIntensity, fillProbability } from '../../src/sim/fill/intensity.ts';
import type { QuoteRow } from '../../src/data/tape/tape.ts';
import { buy, makeMarket, SEC, sell, T0, tape } from './sim-fixtures.ts';

describe('the formulas, with concrete values', () => {
  it('λ(δ) = A·exp(−k·δ) and P = 1 − exp(−λ·dt)', () => {
    expect(fillIntensity(2, 0.5, 3)).toBeCloseTo(0.44626032029685964, 14);
    expect(fillIntensity(2, 0.5, 4)).toBeCloseTo(0.2706705664732254, 14);
    expect(fillIntensity(2, -0.5, 2)).toBeCloseTo(2 * Math.E, 14); // k < 0: nearer the far touch fills sooner
    expect(fillIntensity(0.1, 0, 7)).toBe(0.1);
    expect(fillProbability(0.44626032029685964, 1)).toBeCloseTo(0.35998285907826577, 14);
    expect(fillProbability(3, 0)).toBe(0);
  });

  it('δ in whole ticks from the near touch: buy L − bid, sell ask − L (cent and half-penny ticks)', () => {
    expect(distanceFromNearTicks(true, 10.03, 10.0, 100)).toBe(3);
    expect(distanceFromNearTicks(false, 10.06, 10.1, 100)).toBe(4);
    expect(distanceFromNearTicks(true, 10.03, 10.0, 50)).toBe(6);
    expect(distanceFromNearTicks(false, 10.1, 10.1, 100)).toBe(0);
  });
});

/** 10.00 / 10.10 every second from T0 to T0 + 30 s (nothing prints). */
function wideTape(): ReturnType<typeof tape> {
  const rows: QuoteRow[] = [];
  for (let s = 0; s <= 30; s++) rows.push([T0 + s * SEC, 10.0, 10.1, 300, 400]);
  return tape(rows);
}

const sim = { fill_model: 'intensity', intensity: { a_per_s: 2, k_per_tick: 0.5 } };

/**
 * The child rests at T0 + 0.5 s; quotes at T0 + n s; H(n) = λ·(n − 0.5). Its threshold is the
 * stream's first draw: E = −ln(1 − u) with u = 0.922466776673068 (seed 42) → E = 2.5570487…
 */
function expectedFillSecond(lambdaPerS: number, seed: number): number {
  const threshold = -Math.log(1 - makeRng(seed, 'fill:intensity')());
  let n = 1;
  while (lambdaPerS * (n - 0.5) < threshold) n++;
  return n;
}

describe('a child inside the spread fills by the intensity clock (seeded)', () => {
  it('buy 500 at 10.03 (δ = 3, λ = 0.4463/s): all 500 at 10.03 at T0 + 7 s', () => {
    expect(expectedFillSecond(fillIntensity(2, 0.5, 3), 42)).toBe(7);
    const { market, at, fills } = makeMarket([wideTape()], sim, 42);
    at(T0 + SEC / 2);
    market.submit(buy('b1', 500, 10.03));
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + 7 * SEC, price: 10.03, qty: 500, cumQty: 500 }]);
  });

  it('sell 500 at 10.06 (δ = 4, λ = 0.2707/s): at T0 + 10 s', () => {
    expect(expectedFillSecond(fillIntensity(2, 0.5, 4), 42)).toBe(10);
    const { market, at, fills } = makeMarket([wideTape()], sim, 42);
    at(T0 + SEC / 2);
    market.submit(sell('s1', 500, 10.06));
    market.run();
    expect(fills('s1')).toEqual([{ tsUs: T0 + 10 * SEC, price: 10.06, qty: 500, cumQty: 500 }]);
  });

  it('another seed draws another threshold: seed 7 matches its own formula (buy and sell)', () => {
    for (const [order, delta] of [[buy('b1', 100, 10.03), 3], [sell('s1', 100, 10.06), 4]] as const) {
      const { market, at, fills } = makeMarket([wideTape()], sim, 7);
      at(T0 + SEC / 2);
      market.submit(order);
      market.run();
      expect(fills().map((f) => (f.tsUs - T0) / SEC)).toEqual([expectedFillSecond(fillIntensity(2, 0.5, delta), 7)]);
    }
  });

  it('about 1 − exp(−λ·1.5 s) of 400 buys inside the spread have filled by T0 + 2 s', () => {
    const { market, at, fills } = makeMarket([wideTape()], sim, 3);
    at(T0 + SEC / 2);
    for (let k = 0; k < 400; k++) market.submit(buy(`b${k}`, 100, 10.03));
    market.run(T0 + 2 * SEC + 1);
    const share = fills().length / 400;
    const p = fillProbability(fillIntensity(2, 0.5, 3), 1.5);
    expect(p).toBeCloseTo(0.48798, 5);
    expect(share).toBeGreaterThan(p - 0.08);
    expect(share).toBeLessThan(p + 0.08);
  });

  it('at the touch the intensity clock pauses and the queue decides: a buy joining the bid never fills without prints', () => {
    const { market, at, fills } = makeMarket([wideTape()], sim, 42);
    at(T0 + SEC / 2);
    market.submit(buy('b1', 500, 10.0));
    market.run();
    expect(fills()).toEqual([]);
  });

  it('the bid stepping up to the child pauses its clock (sell side: the ask stepping down to it)', () => {
    // Sell at 10.06: inside 10.00/10.10 for 0.5 s … 3 s (H = 0.2707 × 2.5 = 0.677 < E = 2.557), then
    // the ask is 10.06 (at the touch, queue rules, no prints) for the rest of the tape: no fill.
    const rows: QuoteRow[] = [];
    for (let s = 0; s <= 30; s++) rows.push([T0 + s * SEC, 10.0, s < 3 ? 10.1 : 10.06, 300, 400]);
    const { market, at, fills } = makeMarket([tape(rows)], sim, 42);
    at(T0 + SEC / 2);
    market.submit(sell('s1', 500, 10.06));
    market.run();
    expect(fills()).toEqual([]);
  });

  it('a = 0 never fills inside the spread', () => {
    const { market, at, fills } = makeMarket([wideTape()], { fill_model: 'intensity', intensity: { a_per_s: 0, k_per_tick: 0 } }, 42);
    at(T0 + SEC / 2);
    market.submit(buy('b1', 500, 10.03));
    market.submit(sell('s1', 500, 10.06));
    market.run();
    expect(fills()).toEqual([]);
  });
});
