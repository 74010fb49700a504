/**
 * Market statistics of one symbol-day over a session window, computed from the tape's columns
 * alone, so a real day and a generated one are measured by exactly the same code.
 *
 * Definitions (all restricted to openUs ≤ ts < closeUs):
 *  - quote update: a quote row whose bid, ask, bid size or ask size differs from the row before.
 *  - spread: ask − bid of uncrossed quotes (ask > bid), time-weighted (each quote weighs the time
 *    it stood). Percentiles are interpolated within a tick: each spread value v is spread evenly
 *    over [v − ½ tick, v + ½ tick], so a percentile moves continuously with the distribution
 *    instead of jumping a whole tick when a share crosses the rank (a one-cent spread held 10.9 %
 *    of the time puts p10 at 0.5 + 0.10/0.109 ≈ 1.42 ¢). The median is also given plainly.
 *  - a trade's prevailing quote is the last quote row stamped strictly before it (at equal
 *    timestamps trades come first, DESIGN §3); inside = bid < price < ask on an uncrossed quote.
 *  - a quote update follows a trade when a trade printed after the previous update and at most
 *    FOLLOW_WINDOW_US before it.
 */
import { OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import type { QuoteColumns, SymbolDay, TradeColumns } from '../tape/tape.ts';
import { lowerBound } from '../tape/search.ts';

export const FOLLOW_WINDOW_US = 10_000;
const MINUTE_US = 60_000_000;

export interface SessionWindow {
  openUs: number;
  closeUs: number;
}

export interface TapeStats {
  quoteUpdatesPerMin: number;
  quoteUpdatesPerMinFirst30: number;
  quoteUpdatesPerMinMidday: number;
  quoteUpdatesPerMinLast30: number;
  /** Interpolated time-weighted spread percentiles, cents. */
  spreadCents: { p10: number; p25: number; p50: number; p75: number; p90: number; p99: number };
  /** Plain time-weighted median spread, cents (a value the market showed). */
  spreadMedianCents: number;
  spreadMeanCents: number;
  tradesPerMin: number;
  tradesPerMinFirst30: number;
  tradesPerMinMidday: number;
  tradesPerMinLast30: number;
  tradeSize: { mean: number; p50: number; p90: number; p99: number; shareRoundLot: number; shareAtLeast500: number };
  shareInside: number;
  shareOffExchange: number;
  shareUpdatesAfterTrade: number;
  /** Displayed size at the touch, shares: time-weighted over both sides (interpolated ±½ lot). */
  touchSize: { p50: number; p90: number };
  /** Standard deviation of the mid's change over one minute (minute closes), cents. */
  midChange1mStdCents: number;
  quoteUpdates: number;
  trades: number;
}

/** Sub-windows, minutes from the open: first 30, midday 12:00–14:00 (for a 09:30 open), last 30. */
function windows(w: SessionWindow) {
  return {
    first30: [w.openUs, w.openUs + 30 * MINUTE_US],
    midday: [w.openUs + 150 * MINUTE_US, w.openUs + 270 * MINUTE_US],
    last30: [w.closeUs - 30 * MINUTE_US, w.closeUs],
  } as const;
}

/** Nearest-rank percentile of sorted values: the smallest v with at least p of the mass ≤ v. */
function rankPercentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

/**
 * Percentile of a weighted discrete distribution with each value v_j spread evenly over
 * [v_j − h, v_j + h]: with C_{j−1} < p ≤ C_j, result = v_j − h + 2h·(p − C_{j−1}) / w_j.
 */
export function interpolatedPercentile(values: readonly number[], weights: readonly number[], p: number, halfWidth: number): number {
  let total = 0;
  for (const w of weights) total += w;
  let acc = 0;
  for (let j = 0; j < values.length; j++) {
    const w = weights[j] / total;
    if (w > 0 && acc + w >= p) return values[j] - halfWidth + (2 * halfWidth * (p - acc)) / w;
    acc += w;
  }
  return values[values.length - 1] + halfWidth;
}

/** A quote row that differs from the one before it (the first row counts). */
function quoteChanged(q: QuoteColumns, i: number): boolean {
  return i === 0 || q.bid[i] !== q.bid[i - 1] || q.ask[i] !== q.ask[i - 1] || q.bidSize[i] !== q.bidSize[i - 1] || q.askSize[i] !== q.askSize[i - 1];
}

/** Quote updates (all, and per sub-window) and the time each spread and each touch size stood. */
function quoteTimes(q: QuoteColumns, w: SessionWindow, qStart: number) {
  const sub = windows(w);
  const spreadTime = new Map<number, number>(); // spread in price units ($0.0001) → µs
  const sizeTime = new Map<number, number>(); // displayed shares (bid and ask) → µs
  let updates = 0, upFirst = 0, upMid = 0, upLast = 0;
  for (let i = qStart; i < q.length && q.ts[i] < w.closeUs; i++) {
    const ts = q.ts[i];
    if (ts >= w.openUs && quoteChanged(q, i)) {
      updates++;
      if (ts < sub.first30[1]) upFirst++;
      if (ts >= sub.midday[0] && ts < sub.midday[1]) upMid++;
      if (ts >= sub.last30[0]) upLast++;
    }
    const from = Math.max(ts, w.openUs);
    const to = Math.min(i + 1 < q.length ? q.ts[i + 1] : w.closeUs, w.closeUs);
    const spreadUnits = Math.round((q.ask[i] - q.bid[i]) * 10_000);
    if (to > from && spreadUnits > 0) {
      spreadTime.set(spreadUnits, (spreadTime.get(spreadUnits) ?? 0) + (to - from));
      sizeTime.set(q.bidSize[i], (sizeTime.get(q.bidSize[i]) ?? 0) + (to - from));
      sizeTime.set(q.askSize[i], (sizeTime.get(q.askSize[i]) ?? 0) + (to - from));
    }
  }
  return { spreadTime, sizeTime, updates, upFirst, upMid, upLast };
}

/** Sample standard deviation of one-minute mid changes in cents (mid of the quote standing at each minute close). */
function midChangeStdCents(q: QuoteColumns, w: SessionWindow, sessionMin: number): number {
  let midSum = 0, midSumSq = 0, midN = 0, prevMid = NaN;
  for (let m = 0, k = 0; m <= sessionMin; m++) {
    const at = w.openUs + m * MINUTE_US;
    while (k < q.length && q.ts[k] <= at) k++;
    const mid = k > 0 ? (q.bid[k - 1] + q.ask[k - 1]) * 50 : NaN; // cents
    if (m > 0 && Number.isFinite(mid) && Number.isFinite(prevMid)) {
      const d = mid - prevMid;
      midSum += d;
      midSumSq += d * d;
      midN++;
    }
    prevMid = mid;
  }
  return midN > 1 ? Math.sqrt((midSumSq - (midSum * midSum) / midN) / (midN - 1)) : NaN;
}

/** Time-weighted spread percentiles (interpolated over ± half a tick), median and mean, in cents. */
function spreadSummary(spreadTime: Map<number, number>, tickCents: number) {
  const spreadValues = [...spreadTime.keys()].sort((a, b) => a - b);
  const spreadWeights = spreadValues.map((v) => spreadTime.get(v)!);
  const cents = spreadValues.map((v) => v / 100);
  const pct = (p: number) => interpolatedPercentile(cents, spreadWeights, p, tickCents / 2);
  let totalTime = 0, meanAcc = 0, medianCents = NaN;
  for (let j = 0; j < cents.length; j++) {
    totalTime += spreadWeights[j];
    meanAcc += cents[j] * spreadWeights[j];
  }
  for (let j = 0, acc = 0; j < cents.length; j++) {
    acc += spreadWeights[j];
    if (acc >= totalTime / 2) {
      medianCents = cents[j];
      break;
    }
  }
  return {
    spreadCents: { p10: pct(0.1), p25: pct(0.25), p50: pct(0.5), p75: pct(0.75), p90: pct(0.9), p99: pct(0.99) },
    spreadMedianCents: medianCents,
    spreadMeanCents: meanAcc / totalTime,
  };
}

/** Trades of the session: counts per sub-window, sizes, where they print against the prevailing quote. */
function tradeCounts(q: QuoteColumns, t: TradeColumns, w: SessionWindow, tStart: number, tEnd: number) {
  const sub = windows(w);
  const n = tEnd - tStart;
  const sizes = new Float64Array(n);
  let trFirst = 0, trMid = 0, trLast = 0, inside = 0, withQuote = 0, offExchange = 0, sizeSum = 0, roundLot = 0, atLeast500 = 0;
  let qi = 0; // last quote row with ts < trade ts, advanced monotonically
  for (let i = tStart; i < tEnd; i++) {
    const ts = t.ts[i];
    const size = t.size[i];
    sizes[i - tStart] = size;
    sizeSum += size;
    if (size === 100) roundLot++;
    if (size >= 500) atLeast500++;
    if (t.exchange[i] === OFF_EXCHANGE_CODE) offExchange++;
    if (ts < sub.first30[1]) trFirst++;
    if (ts >= sub.midday[0] && ts < sub.midday[1]) trMid++;
    if (ts >= sub.last30[0]) trLast++;
    while (qi < q.length && q.ts[qi] < ts) qi++;
    const k = qi - 1;
    if (k >= 0 && q.ask[k] > q.bid[k]) {
      withQuote++;
      if (t.price[i] > q.bid[k] && t.price[i] < q.ask[k]) inside++;
    }
  }
  sizes.sort();
  return { n, sizes, trFirst, trMid, trLast, inside, withQuote, offExchange, sizeSum, roundLot, atLeast500 };
}

/** Quote updates in the session that come within FOLLOW_WINDOW_US after a trade (one per trade burst). */
function updatesAfterTrade(q: QuoteColumns, t: TradeColumns, w: SessionWindow, qStart: number, tStart: number): number {
  let followed = 0;
  let ti = tStart; // first trade with ts > current update ts
  let prevUpdateTs = -Infinity;
  for (let i = qStart; i < q.length && q.ts[i] < w.closeUs; i++) {
    const ts = q.ts[i];
    if (!quoteChanged(q, i)) continue;
    while (ti < t.length && t.ts[ti] <= ts) ti++;
    if (ts >= w.openUs && ti > 0) {
      const lastTradeTs = t.ts[ti - 1];
      if (lastTradeTs > prevUpdateTs && ts - lastTradeTs <= FOLLOW_WINDOW_US) followed++;
    }
    prevUpdateTs = ts;
  }
  return followed;
}

export function computeTapeStats(day: SymbolDay, w: SessionWindow, tickCents = 1): TapeStats {
  const q = day.quotes;
  const t = day.trades;
  const sessionMin = (w.closeUs - w.openUs) / MINUTE_US;
  const qStart = Math.max(0, lowerBound(q.ts, w.openUs, 0, q.length) - 1); // the quote standing at the open
  const qt = quoteTimes(q, w, qStart);
  const sizeValues = [...qt.sizeTime.keys()].sort((a, b) => a - b);
  const sizeWeights = sizeValues.map((v) => qt.sizeTime.get(v)!);
  const touchSize = (p: number) => interpolatedPercentile(sizeValues, sizeWeights, p, 50);
  const tStart = lowerBound(t.ts, w.openUs, 0, t.length);
  const tc = tradeCounts(q, t, w, tStart, lowerBound(t.ts, w.closeUs, 0, t.length));
  const n = tc.n;
  const followed = updatesAfterTrade(q, t, w, qStart, tStart);
  return {
    quoteUpdatesPerMin: qt.updates / sessionMin,
    quoteUpdatesPerMinFirst30: qt.upFirst / 30,
    quoteUpdatesPerMinMidday: qt.upMid / 120,
    quoteUpdatesPerMinLast30: qt.upLast / 30,
    ...spreadSummary(qt.spreadTime, tickCents),
    tradesPerMin: n / sessionMin,
    tradesPerMinFirst30: tc.trFirst / 30,
    tradesPerMinMidday: tc.trMid / 120,
    tradesPerMinLast30: tc.trLast / 30,
    tradeSize: {
      mean: n > 0 ? tc.sizeSum / n : NaN,
      p50: rankPercentile(tc.sizes, 0.5),
      p90: rankPercentile(tc.sizes, 0.9),
      p99: rankPercentile(tc.sizes, 0.99),
      shareRoundLot: n > 0 ? tc.roundLot / n : NaN,
      shareAtLeast500: n > 0 ? tc.atLeast500 / n : NaN,
    },
    shareInside: tc.withQuote > 0 ? tc.inside / tc.withQuote : NaN,
    shareOffExchange: n > 0 ? tc.offExchange / n : NaN,
    shareUpdatesAfterTrade: qt.updates > 0 ? followed / qt.updates : NaN,
    touchSize: { p50: touchSize(0.5), p90: touchSize(0.9) },
    midChange1mStdCents: midChangeStdCents(q, w, sessionMin),
    quoteUpdates: qt.updates,
    trades: n,
  };
}
