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
import { exchangeLetter, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import type { SymbolDay } from '../tape/tape.ts';
import { sampleModelSchema, type Histogram, type SampleModel } from './model.ts';
import { FOLLOW_WINDOW_US, type SessionWindow } from './stats.ts';

/** How soon after a side falls back an improvement still counts as the market's reaction to it. */
export const REACTION_WINDOW_US = 50_000;

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

function bump(m: Map<number, number>, key: number, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
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

export function fitSampleModel(day: SymbolDay, w: SessionWindow, opts: FitOptions): SampleModel {
  const q = day.quotes;
  const t = day.trades;
  const tickUnits = Math.round(opts.tickDollars * 10_000);
  const lot = opts.lotShares ?? 100;
  const bounds = opts.queueBucketMaxShares ?? [lot, 3 * lot];
  const B = bounds.length + 1;
  const queueBucket = (shares: number): number => {
    let b = 0;
    while (b < bounds.length && shares > bounds[b]) b++;
    return b;
  };
  const bucketMin = opts.profileBucketMinutes ?? 15;
  const bucketUs = bucketMin * 60e6;
  const buckets = Math.ceil((w.closeUs - w.openUs) / bucketUs);
  const bucketOf = (ts: number) => Math.min(buckets - 1, Math.floor((ts - w.openUs) / bucketUs));
  const units = (dollars: number) => Math.round(dollars * 10_000);
  const spreadTicksAt = (k: number) => Math.round((units(q.ask[k]) - units(q.bid[k])) / tickUnits);
  const sizeAt = (k: number, side: number) => (side === 0 ? q.bidSize[k] : q.askSize[k]);

  // Quote rows that matter: the one standing at the open, then every row inside the session.
  let qFirst = 0;
  while (qFirst + 1 < q.length && q.ts[qFirst + 1] <= w.openUs) qFirst++;
  let qEnd = qFirst;
  while (qEnd < q.length && q.ts[qEnd] < w.closeUs) qEnd++;
  const rowChanged = (i: number) =>
    q.bid[i] !== q.bid[i - 1] || q.ask[i] !== q.ask[i - 1] || q.bidSize[i] !== q.bidSize[i - 1] || q.askSize[i] !== q.askSize[i - 1];

  // ── exposures: per spread state (both sides) and per (state, queue bucket) of each side ──
  const capS = opts.maxSpreadTicksCap ?? 30;
  const plainSeconds = new Float64Array(capS + 1);
  for (let i = qFirst; i < qEnd; i++) {
    const s = spreadTicksAt(i);
    const to = Math.min(i + 1 < q.length ? q.ts[i + 1] : w.closeUs, w.closeUs);
    if (s >= 1) plainSeconds[Math.min(s, capS)] += (to - Math.max(q.ts[i], w.openUs)) / 1e6;
  }
  // S: the largest state whose pooled tail (≥ S) still stood for at least 120 s.
  let S = capS;
  for (let tail = 0; S > 1; S--) {
    tail += plainSeconds[S];
    if (tail >= 120) break;
  }
  const stateOf = (s: number) => (s > S ? S : s);
  // ── trades: market orders (lit, at/outside the touch, grouped by ts and side) and the rest ──
  const counts = () => new Float64Array(S + 1);
  const sideCounts = () => new Float64Array((S + 1) * B);
  const marketOrders = sideCounts();
  const offTouch = counts(), offInside = counts(), hidden = counts();
  const printSize = new Map<number, number>();
  const litExchange = new Map<number, number>();
  const printsPerOrder = new Map<number, number>();
  // Market orders, kept for their outcome: ts, side (0 bid, 1 ask), price units, queue bucket hit.
  const moTs: number[] = [], moSide: number[] = [], moPriceU: number[] = [], moQueue: number[] = [];
  const moVolume: number[] = [], moDisplayed: number[] = [], moPrints: number[] = [];
  let qi = qFirst;
  for (let i = 0; i < t.length; i++) {
    const ts = t.ts[i];
    if (ts < w.openUs || ts >= w.closeUs) continue;
    while (qi + 1 < q.length && q.ts[qi + 1] < ts) qi++;
    if (!(q.ts[qi] < ts)) continue;
    const s = spreadTicksAt(qi);
    if (s < 1) continue;
    const st = stateOf(s);
    bump(printSize, t.size[i]);
    const p = units(t.price[i]);
    const bidU = units(q.bid[qi]);
    const askU = units(q.ask[qi]);
    const isInside = p > bidU && p < askU;
    if (t.exchange[i] === OFF_EXCHANGE_CODE) {
      if (isInside) offInside[st]++;
      else offTouch[st]++;
      continue;
    }
    if (t.exchange[i] !== 0) bump(litExchange, t.exchange[i]);
    if (isInside) {
      hidden[st]++;
      continue;
    }
    const side = 2 * p >= bidU + askU ? 1 : 0;
    const n = moTs.length;
    if (n > 0 && moTs[n - 1] === ts && moSide[n - 1] === side) {
      moVolume[n - 1] += t.size[i]; // the same order at another venue
      moPrints[n - 1]++;
      continue;
    }
    const displayed = sizeAt(qi, side);
    const qb = queueBucket(displayed);
    moTs.push(ts);
    moSide.push(side);
    moPriceU.push(side === 0 ? bidU : askU);
    moQueue.push(qb);
    moVolume.push(t.size[i]);
    moDisplayed.push(displayed);
    moPrints.push(1);
    marketOrders[st * B + qb]++;
  }
  for (const k of moPrints) bump(printsPerOrder, k);

  /**
   * The latest market order on `side` at `priceU` within FOLLOW_WINDOW_US up to `ts`, or −1.
   * Called with non-decreasing `ts`.
   */
  let moCursor = 0;
  const orderBefore = (ts: number, side: number, priceU: number): number => {
    while (moCursor < moTs.length && moTs[moCursor] <= ts) moCursor++;
    for (let m = moCursor - 1; m >= 0 && moTs[m] >= ts - FOLLOW_WINDOW_US; m--) {
      if (moSide[m] === side && moPriceU[m] === priceU) return m;
    }
    return -1;
  };

  // Refreshed sizes: what a level shows FOLLOW_WINDOW_US after an order took (nearly) all of its
  // displayed size without clearing it.
  const refreshSize = new Map<number, number>();
  {
    let qk = qFirst;
    for (let m = 0; m < moTs.length; m++) {
      const horizon = moTs[m] + FOLLOW_WINDOW_US;
      while (qk + 1 < q.length && q.ts[qk + 1] <= horizon) qk++;
      if (moDisplayed[m] - moVolume[m] >= lot) continue;
      if (units(moSide[m] === 0 ? q.bid[qk] : q.ask[qk]) !== moPriceU[m]) continue;
      bump(refreshSize, sizeAt(qk, moSide[m]));
    }
  }

  // ── reactions: what follows a side falling back (one side only) within REACTION_WINDOW_US ──
  // The improvements found here are triggered, not spontaneous: they are not counted in improves.
  const reactionSide = new Int8Array(q.length).fill(-1);
  const reactionDelayMs = new Map<number, number>();
  let fallBacks = 0, sameRow = 0, opposite = 0, sameSide = 0;
  const priceMoves = (i: number) => {
    const bid = Math.sign(units(q.bid[i]) - units(q.bid[i - 1])); // +1 better
    const ask = Math.sign(units(q.ask[i - 1]) - units(q.ask[i])); // +1 better
    return { bid, ask };
  };
  for (let i = Math.max(qFirst + 1, 1); i < qEnd; i++) {
    if (q.ts[i] < w.openUs || spreadTicksAt(i - 1) < 1) continue;
    const { bid, ask } = priceMoves(i);
    if (bid < 0) fallBacks++;
    if (ask < 0) fallBacks++;
    if ((bid < 0) === (ask < 0)) continue; // none, or both fell back
    const fell = bid < 0 ? 0 : 1;
    const otherMove = fell === 0 ? ask : bid;
    if (otherMove > 0) {
      sameRow++;
      reactionSide[i] = 1 - fell;
      continue;
    }
    for (let j = i + 1; j < qEnd && q.ts[j] - q.ts[i] <= REACTION_WINDOW_US; j++) {
      const next = priceMoves(j);
      if (next.bid === 0 && next.ask === 0) continue; // sizes only
      const improved = next.bid > 0 && next.ask === 0 ? 0 : next.ask > 0 && next.bid === 0 ? 1 : -1;
      if (improved >= 0 && spreadTicksAt(j) >= 1) {
        if (improved === fell) sameSide++;
        else opposite++;
        reactionSide[j] = improved;
        bump(reactionDelayMs, Math.round((q.ts[j] - q.ts[i]) / 1000));
      }
      break;
    }
  }

  // ── quote changes per side ──
  const adds = sideCounts(), cancels = sideCounts(), pulls = sideCounts(), improves = counts();
  const orderCleared = new Uint8Array(moTs.length);
  const improveTo: Map<number, number>[] = Array.from({ length: S + 1 }, () => new Map());
  const gap = new Map<number, number>();
  const levelSize = new Map<number, number>();
  const addSize = new Map<number, number>();
  const cancelSize = new Map<number, number>();
  const quoteBuckets = new Float64Array(buckets);
  for (let i = Math.max(qFirst + 1, 1); i < qEnd; i++) {
    if (q.ts[i] < w.openUs || !rowChanged(i)) continue;
    const s = spreadTicksAt(i - 1);
    if (s < 1) continue;
    const st = stateOf(s);
    for (let side = 0; side < 2; side++) {
      const before = units(side === 0 ? q.bid[i - 1] : q.ask[i - 1]);
      const after = units(side === 0 ? q.bid[i] : q.ask[i]);
      const sizeBefore = sizeAt(i - 1, side);
      const sizeAfter = sizeAt(i, side);
      const k = st * B + queueBucket(sizeBefore);
      const better = side === 0 ? after > before : after < before;
      const worse = side === 0 ? after < before : after > before;
      if (better) {
        const other = units(side === 0 ? q.ask[i - 1] : q.bid[i - 1]);
        const newSpread = Math.round(Math.abs(other - after) / tickUnits);
        const uncrossed = side === 0 ? after < other : after > other;
        if (!uncrossed || newSpread < 1 || newSpread >= s) continue;
        bump(improveTo[st], Math.min(newSpread, S - 1)); // the pooled row's targets stay below S
        bump(levelSize, sizeAfter);
        if (reactionSide[i] === side) continue; // a reaction, counted above
        improves[st]++;
        quoteBuckets[bucketOf(q.ts[i])]++;
      } else if (worse) {
        bump(gap, Math.round(Math.abs(after - before) / tickUnits));
        bump(levelSize, sizeAfter);
        const m = orderBefore(q.ts[i], side, before);
        if (m >= 0 && !orderCleared[m]) orderCleared[m] = 1; // the order's consequence
        else {
          pulls[k]++;
          quoteBuckets[bucketOf(q.ts[i])]++;
        }
      } else if (sizeAfter !== sizeBefore) {
        if (orderBefore(q.ts[i], side, before) >= 0) continue; // the order's own size change
        quoteBuckets[bucketOf(q.ts[i])]++;
        if (sizeAfter > sizeBefore) {
          adds[k]++;
          bump(addSize, sizeAfter - sizeBefore);
        } else {
          cancels[k]++;
          bump(cancelSize, sizeBefore - sizeAfter);
        }
      }
    }
  }
  // ── intraday profiles: prints, and quote events that are not an order's consequence (those
  // follow the trade profile), per bucket over the session mean ──
  const tradeBuckets = new Float64Array(buckets);
  for (let i = 0; i < t.length; i++) if (t.ts[i] >= w.openUs && t.ts[i] < w.closeUs) tradeBuckets[bucketOf(t.ts[i])]++;
  const bucketLenUs = (b: number) => Math.min(w.closeUs, w.openUs + (b + 1) * bucketUs) - (w.openUs + b * bucketUs);
  const profile = (counts: Float64Array) => {
    let total = 0;
    for (const c of counts) total += c;
    const perUs = total / (w.closeUs - w.openUs);
    return Array.from(counts, (c, b) => c / (perUs * bucketLenUs(b)));
  };
  const tradeProfile = profile(tradeBuckets);
  const quoteProfile = profile(quoteBuckets);

  const exposureT = new Float64Array(S + 1); // trade profile, whole book
  const exposureQ = new Float64Array(S + 1); // quote profile, whole book
  const sideExposureT = new Float64Array((S + 1) * B); // trade profile, per side and queue bucket
  const sideExposureQ = new Float64Array((S + 1) * B);
  // Cancels need more than a lot displayed (less would be a pull).
  const sideExposureCancel = new Float64Array((S + 1) * B);
  for (let i = qFirst; i < qEnd; i++) {
    const s = spreadTicksAt(i);
    if (s < 1) continue;
    const st = stateOf(s);
    let from = Math.max(q.ts[i], w.openUs);
    const to = Math.min(i + 1 < q.length ? q.ts[i + 1] : w.closeUs, w.closeUs);
    while (from < to) {
      const b = bucketOf(from);
      const edge = Math.min(to, w.openUs + (b + 1) * bucketUs);
      const sec = (edge - from) / 1e6;
      exposureT[st] += tradeProfile[b] * sec;
      exposureQ[st] += quoteProfile[b] * sec;
      for (let side = 0; side < 2; side++) {
        const size = sizeAt(i, side);
        const k = st * B + queueBucket(size);
        sideExposureT[k] += tradeProfile[b] * sec;
        sideExposureQ[k] += quoteProfile[b] * sec;
        if (size > lot) sideExposureCancel[k] += quoteProfile[b] * sec;
      }
      from = edge;
    }
  }

  const ordersByQueue = new Float64Array(B);
  const clearedByQueue = new Float64Array(B);
  for (let m = 0; m < moTs.length; m++) {
    ordersByQueue[moQueue[m]]++;
    clearedByQueue[moQueue[m]] += orderCleared[m];
  }

  const perSide = (c: Float64Array, exposure: Float64Array) => Array.from(c, (n, s) => (s === 0 || exposure[s] === 0 ? 0 : tidy(n / 2 / exposure[s])));
  const bothSides = (c: Float64Array, exposure: Float64Array) => Array.from(c, (n, s) => (s === 0 || exposure[s] === 0 ? 0 : tidy(n / exposure[s])));
  const exchangeHistogram = toHistogram(litExchange);
  const firstMid = (q.bid[qFirst] + q.ask[qFirst]) / 2;

  // Parsed by the schema: validated, and keys in the schema's order (a stable committed file).
  return sampleModelSchema.parse({
    description:
      opts.description ??
      `fitted by sample:fit to ${day.symbol} ${day.day}, regular session (${moTs.length} market orders, ${t.length} prints and ${q.length} quote rows read)`,
    startMidDollars: Math.round(firstMid * 100) / 100,
    lotShares: lot,
    maxSpreadTicks: S,
    profileBucketMinutes: bucketMin,
    tradeProfile: tradeProfile.map(tidy),
    quoteProfile: quoteProfile.map(tidy),
    queueBucketMaxShares: bounds,
    marketOrders: fitTwoFactorRates(marketOrders, sideExposureT, S, B),
    adds: fitTwoFactorRates(adds, sideExposureQ, S, B),
    cancels: fitTwoFactorRates(cancels, sideExposureCancel, S, B),
    pulls: fitTwoFactorRates(pulls, sideExposureQ, S, B),
    improvesPerSec: perSide(improves, exposureQ),
    offExchangeTouchPerSec: bothSides(offTouch, exposureT),
    offExchangeInsidePerSec: bothSides(offInside, exposureT),
    hiddenInsidePerSec: bothSides(hidden, exposureT),
    improveToSpread: improveTo.map((m, s) => (s < 2 || m.size === 0 ? null : toHistogram(m))),
    clearGapTicks: toHistogram(gap),
    printsPerMarketOrder: toHistogram(printsPerOrder),
    printSize: toHistogram(printSize),
    levelSize: toHistogram(levelSize),
    refreshSize: toHistogram(refreshSize),
    addSize: toHistogram(addSize),
    cancelSize: toHistogram(cancelSize),
    reaction: {
      sameRow: tidy(fallBacks > 0 ? sameRow / fallBacks : 0),
      oppositeSide: tidy(fallBacks > 0 ? opposite / fallBacks : 0),
      sameSide: tidy(fallBacks > 0 ? sameSide / fallBacks : 0),
      delayMs: reactionDelayMs.size > 0 ? toHistogram(reactionDelayMs) : { values: [0], weights: [1] },
    },
    clearAfterOrder: Array.from(clearedByQueue, (c, b) => (ordersByQueue[b] > 0 ? tidy(c / ordersByQueue[b]) : 0)),
    litExchanges: { values: exchangeHistogram.values.map(exchangeLetter), weights: exchangeHistogram.weights },
  });
}
