/**
 * Intensity A and k by maximum likelihood on the children's survival (sim/fill/intensity.ts:
 * λ(δ) = A·exp(−k·δ), δ in ticks from the near touch). Needs nothing but the observed children and
 * the recorded tape — not the venue's random thresholds, which a replay under candidate parameters
 * cannot reproduce (so simulated moments do not recover A, k from a venue with its own draws).
 *
 * Each child inside the spread rests through quote intervals j = 1…, each with a known δⱼ (from
 * the quote in force, changing as the quote changes) and length dtⱼ (the first one starts when the
 * child reached the venue, its ack). The model's clock is discrete: H grows by λ(δⱼ)·dtⱼ when the
 * quote ending interval j arrives, and the child fills at that quote once H ≥ E, E ~ Exp(1). So
 *   P(survive interval j) = exp(−λ(δⱼ)·dtⱼ),   P(fill at its end) = 1 − exp(−λ(δⱼ)·dtⱼ),
 *   log L = Σ_fills log(1 − exp(−λ(δ_f)·dt_f)) − Σ_survived intervals λ(δⱼ)·dtⱼ,
 * concave in θ = (log A, k) (u = log A − k·δ + log dt is linear in θ; −eᵘ and log(1 − exp(−eᵘ))
 * are concave in u), maximized by Newton's method with step halving.
 * What is not an intensity observation (left out; each depends on the tape only, so leaving it
 * out does not bias the estimate):
 *   - intervals at or behind the touch (δ ≤ 0): the queue model decides there, the clock pauses;
 *   - an interval ending in a quote at/behind L's touch or whose far touch reaches L: a fill there
 *     may be the queue's or the shared rule's;
 *   - an interval cut short by a cancel or a print through L: the model never judged it, so the
 *     child's exposure ends at the last quote before (censored).
 * A fill stamped at a quote's time (after `fillStampLagUs`, the delay a broker adds to the venue's
 * time; within the stamps' resolution) whose interval was inside the spread is an event; any other
 * fill censors the child. Intervals: percentile bootstrap over parents.
 */
import { makeRng } from '../core/rng.ts';
import { nyDay } from '../core/calendar.ts';
import { makeTickTable, type TickTable } from '../engine/ticks.ts';
import { lowerBound, upperBound, type SymbolDay } from '../data/tape/tape.ts';
import type { TapeSource } from '../sim/backtest.ts';
import { distanceFromNearTicks, fillIntensity } from '../sim/fill/intensity.ts';
import { farTouchReaches, isFillableQuote, printGoesThrough } from '../sim/fill/model.ts';
import type { ReplayChild } from './child-replay.ts';
import { quantile } from '../core/quantile.ts';

/** One child's intensity observations: survived intervals (δ, dt s) and at most one fill interval. */
export interface ChildExposure {
  parentKey: number;
  deltas: number[];
  dtS: number[];
  /** The interval that ended in a fill (δ, dt s); null when censored. */
  fill: { delta: number; dtS: number } | null;
}

export interface ExposureOptions {
  /** Subtracted from an observed fill's stamp to get the venue's (a broker's delay); default 0. */
  fillStampLagUs?: number;
  /**
   * Resolution of the fill stamps, µs: a stamp s (after the lag) says the venue acted in
   * [s, s + resolution). Default 1 (exact µs, as a backtest writes); 1,000 for stamps truncated to
   * whole ms (a trade update's time read through a JavaScript Date).
   */
  stampResolutionUs?: number;
  ticks?: TickTable;
  parentOffset?: number;
  /** `sim.include_ineligible`: prints the venue fills against. */
  includeIneligible?: boolean;
}

/** The quote intervals of every limit child, classified as the intensity model saw them. */
export function childExposures(children: readonly ReplayChild[], tapes: TapeSource, options: ExposureOptions = {}): ChildExposure[] {
  const lagUs = options.fillStampLagUs ?? 0;
  const resolutionUs = Math.max(1, options.stampResolutionUs ?? 1);
  const ticks = options.ticks ?? makeTickTable();
  const cache = new Map<string, SymbolDay | null>();
  const available = new Set(tapes.list().map((t) => `${t.symbol}\u0000${t.day}`));
  const out: ChildExposure[] = [];
  for (const c of children) {
    if (c.isMarketStep) continue;
    const day = nyDay(c.venueArrivalUs);
    const key = `${c.symbol}\u0000${day}`;
    if (!cache.has(key)) cache.set(key, available.has(key) ? tapes.load(c.symbol, day) : null);
    const tape = cache.get(key);
    if (!tape) continue;
    const tickUnits = ticks.tickUnits(c.symbol, c.limitPrice, day);
    out.push(exposureOf(c, tape, tickUnits, lagUs, resolutionUs, options.parentOffset ?? 0, options.includeIneligible ?? false));
  }
  return out;
}

function exposureOf(c: ReplayChild, tape: SymbolDay, tickUnits: number, lagUs: number, resolutionUs: number, parentOffset: number, includeIneligible: boolean): ChildExposure {
  const q = tape.quotes;
  const isBuy = c.side === 'buy';
  const filled = !Number.isNaN(c.observedFirstFillUs);
  const venueFillUs = filled ? c.observedFirstFillUs - lagUs : Number.NaN;
  // A print through L at the fill's time filled it by the shared rule (a quote may share that µs).
  const byPrint = filled && printThroughL(tape, isBuy, c.limitPrice, venueFillUs, resolutionUs, includeIneligible);
  // The fill's window [venueFillUs, venueFillUs + resolution): the quote that filled it is in there.
  const endUs = filled ? venueFillUs + resolutionUs - 1 : c.venueCancelUs;
  const exposure: ChildExposure = { parentKey: parentOffset + c.parentIndex, deltas: [], dtS: [], fill: null };
  let j = upperBound(q.ts, c.venueArrivalUs) - 1;
  let startUs = c.venueArrivalUs;
  // Interval j runs from startUs to quote j+1; it counts only if that quote came before the end.
  while (j + 1 < q.length && q.ts[j + 1] <= endUs) {
    const nextUs = q.ts[j + 1];
    const delta = j >= 0 ? distanceFromNearTicks(isBuy, c.limitPrice, isBuy ? q.bid[j] : q.ask[j], tickUnits) : 0;
    const inside = j >= 0 && delta > 0;
    // Not the model's alone to decide: the far touch reaching L (the shared rule fills first), or
    // the child at/behind the touch at quote j+1 (the queue may fill at that same quote).
    const nextDelta = distanceFromNearTicks(isBuy, c.limitPrice, isBuy ? q.bid[j + 1] : q.ask[j + 1], tickUnits);
    const judged = inside && nextDelta > 0 && !throughL(isBuy, c.limitPrice, q.bid[j + 1], q.ask[j + 1]);
    if (filled && nextUs >= venueFillUs) {
      // Two quote times in the window: which one filled it is unknown — censored.
      const alone = j + 2 >= q.length || q.ts[j + 2] > endUs || q.ts[j + 2] === nextUs;
      if (judged && !byPrint && alone) exposure.fill = { delta, dtS: (nextUs - startUs) / 1e6 };
      break;
    }
    if (judged && nextUs > startUs) {
      exposure.deltas.push(delta);
      exposure.dtS.push((nextUs - startUs) / 1e6);
    }
    startUs = nextUs;
    j++;
  }
  return exposure;
}

/** An eligible print strictly through L (matching.ts applyTrade) in [tsUs, tsUs + resolution). */
function printThroughL(tape: SymbolDay, isBuy: boolean, limitPrice: number, tsUs: number, resolutionUs: number, includeIneligible: boolean): boolean {
  const t = tape.trades;
  for (let i = lowerBound(t.ts, tsUs); i < t.length && t.ts[i] < tsUs + resolutionUs; i++) {
    if (t.eligible[i] === 0 && !includeIneligible) continue;
    if (printGoesThrough(isBuy, limitPrice, t.price[i])) return true;
  }
  return false;
}

/** A usable quote whose far touch reaches L: the venue fills through it before the model is asked. */
function throughL(isBuy: boolean, limitPrice: number, bid: number, ask: number): boolean {
  return isFillableQuote(bid, ask) && farTouchReaches(isBuy, limitPrice, bid, ask);
}

export interface IntensityMle {
  aPerS: number;
  kPerTick: number;
  logLikelihood: number;
  /** Children with inside-spread exposure, and fills among them that were intensity events. */
  children: number;
  fills: number;
  /** False when the data cannot pin k (fewer than two distinct δ with exposure, or no fill). */
  identified: boolean;
}

/** Newton's method on θ = (log A, k); each step halved until log L does not fall. */
export function fitIntensityMle(exposures: readonly ChildExposure[]): IntensityMle {
  const used = exposures.filter((e) => e.deltas.length > 0 || e.fill !== null);
  const fills = used.filter((e) => e.fill !== null).length;
  const totalS = used.reduce((s, e) => s + e.dtS.reduce((a, b) => a + b, 0) + (e.fill?.dtS ?? 0), 0);
  const distinct = new Set(used.flatMap((e) => [...e.deltas, ...(e.fill ? [e.fill.delta] : [])])).size;
  if (fills === 0 || !(totalS > 0)) return { aPerS: 0, kPerTick: 0, logLikelihood: 0, children: used.length, fills, identified: false };
  const fitK = distinct >= 2;
  let theta = [Math.log(fills / totalS), 0];
  let current = evaluate(used, theta);
  for (let iter = 0; iter < 100; iter++) {
    const [ga, gk] = current.gradient;
    const [haa, hak, hkk] = current.hessian;
    // Newton step −H⁻¹g (H negative definite); k held at 0 when unidentified.
    let step: number[];
    if (fitK) {
      const det = haa * hkk - hak * hak;
      step = [-(hkk * ga - hak * gk) / det, -(haa * gk - hak * ga) / det];
    } else step = [-ga / haa, 0];
    let scale = 1;
    let next = evaluate(used, [theta[0] + step[0], theta[1] + step[1]]);
    while (!(next.logL >= current.logL - 1e-12) && scale > 1e-9) {
      scale /= 2;
      next = evaluate(used, [theta[0] + scale * step[0], theta[1] + scale * step[1]]);
    }
    if (!(next.logL >= current.logL - 1e-12) || !Number.isFinite(step[0] + step[1])) break; // at the top within rounding
    theta = [theta[0] + scale * step[0], theta[1] + scale * step[1]];
    current = next;
    if (Math.abs(scale * step[0]) + Math.abs(scale * step[1]) < 1e-10) break;
  }
  return { aPerS: Math.exp(theta[0]), kPerTick: theta[1], logLikelihood: current.logL, children: used.length, fills, identified: fitK };
}

/**
 * log L, its gradient and Hessian in θ. With u = log A − k·δ + log dt, x = eᵘ:
 *   survived: −x; d/du = −x, d²/du² = −x
 *   fill:     log(1 − e⁻ˣ); d/du = x / (eˣ − 1), d²/du² = x·(eˣ − 1 − x·eˣ) / (eˣ − 1)²
 * and ∂u/∂(log A) = 1, ∂u/∂k = −δ.
 */
function evaluate(exposures: readonly ChildExposure[], theta: readonly number[]): { logL: number; gradient: number[]; hessian: number[] } {
  const aPerS = Math.exp(theta[0]);
  let logL = 0;
  let ga = 0;
  let gk = 0;
  let haa = 0;
  let hak = 0;
  let hkk = 0;
  const add = (delta: number, d1: number, d2: number) => {
    ga += d1;
    gk -= delta * d1;
    haa += d2;
    hak -= delta * d2;
    hkk += delta * delta * d2;
  };
  for (const e of exposures) {
    for (let i = 0; i < e.deltas.length; i++) {
      const x = fillIntensity(aPerS, theta[1], e.deltas[i]) * e.dtS[i];
      logL -= x;
      add(e.deltas[i], -x, -x);
    }
    if (e.fill) {
      const x = fillIntensity(aPerS, theta[1], e.fill.delta) * e.fill.dtS;
      const em1 = Math.expm1(x);
      logL += Math.log(-Math.expm1(-x));
      const d1 = x > 1e-12 ? x / em1 : 1;
      // x²·eˣ/(eˣ − 1)² written as d1·x·(1 + 1/(eˣ − 1)): no overflow for a large x
      const d2 = x > 1e-8 ? d1 * (1 - x * (1 + 1 / em1)) : -x / 2;
      add(e.fill.delta, d1, d2);
    }
  }
  return { logL, gradient: [ga, gk], hessian: [haa, hak, hkk] };
}

export interface IntensityEstimate extends IntensityMle {
  aLo: number;
  aHi: number;
  kLo: number;
  kHi: number;
}

/** The MLE with percentile bootstrap intervals over parents (a parent's children resampled together). */
export function estimateIntensity(exposures: readonly ChildExposure[], replicates: number, seed: number | string): IntensityEstimate {
  const point = fitIntensityMle(exposures);
  const byParent = new Map<number, ChildExposure[]>();
  for (const e of exposures) byParent.set(e.parentKey, [...(byParent.get(e.parentKey) ?? []), e]);
  const groups = [...byParent.values()];
  const rng = makeRng(seed, 'calibrate:intensity');
  const as: number[] = [];
  const ks: number[] = [];
  for (let b = 0; b < replicates && groups.length > 0; b++) {
    const drawn: ChildExposure[] = [];
    for (let i = 0; i < groups.length; i++) drawn.push(...groups[Math.floor(rng() * groups.length)]);
    const f = fitIntensityMle(drawn);
    if (f.fills > 0) {
      as.push(f.aPerS);
      ks.push(f.kPerTick);
    }
  }
  return { ...point, aLo: quantile(as, 0.025), aHi: quantile(as, 0.975), kLo: quantile(ks, 0.025), kHi: quantile(ks, 0.975) };
}
