/** Block bootstrap by arrival minute: seeded draws, blocks kept whole, weighted = resampled. */
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { quantileSorted } from '../../src/core/quantile.ts';
import { BlockSums, bootstrapMean, drawBlocks } from '../../src/reports/bootstrap.ts';
import { seededUniformStream } from '../../src/core/rng.ts';
import { blockBootstrap, weightedMean } from './legacy/bootstrap.ts';

const meanOfX = (t: aq.ColumnTable, by: readonly string[]) => (by.length ? t.groupby(...by) : t).rollup({ x: weightedMean('x') });

/** Percentile the way arquero (and d3) computes it: linear between order statistics. */
function quantile(sorted: number[], p: number): number {
  const i = (sorted.length - 1) * p;
  const i0 = Math.floor(i);
  return i0 + 1 < sorted.length ? sorted[i0] + (sorted[i0 + 1] - sorted[i0]) * (i - i0) : sorted[i0];
}

describe('drawBlocks', () => {
  it('is fixed by the seed and label: B draws per replicate', () => {
    const a = drawBlocks(5, 200, 42, 'fill-rate');
    const b = drawBlocks(5, 200, 42, 'fill-rate');
    expect(Array.from(a)).toEqual(Array.from(b));
    for (let r = 0; r < 200; r++) expect(a.subarray(r * 5, r * 5 + 5).reduce((s, k) => s + k, 0)).toBe(5);
    expect(Array.from(drawBlocks(5, 200, 43, 'fill-rate'))).not.toEqual(Array.from(a));
    expect(Array.from(drawBlocks(5, 200, 42, 'markouts'))).not.toEqual(Array.from(a));
  });

  it('keeps recent draws (a sweep reuses them per cell) and draws the same again once they are dropped', () => {
    const a = drawBlocks(7, 50, 'keep', 'x');
    expect(drawBlocks(7, 50, 'keep', 'x')).toBe(a); // kept: the same array
    const copy = Array.from(a);
    // a numeric seed and its string spelling are different streams' keys but the same seed text
    expect(Array.from(drawBlocks(7, 50, 11, 'x'))).toEqual(Array.from(drawBlocks(7, 50, '11', 'x')));
    for (let k = 0; k < 40; k++) drawBlocks(3, 2, k, 'evict'); // push it out of the kept set
    const again = drawBlocks(7, 50, 'keep', 'x');
    expect(again).not.toBe(a);
    expect(Array.from(again)).toEqual(copy);
  });

  it('a kept stream grown for a larger block count gives the draws of a fresh stream', () => {
    const direct = (B: number, R: number) => {
      const next = seededUniformStream('grow/bootstrap/y');
      const u = new Float64Array(B);
      const out: number[] = [];
      for (let r = 0; r < R; r++) {
        next(u);
        const row = new Array<number>(B).fill(0);
        for (const x of u) row[Math.floor(x * B)]++;
        out.push(...row);
      }
      return out;
    };
    expect(Array.from(drawBlocks(3, 4, 'grow', 'y'))).toEqual(direct(3, 4)); // 12 uniforms kept
    expect(Array.from(drawBlocks(9, 30, 'grow', 'y'))).toEqual(direct(9, 30)); // grown to 270
    expect(Array.from(drawBlocks(2, 5, 'grow', 'y'))).toEqual(direct(2, 5)); // a prefix of what is kept
  });
});

describe('blockBootstrap', () => {
  // Four arrival minutes; minute 3 has a single row.
  const table = aq.table({ minute: [1, 1, 2, 2, 3, 4, 4], x: [1, 2, 3, 5, 8, 13, null] });

  it('equals resampling whole blocks by copying rows (seed 42, 400 replicates)', () => {
    const replicates = 400;
    const out = blockBootstrap(table, 'minute', [], ['x'], meanOfX, { replicates, seed: 42, label: 't' }).object() as Record<string, number>;
    // The same draws, applied the slow obvious way: concatenate the drawn blocks, take the mean.
    const drawn = drawBlocks(4, replicates, 42, 't');
    const blocks = [[1, 2], [3, 5], [8], [13]]; // null left out, as the weighted mean does
    const means: number[] = [];
    for (let r = 0; r < replicates; r++) {
      const rows: number[] = [];
      for (let b = 0; b < 4; b++) for (let k = 0; k < drawn[r * 4 + b]; k++) rows.push(...blocks[b]);
      means.push(rows.reduce((s, v) => s + v, 0) / rows.length);
    }
    means.sort((a, b) => a - b);
    expect(out.x).toBeCloseTo(32 / 6, 12); // point estimate: (1+2+3+5+8+13)/6
    expect(out.x_lo).toBeCloseTo(quantile(means, 0.025), 12);
    expect(out.x_hi).toBeCloseTo(quantile(means, 0.975), 12);
    expect(out.x_lo).toBeLessThan(out.x);
    expect(out.x_hi).toBeGreaterThan(out.x);
  });

  it('keeps a minute together: rows that cancel within their minute give a zero-width interval', () => {
    // Each minute holds +v and −v: every resample of whole minutes has mean exactly 0; a
    // row-level bootstrap would not.
    const paired = aq.table({ minute: [1, 1, 2, 2, 3, 3], x: [5, -5, 40, -40, 7, -7] });
    const out = blockBootstrap(paired, 'minute', [], ['x'], meanOfX, { replicates: 300, seed: 1, label: 'pairs' }).object() as Record<string, number>;
    expect(out.x).toBe(0);
    expect(out.x_lo).toBe(0);
    expect(out.x_hi).toBe(0);
  });

  it('two blocks A = 0 and B = 10: replicate means are 0, 5 or 10, and the 95 % interval is [0, 10]', () => {
    const two = aq.table({ minute: [1, 1, 2], x: [0, 0, 10] });
    // P(only A drawn) = P(only B drawn) = 1/4 > 2.5 %, so both tails sit on the extremes.
    const out = blockBootstrap(two, 'minute', [], ['x'], meanOfX, { replicates: 1000, seed: 7, label: 'two' }).object() as Record<string, number>;
    expect(out.x_lo).toBe(0);
    expect(out.x_hi).toBe(10);
  });

  it('grouped statistics: intervals per key, in the point table order; a statistic ignoring `by` gives the same answer', () => {
    const sides = aq.table({ minute: [1, 1, 2, 2, 3, 3], side: ['sell', 'buy', 'sell', 'buy', 'sell', 'buy'], x: [1, 10, 2, 20, 3, 30] });
    const grouped = blockBootstrap(sides, 'minute', ['side'], ['x'], (t, by) => t.groupby(...by, 'side').rollup({ x: weightedMean('x') }), {
      replicates: 300,
      seed: 5,
      label: 'sides',
    });
    const oneAtATime = blockBootstrap(sides, 'minute', ['side'], ['x'], (t) => t.groupby('side').rollup({ x: weightedMean('x') }), {
      replicates: 300,
      seed: 5,
      label: 'sides',
    });
    expect(grouped.objects()).toEqual(oneAtATime.objects());
    const rows = grouped.objects() as Record<string, number | string>[];
    expect(rows.map((r) => r.side)).toEqual(['sell', 'buy']);
    expect(rows[0].x).toBe(2);
    expect(rows[1].x).toBe(20);
    expect(rows[0].x_lo).toBeGreaterThanOrEqual(1);
    expect(rows[0].x_hi).toBeLessThanOrEqual(3);
    expect(rows[1].x_lo).toBeGreaterThanOrEqual(10);
    expect(rows[1].x_hi).toBeLessThanOrEqual(30);
  });

  it('same seed → identical table; no replicates → null intervals', () => {
    const a = blockBootstrap(table, 'minute', [], ['x'], meanOfX, { replicates: 100, seed: 'abc', label: 't' }).objects();
    const b = blockBootstrap(table, 'minute', [], ['x'], meanOfX, { replicates: 100, seed: 'abc', label: 't' }).objects();
    expect(a).toEqual(b);
    const none = blockBootstrap(table, 'minute', [], ['x'], meanOfX, { replicates: 0, seed: 1, label: 't' }).object() as Record<string, unknown>;
    expect(none.x).toBeCloseTo(32 / 6, 12);
    expect(none.x_lo).toBeNull();
    expect(none.x_hi).toBeNull();
  });
});

/** The replicate ratios Σ_b k_rb·S_b / Σ_b k_rb·N_b written out densely, block by block, NaN left out, ascending. */
function directReplicateRatios(drawn: Uint16Array, S: Float64Array, N: Float64Array, replicates: number): Float64Array {
  const blocks = S.length;
  const values: number[] = [];
  for (let r = 0; r < replicates; r++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < blocks; j++) (a += drawn[r * blocks + j] * S[j]), (b += drawn[r * blocks + j] * N[j]);
    if (!Number.isNaN(a / b)) values.push(a / b);
  }
  return Float64Array.from(values).sort();
}

describe('BlockSums: sparse and dense columns give the dense sums bit for bit', () => {
  it('a group in 10 of 100 blocks (buys) and one in all of them (sells): intervals equal a direct dense replicate loop', () => {
    // 400 rows, 4 per arrival minute; buys only in the first 10 minutes, sells everywhere
    const minute = Array.from({ length: 400 }, (_, i) => Math.floor(i / 4));
    const side = minute.map((m, i) => (m < 10 && i % 2 === 0 ? 'buy' : 'sell'));
    const x = minute.map((m, i) => Math.sin(i * 1.7) * 3 + m / 50);
    const sums = new BlockSums(minute);
    for (const s of ['buy', 'sell'] as const) sums.ratio((i) => (side[i] === s ? x[i] : Number.NaN), () => 1);
    const options = { replicates: 200, seed: 7, label: 'sparse-dense' };
    const got = sums.estimate(options);
    const drawn = drawBlocks(100, 200, 7, 'sparse-dense');
    for (const [k, s] of (['buy', 'sell'] as const).entries()) {
      const S = new Float64Array(100);
      const N = new Float64Array(100);
      for (let i = 0; i < 400; i++) if (side[i] === s) (S[minute[i]] += x[i]), (N[minute[i]] += 1);
      const sorted = directReplicateRatios(drawn, S, N, 200);
      expect(got[k].lo).toBe(quantileSorted(sorted, (1 - 0.95) / 2));
      expect(got[k].hi).toBe(quantileSorted(sorted, 1 - (1 - 0.95) / 2));
    }
    expect(got[0].lo).toBeLessThan(got[0].hi);
  });
});

describe('BlockSums: dense columns in passes of four, two and one give the direct sums bit for bit', () => {
  for (const statistics of [1, 2, 3, 5]) {
    it(`${statistics} ratio(s), ${2 * statistics} dense columns`, () => {
      // 120 rows over 40 minutes; every statistic has its own values (and its own count column) in every block
      const minute = Array.from({ length: 120 }, (_, i) => i % 40);
      const value = (s: number, i: number) => Math.cos(i * (0.3 + s)) * (s + 1) + minute[i] / 7;
      const weight = (s: number, i: number) => 1 + ((i * (s + 3)) % 5);
      const sums = new BlockSums(minute);
      for (let s = 0; s < statistics; s++) sums.ratio((i) => value(s, i) * weight(s, i), (i) => weight(s, i));
      const options = { replicates: 50, seed: 11, label: `passes-${statistics}` };
      const got = sums.estimate(options);
      const drawn = drawBlocks(40, 50, 11, `passes-${statistics}`);
      for (let s = 0; s < statistics; s++) {
        const S = new Float64Array(40);
        const N = new Float64Array(40);
        for (let i = 0; i < 120; i++) (S[minute[i]] += value(s, i) * weight(s, i)), (N[minute[i]] += weight(s, i));
        const values = directReplicateRatios(drawn, S, N, 50);
        expect(got[s].lo, `statistic ${s} lo`).toBe(quantileSorted(values, (1 - 0.95) / 2));
        expect(got[s].hi, `statistic ${s} hi`).toBe(quantileSorted(values, 1 - (1 - 0.95) / 2));
        expect(got[s].lo).toBeLessThan(got[s].hi);
      }
    });
  }
});

describe('BlockSums: replicate sums kept across calls with the same draws', () => {
  it('a second table on the same blocks and label reuses only identical columns: each equals its own direct loop', () => {
    const minute = Array.from({ length: 90 }, (_, i) => Math.floor(i / 3));
    const options = { replicates: 80, seed: 5, label: 'kept-across-calls' };
    const drawn = drawBlocks(30, 80, 5, 'kept-across-calls');
    const direct = (x: (i: number) => number) => {
      const S = new Float64Array(30);
      const N = new Float64Array(30);
      for (let i = 0; i < 90; i++) (S[minute[i]] += x(i)), (N[minute[i]] += 1);
      return directReplicateRatios(drawn, S, N, 80);
    };
    // three tables on the same draws: the count column is the same in all, the sums of the first come back in the third
    for (const x of [(i: number) => Math.sin(i) + 2, (i: number) => Math.cos(i * 3) - 1, (i: number) => Math.sin(i) + 2]) {
      const got = bootstrapMean(Array.from({ length: 90 }, (_, i) => x(i)), minute, options);
      const want = direct(x);
      expect(got.lo).toBe(quantileSorted(want, (1 - 0.95) / 2));
      expect(got.hi).toBe(quantileSorted(want, 1 - (1 - 0.95) / 2));
    }
  });
});
