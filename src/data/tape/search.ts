/**
 * The one binary search over sorted numbers (tape timestamps, cumulative weights, …). Every
 * lookup in the repository that bisects a sorted typed array calls one of these two (SampledColumn
 * below ends its search with a scan of one short block).
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

// ───────────────────────── sampled columns ─────────────────────────

/** log2 of the sampling stride: every 64th value (one block = 8 cache lines of the column). */
const BLOCK_SHIFT = 6;

/**
 * A sorted tape column (timestamps) with every 64th value copied into a small array of its own
 * (1/64 of the column: it stays in cache). A cursor that jumps far ahead — the venue's cursors and
 * the quote feed's after a pause, a whole-day column of millions of rows — reads the next 32
 * samples in order and gallops on them past that, then scans one 64-row block of the column in
 * order, from where x falls between the block's first value and the next block's: usually one or
 * two of its 8 cache lines, loaded side by side, where a bisection waits for one miss per probe
 * (bench: the replay's per-order work is mostly these searches; against a bisection of the block,
 * the scan measured +3–4 % on the whole replay, its interpolated start +3–6 % more, and the
 * in-order look at the samples +1–2 %).
 *
 *   upperBoundFrom(x, from) = upperBoundFrom(values, x, from): lowest i ≥ from with values[i] > x.
 */
export class SampledColumn {
  /** samples[b] = values[b · 64]. */
  readonly samples: Float64Array;

  constructor(readonly values: Float64Array) {
    const n = values.length;
    const samples = new Float64Array((n + (1 << BLOCK_SHIFT) - 1) >>> BLOCK_SHIFT);
    for (let b = 0; b < samples.length; b++) samples[b] = values[b << BLOCK_SHIFT];
    this.samples = samples;
  }

  /**
   * Block b = the last one at or after from's block whose first value is ≤ x (b = from's block − 1
   * when none is): the answer lies in (b · 64, (b + 1) · 64], within [from, length].
   */
  upperBoundFrom(x: number, from: number): number {
    const values = this.values;
    const samples = this.samples;
    const first = from >>> BLOCK_SHIFT;
    // The samples of the next 32 blocks in order (loads that do not wait on each other), then a
    // gallop for a longer jump.
    let s = first;
    const scanEnd = first + 32 < samples.length ? first + 32 : samples.length;
    while (s < scanEnd && samples[s] <= x) s++;
    const b = (s < scanEnd || s >= samples.length ? s : upperBoundFrom(samples, x, s)) - 1;
    const lo = b << BLOCK_SHIFT > from ? b << BLOCK_SHIFT : from;
    const blockEnd = (b + 1) << BLOCK_SHIFT;
    const end = blockEnd < values.length ? blockEnd : values.length;
    // Start where x falls between the block's first value and the next block's (rows are spread
    // about evenly in time), so the scan touches one or two of the block's 8 cache lines. A guess
    // outside [lo, end) — or NaN — starts at lo.
    let i = lo;
    if (b >= 0 && b + 1 < samples.length) {
      const s0 = samples[b];
      const guess = (b << BLOCK_SHIFT) + Math.floor(((x - s0) / (samples[b + 1] - s0)) * (1 << BLOCK_SHIFT));
      if (guess > lo) i = guess < end ? guess : end - 1;
      while (i > lo && values[i - 1] > x) i--;
    }
    // Then a scan, not a bisection: its loads are in order and independent, so their cache misses
    // overlap (a bisection's probes each wait for the one before).
    while (i < end && values[i] <= x) i++;
    return i;
  }
}

/** Built once per column and length (tape rows never change once a column holds them). */
const sampledByColumn = new WeakMap<Float64Array, SampledColumn>();

/** The first `length` values of a sorted `column`, sampled (cached: a sweep loads one day per cell). */
export function sampledColumn(column: Float64Array, length: number): SampledColumn {
  const cached = sampledByColumn.get(column);
  if (cached !== undefined && cached.values.length === length) return cached;
  const sampled = new SampledColumn(column.length === length ? column : column.subarray(0, length));
  sampledByColumn.set(column, sampled);
  return sampled;
}
