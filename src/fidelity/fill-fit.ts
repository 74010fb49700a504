/**
 * The fill model's parameters by simulated moments, with the simulator itself: the observed
 * children are replayed at the venue (child-replay.ts) under candidate parameters, and each
 * candidate is scored by how many children it reproduces (childScore: same first fill time, same
 * quantity). The estimate maximizes the score over the fit half's children.
 *
 * Why not a survival likelihood: the queue model is deterministic (its fills are a step function of
 * queue_power: the likelihood is 0 or 1), and its rules — shared displayed size, locked quotes, the
 * expected-share carry inside the spread — live in the simulator; a likelihood written beside it
 * would be a second copy of those rules. Replaying with the simulator keeps one owner per rule, and
 * it is exact: at the true parameters every child replays as observed.
 *
 * Search per parameter (others held at their current estimate): a coarse grid, then a fine grid
 * around the best; the estimate is the middle of the best-scoring run of grid points (a plateau:
 * the data cannot tell those values apart). Order: queue_power, p_touch, queue_power again.
 * Intensity A and k are NOT fitted this way: the venue's fills come from its own random thresholds,
 * which a replay cannot reproduce; they come from the survival likelihood (intensity-fit.ts).
 * Intervals: percentile bootstrap over parents — the per-child scores of every grid point are kept,
 * so a replicate only re-sums them (no re-simulation).
 */
import { makeRng } from '../core/rng.ts';
import type { SimConfig } from '../sim/config.ts';
import type { TapeSource } from '../sim/backtest.ts';
import { childScore, replayChildren, type ReplayChild } from './child-replay.ts';
import { quantile } from '../core/quantile.ts';
import { estimateIntensity, type ChildExposure } from './intensity-fit.ts';

export interface ParameterFit {
  name: 'queue_power' | 'p_touch' | 'a_per_s' | 'k_per_tick';
  value: number;
  lo: number;
  hi: number;
  /** Children scored (fit half) and the best score's share of them. */
  children: number;
  bestShare: number;
  /** False when every value tried scores the same: the data holds nothing this parameter changes. */
  identified: boolean;
  /** Every grid point tried, with its share of the best possible score (for the report). */
  profile: { value: number; share: number }[];
}

/** One run's children, replayed on its own tape with its own seed. */
export interface ReplaySet {
  seed: number | string;
  tapes: TapeSource;
  /** Every child (both halves) is replayed; only these indices are scored. */
  children: readonly ReplayChild[];
  scored: readonly number[];
  /** Added to parentIndex so parents of different runs stay apart in the bootstrap. */
  parentOffset: number;
}

export interface FillFitOptions {
  sim: SimConfig;
  sets: readonly ReplaySet[];
  /** A replayed fill matches an observed one within this many µs (childScore). */
  matchToleranceUs: number;
  replicates: number;
  /** Seed of the bootstrap draws. */
  seed: number | string;
  onStep?: (done: number, total: number, stage: string) => void;
}

const POWER_COARSE = logGrid(0.25, 12, 24);
const PTOUCH_COARSE = linGrid(0.02, 1, 25);

type GridParameter = 'queue_power' | 'p_touch';
const GRIDS: Record<GridParameter, { coarse: number[]; bounds: [number, number] }> = {
  queue_power: { coarse: POWER_COARSE, bounds: [1e-3, Infinity] },
  p_touch: { coarse: PTOUCH_COARSE, bounds: [0, 1] },
};
/** Points of the fine grid laid between the best coarse point's neighbours. */
const FINE_POINTS = 17;

function logGrid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
}

function linGrid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

type Setter = (sim: SimConfig, value: number) => SimConfig;
const SETTERS: Record<GridParameter, Setter> = {
  queue_power: (sim, v) => ({ ...sim, fill_model: 'queue', queue_prob: 'power', queue_power: v }),
  p_touch: (sim, v) => ({ ...sim, fill_model: 'queue', p_touch: v }),
};

/** Scores of every scored child (all sets, in order) under one sim config. */
function scoreAll(sets: readonly ReplaySet[], sim: SimConfig, toleranceUs: number): Float64Array {
  const out: number[] = [];
  for (const set of sets) {
    const outcome = replayChildren(set.children, sim, set.seed, set.tapes);
    for (const i of set.scored) out.push(childScore(set.children[i], outcome, i, toleranceUs));
  }
  return Float64Array.from(out);
}

/** Per-child scores for each grid value: scores[g][k] for scored child k. */
function scoreGrid(options: FillFitOptions, name: GridParameter, sim: SimConfig, grid: readonly number[], tick: () => void): Float64Array[] {
  return grid.map((value) => {
    const scores = scoreAll(options.sets, SETTERS[name](sim, value), options.matchToleranceUs);
    tick();
    return scores;
  });
}

/** The middle of the longest run of grid points at the best total. */
function plateauMiddle(grid: readonly number[], totals: readonly number[]): number {
  const best = Math.max(...totals);
  const tolerance = 1e-9 * Math.max(1, Math.abs(best));
  let bestStart = 0;
  let bestLength = 0;
  for (let i = 0; i < totals.length; ) {
    if (totals[i] < best - tolerance) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < totals.length && totals[j + 1] >= best - tolerance) j++;
    if (j - i + 1 > bestLength) {
      bestStart = i;
      bestLength = j - i + 1;
    }
    i = j + 1;
  }
  const a = grid[bestStart];
  const b = grid[bestStart + bestLength - 1];
  return (a + b) / 2;
}

function fineGrid(coarse: readonly number[], best: number, n: number, bounds: [number, number]): number[] {
  const at = coarse.findIndex((v) => v >= best - 1e-12);
  const lo = Math.max(bounds[0], coarse[Math.max(0, (at < 0 ? coarse.length - 1 : at) - 1)]);
  const hi = Math.min(bounds[1], coarse[Math.min(coarse.length - 1, (at < 0 ? coarse.length - 1 : at) + 1)]);
  return linGrid(lo, hi, n);
}

export function fitParameter(options: FillFitOptions, name: GridParameter, sim: SimConfig, tick: () => void): ParameterFit {
  const { coarse, bounds } = GRIDS[name];
  const coarseScores = scoreGrid(options, name, sim, coarse, tick);
  const coarseBest = plateauMiddle(coarse, coarseScores.map(sum));
  const fine = fineGrid(coarse, coarseBest, FINE_POINTS, bounds);
  const fineScores = scoreGrid(options, name, sim, fine, tick);
  const grid = [...coarse, ...fine];
  const scores = [...coarseScores, ...fineScores];
  const order = grid.map((v, g) => ({ v, g })).sort((a, b) => a.v - b.v);
  const sortedGrid = order.map((o) => o.v);
  const sortedScores = order.map((o) => scores[o.g]);
  const value = plateauMiddle(sortedGrid, sortedScores.map(sum));
  const n = scores[0]?.length ?? 0;
  // Bootstrap over parents: resample parents, re-sum the kept per-child scores.
  const parentOf = options.sets.flatMap((set) => set.scored.map((i) => set.parentOffset + set.children[i].parentIndex));
  const parents = [...new Set(parentOf)];
  const rows = new Map<number, number[]>();
  parentOf.forEach((p, k) => rows.set(p, [...(rows.get(p) ?? []), k]));
  const rng = makeRng(options.seed, `calibrate:${name}`);
  const draws: number[] = [];
  for (let b = 0; b < options.replicates && parents.length > 0; b++) {
    const weight = new Float64Array(n);
    for (let i = 0; i < parents.length; i++) for (const k of rows.get(parents[Math.floor(rng() * parents.length)])!) weight[k] += 1;
    draws.push(plateauMiddle(sortedGrid, sortedScores.map((s) => weightedSum(s, weight))));
  }
  const totals = sortedScores.map(sum);
  const best = Math.max(...totals);
  // The grid cannot tell apart values closer than its spacing: the interval is never narrower.
  const halfStep = gridHalfStep(sortedGrid, value);
  return {
    identified: best - Math.min(...totals) > 1e-9,
    name,
    value,
    lo: Math.max(bounds[0], Math.min(quantile(draws, 0.025), value - halfStep)),
    hi: Math.min(bounds[1], Math.max(quantile(draws, 0.975), value + halfStep)),
    children: n,
    bestShare: n > 0 ? best / n : Number.NaN,
    profile: sortedGrid.map((v, i) => ({ value: v, share: n > 0 ? sum(sortedScores[i]) / n : Number.NaN })),
  };
}

export interface IntensityFit {
  aPerS: ParameterFit;
  kPerTick: ParameterFit;
}

export interface FillModelFit {
  queuePower: ParameterFit;
  pTouch: ParameterFit;
  /** The queue model's cancellation rule that reproduces more children (log only when strictly better). */
  queueProb: 'power' | 'log';
  /** Intensity A and k, fitted when asked (the data has inside-spread children); null otherwise. */
  intensity: IntensityFit | null;
  /** The model written to the output: intensity only when it reproduces strictly more children than the queue. */
  fillModel: 'queue' | 'intensity';
  /** Share of the fit half's children each model reproduces at the fitted parameters (queue power first). */
  modelShares: { model: string; share: number }[];
}

/** Replays one fit would make (for a progress bar). */
export function fillFitSteps(withIntensity = false): number {
  const queue = 2 * (POWER_COARSE.length + FINE_POINTS) + PTOUCH_COARSE.length + FINE_POINTS + 4;
  return withIntensity ? queue + 1 : queue;
}

/**
 * queue_power under the power rule, p_touch, queue_power again; then the log rule (no parameter)
 * and the other models are scored at the fitted values for comparison. With `fitIntensity`, the
 * intensity model's A, k next (A, k, A again — at or behind the touch it is the fitted queue).
 */
export function fitFillModel(options: FillFitOptions & { intensityExposures?: readonly ChildExposure[] }): FillModelFit {
  const total = fillFitSteps(options.intensityExposures !== undefined);
  let done = 0;
  const tick = () => options.onStep?.(++done, total, 'fill model');
  let sim: SimConfig = { ...options.sim, fill_model: 'queue', queue_prob: 'power' };
  const power1 = fitParameter(options, 'queue_power', sim, tick);
  sim = { ...sim, queue_power: power1.value };
  const pTouch = fitParameter(options, 'p_touch', sim, tick);
  sim = { ...sim, p_touch: pTouch.value };
  const queuePower = fitParameter(options, 'queue_power', sim, tick);
  sim = { ...sim, queue_power: queuePower.value };
  const share = (config: SimConfig) => {
    const scores = scoreAll(options.sets, config, options.matchToleranceUs);
    tick();
    return scores.length > 0 ? sum(scores) / scores.length : Number.NaN;
  };
  const modelShares = [
    { model: 'queue (power)', share: share(sim) },
    { model: 'queue (log)', share: share({ ...sim, queue_prob: 'log' }) },
    { model: 'touch', share: share({ ...sim, fill_model: 'touch' }) },
    { model: 'through', share: share({ ...sim, fill_model: 'through' }) },
  ];
  const queueProb = modelShares[1].share > modelShares[0].share + 1e-9 ? 'log' : 'power';
  let intensity: IntensityFit | null = null;
  let fillModel: FillModelFit['fillModel'] = 'queue';
  if (options.intensityExposures) {
    const queueSim: SimConfig = { ...sim, queue_prob: queueProb };
    intensity = intensityFit(options.intensityExposures, options.replicates, options.seed);
    const fitted: SimConfig = { ...queueSim, fill_model: 'intensity', intensity: { a_per_s: intensity.aPerS.value, k_per_tick: intensity.kPerTick.value } };
    const intensityShare = share(fitted);
    modelShares.push({ model: 'intensity', share: intensityShare });
    if (intensityShare > Math.max(modelShares[0].share, modelShares[1].share) + 1e-9) fillModel = 'intensity';
  }
  return { queuePower, pTouch, queueProb, intensity, fillModel, modelShares };
}

/** A and k by the survival likelihood (intensity-fit.ts), in the report's parameter shape. */
function intensityFit(exposures: readonly ChildExposure[], replicates: number, seed: number | string): IntensityFit {
  const e = estimateIntensity(exposures, replicates, seed);
  const share = e.children > 0 ? e.fills / e.children : Number.NaN;
  const fit = (name: 'a_per_s' | 'k_per_tick', value: number, lo: number, hi: number): ParameterFit => ({
    name,
    value,
    lo,
    hi,
    children: e.children,
    bestShare: share,
    identified: e.fills > 0 && (name === 'a_per_s' || e.identified),
    profile: [],
  });
  return { aPerS: fit('a_per_s', e.aPerS, e.aLo, e.aHi), kPerTick: fit('k_per_tick', e.kPerTick, e.kLo, e.kHi) };
}

/** Half the distance between the grid points either side of `value` (sorted grid). */
function gridHalfStep(grid: readonly number[], value: number): number {
  const below = grid.filter((v) => v < value - 1e-12);
  const above = grid.filter((v) => v > value + 1e-12);
  const lo = below.length > 0 ? below[below.length - 1] : value;
  const hi = above.length > 0 ? above[0] : value;
  return (hi - lo) / 4;
}

function sum(xs: Float64Array): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

function weightedSum(xs: Float64Array, w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] * w[i];
  return s;
}
