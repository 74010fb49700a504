/**
 * Fit a SampleModel (model.ts) to one real symbol-day: count each event type per spread state
 * and divide by the state's exposure (maximum-likelihood intensity of a Poisson process whose
 * rate is λ[s]·u(t)):
 *
 *   λ_kind[s] = N_kind[s] / Σ_{time in spread s} u_kind(t)·dt
 *
 * with u the intraday profile (events per bucket over the session mean). Events on one side have
 * two factors, λ[s]·θ[q] with q the side's queue bucket; their maximum-likelihood estimate solves
 *   λ[s] = Σ_q N[s,q] / Σ_q E[s,q]·θ[q],   θ[q] = Σ_s N[s,q] / Σ_s E[s,q]·λ[s]
 * (E the side's profile-weighted exposure), found by alternating the two updates (iterative
 * proportional fitting); θ is scaled to an exposure-weighted mean of 1. Events are read off the
 * rebuilt NBBO as the generator would have made them:
 *  - lit prints at or outside the touch, grouped by timestamp and side, are market orders; a
 *    print's side is the touch nearer its price (prevailing quote: the last row stamped before it);
 *  - lit prints strictly inside the spread are hidden prints; exchange D prints are off-exchange;
 *  - per side, a quote row's change is an improvement (better price), a worsening (gap in ticks),
 *    an add (size up) or a cancel (size down). A size change within FOLLOW_WINDOW_US after a
 *    market order on that side at that price is the order's own and is not counted again;
 *  - a cancel can only happen to a side showing more than a lot, so its exposure is the time
 *    each side showed more than a lot (and the generator cancels only such sides);
 *  - a worsening within FOLLOW_WINDOW_US after a market order on that side at that price is that
 *    order's clearing (each order clears at most once, so two orders a few ms apart that emptied
 *    one level count one clearing); clearAfterOrder[s] = cleared orders / orders in state s.
 *  - an order that took (nearly) all the displayed size without clearing the level leaves what
 *    the level shows FOLLOW_WINDOW_US later: refreshSize.
 *  - after a side falls back (alone), the first price change within REACTION_WINDOW_US, if it is
 *    one side improving, is a reaction: the opposite side following (momentum) or the same side
 *    refilling; an opposite improvement in the very row is a same-row reaction. Their shares of
 *    all fall-backs and the delays give `reaction`; reactions are not counted as improvements.
 * Locked and crossed quotes carry no state (no exposure, no events counted from them).
 */
import { exchangeLetter } from '../tape/exchanges.ts';
import type { SymbolDay } from '../tape/tape.ts';
import { makeFitContext, type FitContext } from './fit-context.ts';
import { countQuoteChanges, findReactions, readPrints, refreshSizes } from './fit-events.ts';
import { sampleModelSchema, type Histogram, type SampleModel } from './model.ts';
import type { SessionWindow } from './stats.ts';

export { REACTION_WINDOW_US } from './fit-events.ts';

export interface FitOptions {
  /** Tick in dollars (0.01 for names at or above $1). */
  tickDollars: number;
  lotShares?: number;
  profileBucketMinutes?: number;
  /** Upper bounds (shares) of the queue buckets but the last; default one lot and three lots. */
  queueBucketMaxShares?: number[];
  /** Spread states beyond this pool into one row; also capped so the pooled row has ≥ 120 s. */
  maxSpreadTicksCap?: number;
  description?: string;
}

/** Counts keyed by value → a histogram sorted by value. */
function toHistogram(counts: Map<number, number>): Histogram {
  const values = [...counts.keys()].sort((a, b) => a - b);
  return { values, weights: values.map((v) => counts.get(v)!) };
}

/** Round to 6 significant digits so the committed JSON stays readable and stable. */
function tidy(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(6));
}

/**
 * Two-factor Poisson rates λ[s]·θ[q] from counts N and exposures E (flattened [s·B + q], s ≥ 1),
 * by alternating the maximum-likelihood updates (see the module comment).
 */
export function fitTwoFactorRates(N: Float64Array, E: Float64Array, states: number, buckets: number): { perSecBySpread: number[]; factorByQueue: number[] } {
  const lambda = new Float64Array(states + 1);
  const theta = new Float64Array(buckets).fill(1);
  for (let round = 0; round < 200; round++) {
    for (let s = 1; s <= states; s++) {
      let n = 0, e = 0;
      for (let q = 0; q < buckets; q++) {
        n += N[s * buckets + q];
        e += E[s * buckets + q] * theta[q];
      }
      lambda[s] = e > 0 ? n / e : 0;
    }
    let moved = 0;
    for (let q = 0; q < buckets; q++) {
      let n = 0, e = 0;
      for (let s = 1; s <= states; s++) {
        n += N[s * buckets + q];
        e += E[s * buckets + q] * lambda[s];
      }
      const next = e > 0 ? n / e : 0;
      moved = Math.max(moved, Math.abs(next - theta[q]));
      theta[q] = next;
    }
    if (moved < 1e-10) break;
  }
  // Scale θ to an exposure-weighted mean of 1 (λ absorbs the scale): λ reads as a typical rate.
  let weighted = 0, exposure = 0;
  for (let q = 0; q < buckets; q++) {
    let e = 0;
    for (let s = 1; s <= states; s++) e += E[s * buckets + q];
    weighted += theta[q] * e;
    exposure += e;
  }
  const scale = exposure > 0 && weighted > 0 ? weighted / exposure : 1;
  return {
    perSecBySpread: Array.from(lambda, (l, s) => (s === 0 ? 0 : tidy(l * scale))),
    factorByQueue: Array.from(theta, (th) => tidy(th / scale)),
  };
}

/**
 * Intraday profiles: prints, and quote events that are not an order's consequence (those follow
 * the trade profile), per bucket over the session mean.
 */
function intradayProfiles(ctx: FitContext, quoteBuckets: Float64Array): { tradeProfile: number[]; quoteProfile: number[] } {
  const { t, w, bucketUs } = ctx;
  const tradeBuckets = new Float64Array(ctx.buckets);
  for (let i = 0; i < t.length; i++) if (t.ts[i] >= w.openUs && t.ts[i] < w.closeUs) tradeBuckets[ctx.bucketOf(t.ts[i])]++;
  const bucketLenUs = (b: number) => Math.min(w.closeUs, w.openUs + (b + 1) * bucketUs) - (w.openUs + b * bucketUs);
  const profile = (counts: Float64Array) => {
    let total = 0;
    for (const c of counts) total += c;
    const perUs = total / (w.closeUs - w.openUs);
    return Array.from(counts, (c, b) => c / (perUs * bucketLenUs(b)));
  };
  return { tradeProfile: profile(tradeBuckets), quoteProfile: profile(quoteBuckets) };
}

interface Exposures {
  /** Trade profile, whole book, per state. */
  exposureT: Float64Array;
  /** Quote profile, whole book, per state. */
  exposureQ: Float64Array;
  /** Per side and (state, queue bucket). */
  sideExposureT: Float64Array;
  sideExposureQ: Float64Array;
  /** Cancels need more than a lot displayed (less would be a pull). */
  sideExposureCancel: Float64Array;
}

/** Profile-weighted seconds spent in each spread state (and, per side, queue bucket). */
function exposures(ctx: FitContext, tradeProfile: number[], quoteProfile: number[]): Exposures {
  const { q, w, S, B, bucketUs } = ctx;
  const e: Exposures = {
    exposureT: new Float64Array(S + 1), exposureQ: new Float64Array(S + 1),
    sideExposureT: new Float64Array((S + 1) * B), sideExposureQ: new Float64Array((S + 1) * B), sideExposureCancel: new Float64Array((S + 1) * B),
  };
  for (let i = ctx.qFirst; i < ctx.qEnd; i++) {
    const s = ctx.spreadTicksAt(i);
    if (s < 1) continue;
    const st = ctx.stateOf(s);
    let from = Math.max(q.ts[i], w.openUs);
    const to = Math.min(i + 1 < q.length ? q.ts[i + 1] : w.closeUs, w.closeUs);
    while (from < to) {
      const b = ctx.bucketOf(from);
      const edge = Math.min(to, w.openUs + (b + 1) * bucketUs);
      const sec = (edge - from) / 1e6;
      e.exposureT[st] += tradeProfile[b] * sec;
      e.exposureQ[st] += quoteProfile[b] * sec;
      for (let side = 0; side < 2; side++) {
        const size = ctx.sizeAt(i, side);
        const k = st * B + ctx.queueBucket(size);
        e.sideExposureT[k] += tradeProfile[b] * sec;
        e.sideExposureQ[k] += quoteProfile[b] * sec;
        if (size > ctx.lot) e.sideExposureCancel[k] += quoteProfile[b] * sec;
      }
      from = edge;
    }
  }
  return e;
}

export function fitSampleModel(day: SymbolDay, w: SessionWindow, opts: FitOptions): SampleModel {
  const ctx = makeFitContext(day, w, opts);
  const { q, t, S, B } = ctx;
  const prints = readPrints(ctx);
  const { mo } = prints;
  const refreshSize = refreshSizes(ctx, mo);
  const r = findReactions(ctx);
  const c = countQuoteChanges(ctx, mo, r.reactionSide);
  const { tradeProfile, quoteProfile } = intradayProfiles(ctx, c.quoteBuckets);
  const e = exposures(ctx, tradeProfile, quoteProfile);

  const ordersByQueue = new Float64Array(B);
  const clearedByQueue = new Float64Array(B);
  for (let m = 0; m < mo.ts.length; m++) {
    ordersByQueue[mo.queue[m]]++;
    clearedByQueue[mo.queue[m]] += c.orderCleared[m];
  }
  const perSide = (n: Float64Array, exposure: Float64Array) => Array.from(n, (x, s) => (s === 0 || exposure[s] === 0 ? 0 : tidy(x / 2 / exposure[s])));
  const bothSides = (n: Float64Array, exposure: Float64Array) => Array.from(n, (x, s) => (s === 0 || exposure[s] === 0 ? 0 : tidy(x / exposure[s])));
  const share = (n: number) => tidy(r.fallBacks > 0 ? n / r.fallBacks : 0);
  const exchangeHistogram = toHistogram(prints.litExchange);
  const firstMid = (q.bid[ctx.qFirst] + q.ask[ctx.qFirst]) / 2;

  // Parsed by the schema: validated, and keys in the schema's order (a stable committed file).
  return sampleModelSchema.parse({
    description:
      opts.description ??
      `fitted by sample:fit to ${day.symbol} ${day.day}, regular session (${mo.ts.length} market orders, ${t.length} prints and ${q.length} quote rows read)`,
    startMidDollars: Math.round(firstMid * 100) / 100,
    lotShares: ctx.lot,
    maxSpreadTicks: S,
    profileBucketMinutes: ctx.bucketMin,
    tradeProfile: tradeProfile.map(tidy),
    quoteProfile: quoteProfile.map(tidy),
    queueBucketMaxShares: ctx.bounds,
    marketOrders: fitTwoFactorRates(prints.marketOrders, e.sideExposureT, S, B),
    adds: fitTwoFactorRates(c.adds, e.sideExposureQ, S, B),
    cancels: fitTwoFactorRates(c.cancels, e.sideExposureCancel, S, B),
    pulls: fitTwoFactorRates(c.pulls, e.sideExposureQ, S, B),
    improvesPerSec: perSide(c.improves, e.exposureQ),
    offExchangeTouchPerSec: bothSides(prints.offTouch, e.exposureT),
    offExchangeInsidePerSec: bothSides(prints.offInside, e.exposureT),
    hiddenInsidePerSec: bothSides(prints.hidden, e.exposureT),
    improveToSpread: c.improveTo.map((m, s) => (s < 2 || m.size === 0 ? null : toHistogram(m))),
    clearGapTicks: toHistogram(c.gap),
    printsPerMarketOrder: toHistogram(prints.printsPerOrder),
    printSize: toHistogram(prints.printSize),
    levelSize: toHistogram(c.levelSize),
    refreshSize: toHistogram(refreshSize),
    addSize: toHistogram(c.addSize),
    cancelSize: toHistogram(c.cancelSize),
    reaction: {
      sameRow: share(r.sameRow),
      oppositeSide: share(r.opposite),
      sameSide: share(r.sameSide),
      delayMs: r.reactionDelayMs.size > 0 ? toHistogram(r.reactionDelayMs) : { values: [0], weights: [1] },
    },
    clearAfterOrder: Array.from(clearedByQueue, (n, b) => (ordersByQueue[b] > 0 ? tidy(n / ordersByQueue[b]) : 0)),
    litExchanges: { values: exchangeHistogram.values.map(exchangeLetter), weights: exchangeHistogram.weights },
  });
}
