/**
 * The one binary search over sorted numbers (tape timestamps, cumulative weights, …). Every
 * lookup in the repository that bisects a sorted typed array calls one of these two.
 *
 *   lowerBound(a, x) = lowest i in [from, to) with a[i] ≥ x, else `to`
 *   upperBound(a, x) = lowest i in [from, to) with a[i] > x,  else `to`
 *
 * `from`/`to` narrow the range (a forward-only cursor searches from where it stands).
 */

/** Any sorted, indexable array of numbers. */
export interface SortedNumbers {
  readonly length: number;
  readonly [index: number]: number;
}

/** Lowest i in [from, to) with a[i] ≥ x; `to` when there is none. */
export function lowerBound(a: SortedNumbers, x: number, from = 0, to = a.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lowest i in [from, to) with a[i] > x; `to` when there is none. */
export function upperBound(a: SortedNumbers, x: number, from = 0, to = a.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * upperBound for a forward-only cursor: the same index, found by galloping from `from`
 * (probe from+1, from+3, from+7, … until a[probe] > x, then bisect that last stretch). A cursor
 * usually moves a short way: this touches a few neighbouring cache lines instead of bisecting the
 * whole rest of a day's column (each probe of which is a cache miss).
 */
export function upperBoundFrom(a: SortedNumbers, x: number, from = 0, to = a.length): number {
  let lo = from;
  let step = 1;
  // Invariant: every index below lo holds a value ≤ x.
  while (lo + step < to && a[lo + step - 1] <= x) {
    lo += step;
    step *= 2;
  }
  return upperBound(a, x, lo, lo + step < to ? lo + step : to);
}
