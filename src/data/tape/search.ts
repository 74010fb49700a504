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
