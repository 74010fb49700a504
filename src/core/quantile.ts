/**
 * The one type-7 quantile (R's default, arquero's and d3's): linear between order statistics,
 *
 *   q(p) = s[⌊h⌋] + (s[⌊h⌋ + 1] − s[⌊h⌋]) · (h − ⌊h⌋),   h = (n − 1) · p,   s ascending.
 *
 * Sorting is a typed array's numeric sort (no comparator call per pair: the sweep analysis takes
 * three quantiles per cell), which puts NaN last: `quantile` leaves NaN out.
 */

/** Type-7 quantile of ascending values; NaN for none. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (p <= 0 || n < 2) return sorted[0];
  if (p >= 1) return sorted[n - 1];
  const i = (n - 1) * p;
  const i0 = Math.floor(i);
  return sorted[i0] + (sorted[i0 + 1] - sorted[i0]) * (i - i0);
}

/** Type-7 quantile of values in any order, NaN left out; NaN for none. */
export function quantile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  let n = sorted.length;
  while (n > 0 && Number.isNaN(sorted[n - 1])) n--;
  return quantileSorted(n === sorted.length ? sorted : sorted.subarray(0, n), p);
}
