/** SampledColumn: the search through every 64th value finds exactly what a plain bisection finds. */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { SampledColumn, sampledColumn, upperBound } from '../../src/data/tape/tape.ts';

/** A sorted column of `n` timestamps with runs of equal values (quotes sharing a microsecond). */
function sortedColumn(n: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  const values = new Float64Array(n);
  let t = 1_000;
  for (let i = 0; i < n; i++) {
    if (rng() < 0.7) t += 1 + Math.floor(rng() * 50);
    values[i] = t;
  }
  return values;
}

/**
 * Bursts: runs of 1–40 rows a few µs apart, then a gap of up to a second — a block's rows far from
 * evenly spread in time, so the interpolated start of the scan lands before or after the answer.
 */
function burstyColumn(n: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  const values = new Float64Array(n);
  let t = 1_000;
  for (let i = 0; i < n; ) {
    const run = 1 + Math.floor(rng() * 40);
    for (let k = 0; k < run && i < n; k++, i++) {
      t += Math.floor(rng() * 3);
      values[i] = t;
    }
    t += Math.floor(rng() * 1_000_000);
  }
  return values;
}

describe('SampledColumn.upperBoundFrom', () => {
  it('equals upperBound(values, x, from) for every from and x around each value, lengths around the 64-row block (even and bursty times)', () => {
    for (const [n, column] of [0, 1, 63, 64, 65, 128, 700].flatMap((n) => [[n, sortedColumn], [n, burstyColumn]] as const)) {
      const values = column(n, `n${n}`);
      const sampled = new SampledColumn(values);
      let checked = 0;
      for (let from = 0; from <= n; from += n > 100 ? 7 : 1) {
        for (const x of [values[0] - 1, ...Array.from(values.subarray(from), (v) => v), ...Array.from(values.subarray(from), (v) => v + 0.5), (values[n - 1] ?? 0) + 1]) {
          if (!(x === x)) continue;
          expect(sampled.upperBoundFrom(x, from)).toBe(upperBound(values, x, from));
          checked++;
        }
      }
      if (n > 0) expect(checked).toBeGreaterThan(n);
    }
  });

  it('equals upperBound on jumps of more than 32 blocks (past the in-order look at the samples), even and bursty times', () => {
    for (const column of [sortedColumn, burstyColumn]) {
      const values = column(10_000, 'long');
      const sampled = new SampledColumn(values);
      for (const from of [0, 1, 63, 64, 65, 2047, 2048, 4000, 9990]) {
        for (let k = from; k < values.length; k += 37) {
          for (const x of [values[k], values[k] + 0.5, values[k] - 0.5]) {
            expect(sampled.upperBoundFrom(x, from)).toBe(upperBound(values, x, from));
          }
        }
      }
    }
  });

  it('is built once per column and length, and again when the length grows', () => {
    const column = sortedColumn(1000, 'grow');
    const a = sampledColumn(column, 500);
    expect(sampledColumn(column, 500)).toBe(a);
    expect(a.values.length).toBe(500);
    expect(a.samples).toEqual(Float64Array.from({ length: 8 }, (_, b) => column[b * 64]));
    const b = sampledColumn(column, 1000);
    expect(b).not.toBe(a);
    expect(b.upperBoundFrom(column[999], 0)).toBe(1000);
    expect(b.upperBoundFrom(column[700], 100)).toBe(upperBound(column, column[700]));
  });
});
