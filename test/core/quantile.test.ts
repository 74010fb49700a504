import { describe, expect, it } from 'vitest';
import { quantile, quantileSorted } from '../../src/core/quantile.ts';

/** The textbook type-7 definition with a comparator sort: the reference every caller used to write out. */
function reference(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (s[hi] - s[lo]) * (h - lo);
}

describe('type-7 quantile (core/quantile.ts)', () => {
  it('interpolates between order statistics, in any input order', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
    expect(quantile([5, 1], 0.25)).toBe(2);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([-3, 10, 2], 0)).toBe(-3);
    expect(quantile([-3, 10, 2], 1)).toBe(10);
  });

  it('leaves NaN out and gives NaN for no values', () => {
    expect(quantile([Number.NaN, 3, 1, Number.NaN, 2], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([Number.NaN], 0.5)).toBeNaN();
    expect(quantileSorted(new Float64Array(0), 0.1)).toBeNaN();
  });

  it('equals the comparator-sort definition bit for bit on seeded values (sweep, fidelity and report callers)', () => {
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 40);
      const values = Array.from({ length: n }, () => (rand() - 0.3) * 1000);
      for (const p of [0.025, 0.1, 0.5, 0.9, 0.975]) expect(quantile(values, p), `n ${n} p ${p}`).toBe(reference(values, p));
    }
  });
});
