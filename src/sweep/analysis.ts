/**
 * Sweep analysis: per cell, the headline metrics, the paired difference from the baseline cell
 * with a block-bootstrap interval, an out-of-sample rank and the Pareto front.
 *
 * Paired difference (common random numbers: the same parents in every cell):
 *   d_i = shortfall_i(cell) − shortfall_i(baseline)   [bps; negative = the cell is cheaper]
 * over parents where both are known. Its mean gets a 95 % interval from a block bootstrap by
 * arrival minute (src/reports/bootstrap.ts, from per-block sums).
 *
 * Every cell's bootstrap uses the SAME resamples (one stream, SWEEP_BOOTSTRAP_LABEL), as White's
 * Reality Check and Hansen's SPA test resample all models with common draws: two cells' intervals
 * then differ by what the cells did on the same hypothetical days, not by resampling noise, and
 * the draws are made once per worker instead of once per cell (they were 40 % of a cell's time).
 *
 * No in-sample winner: cells are RANKED on even-numbered parents (index 0, 2, 4, … in arrival
 * order) and every figure reported beside the rank comes from the odd-numbered parents, which
 * the ranking never saw.
 */
import { quantile } from '../core/quantile.ts';
import { bootstrapMean } from '../reports/bootstrap.ts';
import { vsBaselineBps } from '../reports/metrics.ts';
import type { CellOutcome } from './protocol.ts';
import { paretoFront } from './pareto.ts';
import type { SideFigures, SweepRow } from '../records/sweep-results.ts';
import type { Side } from '../engine/types.ts';

export type { SweepRow };

/** The bootstrap stream every cell's paired-difference interval draws from (see the header). */
export const SWEEP_BOOTSTRAP_LABEL = 'sweep/paired-diff';

export interface AnalysisOptions {
  seed: string | number;
  replicates: number;
  /** Arrival minute (epoch minutes) of each parent, aligned with the outcomes. */
  arrivalMinute: Float64Array;
  /** Each parent's side, aligned with the outcomes (the per-side figures; NaN without it). */
  sides?: readonly Side[];
}

/**
 * One cell's row (rank 0, pareto false until rankCells sees every row). Pure: the same cell,
 * baseline and options give the same row in any worker, in any order.
 */
export function analyzeCell(
  cell: CellOutcome,
  assignments: Record<string, string | number | boolean>,
  baseline: CellOutcome,
  options: AnalysisOptions,
  /** The cell's progressive_steps S: a fill step of S is the market step (market-step shares NaN without it). */
  progressiveSteps?: number,
): SweepRow {
  const n = cell.filledQty.length;
  const all = indices(n, () => true);
  const odd = indices(n, (i) => i % 2 === 1);
  const even = indices(n, (i) => i % 2 === 0);
  const ttfOddS = pick(cell.timeToFillMs, odd).map((ms) => ms / 1000);
  const ttfS = pick(cell.timeToFillMs, all).map((ms) => ms / 1000);
  const diffOdd = pairedDiff(cell, baseline, odd, options, SWEEP_BOOTSTRAP_LABEL);
  return {
    index: cell.index,
    id: cell.id,
    assignments,
    parents: n,
    fillRate: all.filter((i) => cell.filledQty[i] > 0).length / Math.max(1, n),
    shortfallBps: mean(pick(cell.shortfallBps, all)),
    vsFarTouchBps: mean(pick(cell.vsFarTouchBps, all)),
    medianTimeToFillS: quantile(ttfS, 0.5),
    p90TimeToFillS: quantile(ttfS, 0.9),
    diffEvenBps: mean(pairedDiffs(cell, baseline, even)),
    diffOddBps: diffOdd.mean,
    diffOddLoBps: diffOdd.lo,
    diffOddHiBps: diffOdd.hi,
    shortfallOddBps: mean(pick(cell.shortfallBps, odd)),
    medianTimeToFillOddS: quantile(ttfOddS, 0.5),
    rank: 0,
    pareto: false,
    marketStepShare: marketStepShare(cell, all, progressiveSteps),
    bySide: { buy: sideFigures(cell, baseline, 'buy', options, progressiveSteps), sell: sideFigures(cell, baseline, 'sell', options, progressiveSteps) },
  };
}

/** Completely filled parents (fill step ≥ 0) of `subset` whose last fill was the market step S, as a share of them. */
function marketStepShare(cell: CellOutcome, subset: number[], progressiveSteps: number | undefined): number {
  if (progressiveSteps === undefined) return NaN;
  let filled = 0;
  let market = 0;
  for (const i of subset) {
    if (cell.fillStep[i] < 0) continue;
    filled++;
    if (cell.fillStep[i] === progressiveSteps) market++;
  }
  return filled ? market / filled : NaN;
}

/** One side's point figures: as the cell's row, over that side's parents only (odd ones for Δ and shortfall). */
function sideFigures(cell: CellOutcome, baseline: CellOutcome, side: Side, options: AnalysisOptions, progressiveSteps: number | undefined): SideFigures {
  const sides = options.sides;
  if (!sides) return { diffOddBps: NaN, shortfallOddBps: NaN, p90TimeToFillS: NaN, fillRate: NaN, marketStepShare: NaN };
  const n = cell.filledQty.length;
  const all = indices(n, (i) => sides[i] === side);
  const odd = all.filter((i) => i % 2 === 1);
  return {
    diffOddBps: mean(pairedDiffs(cell, baseline, odd)),
    shortfallOddBps: mean(pick(cell.shortfallBps, odd)),
    p90TimeToFillS: quantile(pick(cell.timeToFillMs, all).map((ms) => ms / 1000), 0.9),
    fillRate: all.length ? all.filter((i) => cell.filledQty[i] > 0).length / all.length : NaN,
    marketStepShare: marketStepShare(cell, all, progressiveSteps),
  };
}

/** Rank (on the even parents) and mark the Pareto front, in place; rows in cell order. */
export function rankCells(rows: SweepRow[]): SweepRow[] {
  const ranked = [...rows].sort((a, b) => nanLast(a.diffEvenBps, b.diffEvenBps) || a.index - b.index);
  ranked.forEach((row, i) => (row.rank = i + 1));
  const front = paretoFront(rows.map((r) => ({ x: r.medianTimeToFillOddS, y: r.shortfallOddBps })));
  rows.forEach((row, i) => (row.pareto = front[i]));
  return rows;
}

/** Every cell's row, ranked: analyzeCell on each, then rankCells (the workers split the first part). */
export function analyzeSweep(
  cells: readonly CellOutcome[],
  assignments: readonly Record<string, string | number | boolean>[],
  baseline: CellOutcome,
  options: AnalysisOptions,
  progressiveSteps?: number,
): SweepRow[] {
  return rankCells(cells.map((cell, k) => analyzeCell(cell, assignments[k], baseline, options, progressiveSteps)));
}

function pairedDiff(cell: CellOutcome, baseline: CellOutcome, subset: number[], options: AnalysisOptions, label: string) {
  const diffs = pairedDiffs(cell, baseline, subset);
  const minute = new Float64Array(subset.length);
  const d = new Float64Array(subset.length);
  let n = 0;
  subset.forEach((i, k) => {
    if (!Number.isFinite(diffs[k])) return;
    minute[n] = options.arrivalMinute[i];
    d[n++] = diffs[k];
  });
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN };
  const e = bootstrapMean(d.subarray(0, n), minute.subarray(0, n), { replicates: options.replicates, seed: options.seed, label });
  return { mean: e.value, lo: e.lo, hi: e.hi };
}

/** The paired differences of `subset` (NaN where a side is unknown: mean leaves them out). */
function pairedDiffs(cell: CellOutcome, baseline: CellOutcome, subset: readonly number[]): Float64Array {
  return Float64Array.from(subset, (i) => vsBaselineBps(cell.shortfallBps[i], baseline.shortfallBps[i]));
}

function indices(n: number, keep: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) out.push(i);
  return out;
}

/**
 * The finite values of `subset`. Typed arrays here and in pairedDiff(s): a JS array of numbers
 * changes its element kind with its values (small integers, then doubles), and each new kind
 * deoptimized mean once more in every sweep worker.
 */
function pick(values: Float64Array, subset: readonly number[]): Float64Array {
  const out = new Float64Array(subset.length);
  let n = 0;
  for (const i of subset) if (Number.isFinite(values[i])) out[n++] = values[i];
  return out.subarray(0, n);
}

function mean(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n ? sum / n : NaN;
}

function nanLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}
