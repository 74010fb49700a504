/** The one binary search (data/tape/search.ts): bounds on ties, empty and narrowed ranges. */
import { describe, expect, it } from 'vitest';
import { lowerBound, upperBound, upperBoundFrom } from '../../src/data/tape/search.ts';
import { firstIndexAfter, firstIndexAtOrAfter, lastIndexAtOrBefore } from '../../src/data/tape/tape.ts';

const ts = Float64Array.from([10, 20, 20, 20, 30]);

describe('lowerBound / upperBound', () => {
  it('find the first ≥ and the first > on ties, and the end when nothing qualifies', () => {
    expect([5, 10, 20, 25, 30, 31].map((x) => lowerBound(ts, x))).toEqual([0, 0, 1, 4, 4, 5]);
    expect([5, 10, 20, 25, 30, 31].map((x) => upperBound(ts, x))).toEqual([0, 1, 4, 4, 5, 5]);
    expect(lowerBound(new Float64Array(0), 1)).toBe(0);
    expect(upperBound([1, 2, 3], 2)).toBe(2);
  });

  it('search only [from, to)', () => {
    expect(upperBound(ts, 20, 3)).toBe(4);
    expect(upperBound(ts, 5, 3)).toBe(3); // never before `from`
    expect(lowerBound(ts, 30, 0, 3)).toBe(3); // `to` when none in range
  });

  it('back the tape lookups', () => {
    expect(firstIndexAtOrAfter(ts, 20)).toBe(1);
    expect(firstIndexAfter(ts, 20)).toBe(4);
    expect(lastIndexAtOrBefore(ts, 20)).toBe(3);
    expect(lastIndexAtOrBefore(ts, 9)).toBe(-1);
  });
});

describe('upperBoundFrom (galloping from a cursor)', () => {
  it('gives upperBound\'s index on ties, short and long jumps, the end, and narrowed ranges', () => {
    expect([5, 10, 20, 25, 30, 31].map((x) => upperBoundFrom(ts, x))).toEqual([0, 1, 4, 4, 5, 5]);
    expect(upperBoundFrom(ts, 20, 3)).toBe(4);
    expect(upperBoundFrom(ts, 5, 3)).toBe(3);
    expect(upperBoundFrom(ts, 30, 0, 3)).toBe(3);
    expect(upperBoundFrom(new Float64Array(0), 1)).toBe(0);
  });

  it('agrees with upperBound for every start and value on a sorted column with runs of ties', () => {
    const column = Float64Array.from({ length: 1000 }, (_, i) => Math.floor(i / 3) * 7);
    for (let from = 0; from <= column.length; from += 37) {
      for (let x = -1; x <= 2400; x += 13) expect(upperBoundFrom(column, x, from)).toBe(upperBound(column, x, from));
    }
  });
});
