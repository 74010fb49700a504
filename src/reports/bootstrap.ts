/**
 * Block bootstrap by arrival minute (DESIGN §5), from per-block sums. Orders that arrive close
 * together see the same market, so their outcomes are correlated; resampling single orders would
 * understate the uncertainty. The blocks are the arrival minutes present in the rows given.
 *
 * Every statistic is a ratio of sums over rows, R = Σᵢ aᵢ / Σᵢ bᵢ (a mean: a = x, b = 1; a
 * quantity-weighted mean: a = q·x, b = q; a share: a = [event], b = 1), rows where x is missing
 * left out of both sums. One replicate draws B blocks with replacement from the B blocks
 * (seedrandom, seeded from the config seed and the table's label: drawBlocks); block b drawn k_b
 * times contributes its rows k_b times, so with the block sums S_b = Σ_{i∈b} aᵢ, N_b = Σ_{i∈b} bᵢ
 *
 *     R* = Σ_b k_b·S_b / Σ_b k_b·N_b
 *
 * — no per-row work per replicate. The point estimate is the same with every k_b = 1. The
 * interval is the percentile interval of the replicate values: [q(α/2), q(1 − α/2)], α = 1 −
 * level, q linear between order statistics (type 7, as arquero and d3); a replicate whose ratio
 * is undefined (0/0: its group drawn empty) is left out of that statistic's quantiles.
 */
import { quantileSorted } from '../core/quantile.ts';
import { drawBlocks } from './bootstrap-draws.ts';

export { drawBlocks };

export interface BootstrapOptions {
  /** Number of replicates (1000 gives stable 95 % percentile intervals). */
  replicates: number;
  /** The run's config seed. */
  seed: string | number;
  /** Names the table: mixed into the seed so each table has its own stream. */
  label: string;
  /** Confidence level, default 0.95. */
  level?: number;
}

/** Point estimate and percentile interval of one ratio statistic (NaN when undefined). */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

/**
 * Per-block sums of ratio statistics over a fixed set of rows. Add each statistic with `ratio`
 * (row contributions; a NaN numerator leaves the row out of both sums), then `estimate` them all
 * with one set of block draws.
 */
export class BlockSums {
  readonly blockCount: number;
  /** Block index of each row (blocks = the sorted distinct block values). */
  readonly rowBlock: Int32Array;
  private readonly sums: Float64Array[] = [];

  constructor(blockOfRow: ArrayLike<number>) {
    const distinct = [...new Set(Array.from(blockOfRow))].sort((a, b) => a - b);
    const index = new Map(distinct.map((b, i) => [b, i]));
    this.blockCount = distinct.length;
    this.rowBlock = new Int32Array(blockOfRow.length);
    for (let i = 0; i < blockOfRow.length; i++) this.rowBlock[i] = index.get(blockOfRow[i])!;
  }

  get rows(): number {
    return this.rowBlock.length;
  }

  get statistics(): number {
    return this.sums.length / 2;
  }

  /** Adds Σ num(i) / Σ den(i) over the rows where num(i) is not NaN; returns its index. */
  ratio(num: (row: number) => number, den: (row: number) => number): number {
    const s = new Float64Array(this.blockCount);
    const n = new Float64Array(this.blockCount);
    for (let i = 0; i < this.rowBlock.length; i++) {
      const a = num(i);
      if (Number.isNaN(a)) continue;
      s[this.rowBlock[i]] += a;
      n[this.rowBlock[i]] += den(i);
    }
    this.sums.push(s, n);
    return this.sums.length / 2 - 1;
  }

  /** Σ_b S_b / Σ_b N_b of statistic `k` (every block once). */
  point(k: number): number {
    const s = this.sums[2 * k];
    const n = this.sums[2 * k + 1];
    let a = 0;
    let b = 0;
    for (let j = 0; j < this.blockCount; j++) {
      a += s[j];
      b += n[j];
    }
    return a / b;
  }

  /** Point estimates and percentile intervals of every statistic, from one set of draws. */
  estimate(options: BootstrapOptions): Estimate[] {
    const K = this.statistics;
    const points = Array.from({ length: K }, (_, k) => this.point(k));
    if (this.rows === 0 || options.replicates <= 0 || K === 0) return points.map((value) => ({ value, lo: Number.NaN, hi: Number.NaN }));
    const R = options.replicates;
    const drawn = drawBlocks(this.blockCount, R, options.seed, options.label);
    const byColumn = replicateSumsKept(drawn, this.sums, R, this.blockCount);
    const alpha = 1 - (options.level ?? 0.95);
    const values = new Float64Array(R);
    return points.map((value, s) => {
      const num = byColumn[2 * s];
      const den = byColumn[2 * s + 1];
      for (let r = 0; r < R; r++) values[r] = num[r] / den[r];
      const sorted = definedSorted(values);
      return { value, lo: quantileSorted(sorted, alpha / 2), hi: quantileSorted(sorted, 1 - alpha / 2) };
    });
  }
}

/** Replicate sums already made with a set of draws, by column contents (SUMS_KEPT per set of draws). */
const keptSums = new WeakMap<Uint16Array, Map<string, Float64Array>>();
const SUMS_KEPT = 8;

/**
 * Each column's replicate sums (R values), each distinct column multiplied once: identical columns
 * within a call (a group's count, say) and across calls with the same draws (the sweep's cells draw
 * alike and most share one count column: which of the same parents filled) reuse the sums.
 */
function replicateSumsKept(drawn: Uint16Array, columns: readonly Float64Array[], R: number, blockCount: number): Float64Array[] {
  let kept = keptSums.get(drawn);
  if (!kept) keptSums.set(drawn, (kept = new Map()));
  const found = new Map<string, Float64Array | null>();
  const todo: { col: Float64Array; key: string }[] = [];
  const keys = columns.map((col) => {
    const key = col.join(','); // exact: a double prints as the shortest string that reads back to it
    if (!found.has(key)) {
      const sums = kept.get(key) ?? null;
      found.set(key, sums);
      if (sums === null) todo.push({ col, key });
    }
    return key;
  });
  const fresh = replicateSums(drawn, todo.map((t) => t.col), R, blockCount);
  todo.forEach(({ key }, c) => {
    const sums = fresh.slice(c * R, (c + 1) * R);
    found.set(key, sums);
    if (kept.size >= SUMS_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(key, sums);
  });
  return keys.map((key) => found.get(key)!);
}

/** Replicates per pass: their draws (REPLICATE_CHUNK × B) stay in cache while every column is multiplied. */
const REPLICATE_CHUNK = 16;

/**
 * out[m·R + r] = Σ_b k_rb · columns[m]_b: each column of block sums dotted with each replicate's
 * multiplicities, a chunk of replicates at a time. A column is summed over its non-zero blocks
 * only, in the same ascending order: a skipped term is k·(±0) = ±0, and acc + ±0 = acc (acc is
 * never −0), so every sum is the dense one bit for bit — a group that occupies few blocks (the
 * first 30 minutes, a spread bucket) costs in proportion. Dense columns share passes over the
 * draws, four at a time, then two, then one (measured: four in one pass 2.0× one column per
 * pass, two 1.3×; a pair no longer pays for four: the sweep's one ratio, mean and count, is a pair).
 */
function replicateSums(drawn: Uint16Array, columns: readonly Float64Array[], replicates: number, blockCount: number): Float64Array {
  const out = new Float64Array(columns.length * replicates);
  const sparse: { m: number; at: Int32Array }[] = [];
  const dense: number[] = [];
  columns.forEach((col, m) => {
    const at = nonZeroBlocks(col);
    if (at.length * 2 < blockCount) sparse.push({ m, at });
    else dense.push(m);
  });
  const passes = densePasses(dense);
  const pass: ReplicatePass = { drawn, blockCount, replicates, out, first: 0, last: 0 };
  for (pass.first = 0; pass.first < replicates; pass.first += REPLICATE_CHUNK) {
    pass.last = Math.min(replicates, pass.first + REPLICATE_CHUNK);
    for (const { m, at } of sparse) sparseSums(pass, m, columns[m], at);
    for (const group of passes) {
      if (group.length === 4) denseSums4(pass, group, columns);
      else if (group.length === 2) denseSums2(pass, group[0], group[1], columns[group[0]], columns[group[1]]);
      else denseSums1(pass, group[0], columns[group[0]]);
    }
  }
  return out;
}

/** One chunk of replicates [first, last) over the draws, written to out[m·R + r]. */
interface ReplicatePass {
  drawn: Uint16Array;
  blockCount: number;
  replicates: number;
  out: Float64Array;
  first: number;
  last: number;
}

/** Dense column indices cut into passes of four, then two, then one. */
function densePasses(dense: readonly number[]): number[][] {
  const passes: number[][] = [];
  let d = 0;
  for (const width of [4, 2, 1]) for (; dense.length - d >= width; d += width) passes.push(dense.slice(d, d + width));
  return passes;
}

function sparseSums(p: ReplicatePass, m: number, col: Float64Array, at: Int32Array): void {
  const { drawn, blockCount, out } = p;
  for (let r = p.first; r < p.last; r++) {
    let acc = 0;
    const base = r * blockCount;
    for (let q = 0; q < at.length; q++) acc += drawn[base + at[q]] * col[at[q]];
    out[m * p.replicates + r] = acc;
  }
}

function denseSums4(p: ReplicatePass, m: readonly number[], columns: readonly Float64Array[]): void {
  const { drawn, blockCount, out, replicates } = p;
  const c0 = columns[m[0]];
  const c1 = columns[m[1]];
  const c2 = columns[m[2]];
  const c3 = columns[m[3]];
  for (let r = p.first; r < p.last; r++) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    const base = r * blockCount;
    for (let b = 0; b < blockCount; b++) {
      const k = drawn[base + b];
      a0 += k * c0[b];
      a1 += k * c1[b];
      a2 += k * c2[b];
      a3 += k * c3[b];
    }
    out[m[0] * replicates + r] = a0;
    out[m[1] * replicates + r] = a1;
    out[m[2] * replicates + r] = a2;
    out[m[3] * replicates + r] = a3;
  }
}

function denseSums2(p: ReplicatePass, m0: number, m1: number, c0: Float64Array, c1: Float64Array): void {
  const { drawn, blockCount, out, replicates } = p;
  for (let r = p.first; r < p.last; r++) {
    let a0 = 0;
    let a1 = 0;
    const base = r * blockCount;
    for (let b = 0; b < blockCount; b++) {
      const k = drawn[base + b];
      a0 += k * c0[b];
      a1 += k * c1[b];
    }
    out[m0 * replicates + r] = a0;
    out[m1 * replicates + r] = a1;
  }
}

function denseSums1(p: ReplicatePass, m: number, col: Float64Array): void {
  const { drawn, blockCount, out, replicates } = p;
  for (let r = p.first; r < p.last; r++) {
    let acc = 0;
    const base = r * blockCount;
    for (let b = 0; b < blockCount; b++) acc += drawn[base + b] * col[b];
    out[m * replicates + r] = acc;
  }
}

/** Indices of a column's blocks whose sum is not ±0 (NaN counts as non-zero), ascending. */
function nonZeroBlocks(col: Float64Array): Int32Array {
  let n = 0;
  const at = new Int32Array(col.length);
  for (let b = 0; b < col.length; b++) if (col[b] !== 0) at[n++] = b;
  return at.subarray(0, n);
}

/** The replicate values a quantile sees: NaN (0/0, an empty draw) left out, ascending. */
function definedSorted(values: Float64Array): Float64Array {
  let n = 0;
  const out = new Float64Array(values.length);
  for (const v of values) if (!Number.isNaN(v)) out[n++] = v;
  return out.subarray(0, n).sort();
}

/**
 * The mean of `values` with its block-bootstrap interval (blocks from `blockOf`), NaN values left
 * out: the one-statistic case the sweep analysis uses.
 */
export function bootstrapMean(values: ArrayLike<number>, blockOf: ArrayLike<number>, options: BootstrapOptions): Estimate {
  const sums = new BlockSums(blockOf);
  sums.ratio((i) => values[i], () => 1);
  return sums.estimate(options)[0];
}
