/**
 * The events the sample-model fit counts (fit.ts explains the rules): market orders and other
 * prints, what a level shows after an order, the market's reactions to a side falling back, and
 * the quote changes per side. Each reads the FitContext and returns counts; nothing else.
 */
import { OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import { bump, type FitContext } from './fit-context.ts';
import { FOLLOW_WINDOW_US } from './stats.ts';

/** How soon after a side falls back an improvement still counts as the market's reaction to it. */
export const REACTION_WINDOW_US = 50_000;

/** Market orders, kept for their outcome: ts, side (0 bid, 1 ask), price units, queue bucket hit. */
export interface MarketOrders {
  ts: number[];
  side: number[];
  priceU: number[];
  queue: number[];
  volume: number[];
  displayed: number[];
  prints: number[];
}

export interface PrintCounts {
  /** Per (state, queue bucket). */
  marketOrders: Float64Array;
  offTouch: Float64Array;
  offInside: Float64Array;
  hidden: Float64Array;
  printSize: Map<number, number>;
  litExchange: Map<number, number>;
  printsPerOrder: Map<number, number>;
  mo: MarketOrders;
}

/** Market orders (lit, at/outside the touch, grouped by ts and side) and the other prints. */
export function readPrints(ctx: FitContext): PrintCounts {
  const { q, t, w, S, B } = ctx;
  const marketOrders = new Float64Array((S + 1) * B);
  const offTouch = new Float64Array(S + 1), offInside = new Float64Array(S + 1), hidden = new Float64Array(S + 1);
  const printSize = new Map<number, number>();
  const litExchange = new Map<number, number>();
  const printsPerOrder = new Map<number, number>();
  const mo: MarketOrders = { ts: [], side: [], priceU: [], queue: [], volume: [], displayed: [], prints: [] };
  let qi = ctx.qFirst;
  for (let i = 0; i < t.length; i++) {
    const ts = t.ts[i];
    if (ts < w.openUs || ts >= w.closeUs) continue;
    while (qi + 1 < q.length && q.ts[qi + 1] < ts) qi++;
    if (!(q.ts[qi] < ts)) continue;
    const s = ctx.spreadTicksAt(qi);
    if (s < 1) continue;
    const st = ctx.stateOf(s);
    bump(printSize, t.size[i]);
    const p = ctx.units(t.price[i]);
    const bidU = ctx.units(q.bid[qi]);
    const askU = ctx.units(q.ask[qi]);
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
    const n = mo.ts.length;
    if (n > 0 && mo.ts[n - 1] === ts && mo.side[n - 1] === side) {
      mo.volume[n - 1] += t.size[i]; // the same order at another venue
      mo.prints[n - 1]++;
      continue;
    }
    const displayed = ctx.sizeAt(qi, side);
    const qb = ctx.queueBucket(displayed);
    mo.ts.push(ts);
    mo.side.push(side);
    mo.priceU.push(side === 0 ? bidU : askU);
    mo.queue.push(qb);
    mo.volume.push(t.size[i]);
    mo.displayed.push(displayed);
    mo.prints.push(1);
    marketOrders[st * B + qb]++;
  }
  for (const k of mo.prints) bump(printsPerOrder, k);
  return { marketOrders, offTouch, offInside, hidden, printSize, litExchange, printsPerOrder, mo };
}

/**
 * Refreshed sizes: what a level shows FOLLOW_WINDOW_US after an order took (nearly) all of its
 * displayed size without clearing it.
 */
export function refreshSizes(ctx: FitContext, mo: MarketOrders): Map<number, number> {
  const { q } = ctx;
  const refreshSize = new Map<number, number>();
  let qk = ctx.qFirst;
  for (let m = 0; m < mo.ts.length; m++) {
    const horizon = mo.ts[m] + FOLLOW_WINDOW_US;
    while (qk + 1 < q.length && q.ts[qk + 1] <= horizon) qk++;
    if (mo.displayed[m] - mo.volume[m] >= ctx.lot) continue;
    if (ctx.units(mo.side[m] === 0 ? q.bid[qk] : q.ask[qk]) !== mo.priceU[m]) continue;
    bump(refreshSize, ctx.sizeAt(qk, mo.side[m]));
  }
  return refreshSize;
}

export interface Reactions {
  /** Per quote row: the side whose improvement was a reaction (−1: none). */
  reactionSide: Int8Array;
  reactionDelayMs: Map<number, number>;
  fallBacks: number;
  sameRow: number;
  opposite: number;
  sameSide: number;
}

/** Price moves of quote row i against the row before: +1 better, −1 worse, per side. */
function priceMoves(ctx: FitContext, i: number): { bid: number; ask: number } {
  const { q } = ctx;
  const bid = Math.sign(ctx.units(q.bid[i]) - ctx.units(q.bid[i - 1]));
  const ask = Math.sign(ctx.units(q.ask[i - 1]) - ctx.units(q.ask[i]));
  return { bid, ask };
}

/**
 * What follows a side falling back (one side only) within REACTION_WINDOW_US. The improvements
 * found here are triggered, not spontaneous: they are not counted in improves.
 */
export function findReactions(ctx: FitContext): Reactions {
  const { q, w, qFirst, qEnd } = ctx;
  const r: Reactions = { reactionSide: new Int8Array(q.length).fill(-1), reactionDelayMs: new Map(), fallBacks: 0, sameRow: 0, opposite: 0, sameSide: 0 };
  for (let i = Math.max(qFirst + 1, 1); i < qEnd; i++) {
    if (q.ts[i] < w.openUs || ctx.spreadTicksAt(i - 1) < 1) continue;
    const { bid, ask } = priceMoves(ctx, i);
    if (bid < 0) r.fallBacks++;
    if (ask < 0) r.fallBacks++;
    if ((bid < 0) === (ask < 0)) continue; // none, or both fell back
    const fell = bid < 0 ? 0 : 1;
    const otherMove = fell === 0 ? ask : bid;
    if (otherMove > 0) {
      r.sameRow++;
      r.reactionSide[i] = 1 - fell;
      continue;
    }
    for (let j = i + 1; j < qEnd && q.ts[j] - q.ts[i] <= REACTION_WINDOW_US; j++) {
      const next = priceMoves(ctx, j);
      if (next.bid === 0 && next.ask === 0) continue; // sizes only
      const improved = next.bid > 0 && next.ask === 0 ? 0 : next.ask > 0 && next.bid === 0 ? 1 : -1;
      if (improved >= 0 && ctx.spreadTicksAt(j) >= 1) {
        if (improved === fell) r.sameSide++;
        else r.opposite++;
        r.reactionSide[j] = improved;
        bump(r.reactionDelayMs, Math.round((q.ts[j] - q.ts[i]) / 1000));
      }
      break;
    }
  }
  return r;
}

/**
 * The latest market order on `side` at `priceU` within FOLLOW_WINDOW_US up to `ts`, or −1.
 * Called with non-decreasing `ts`.
 */
function orderLookup(mo: MarketOrders): (ts: number, side: number, priceU: number) => number {
  let cursor = 0;
  return (ts, side, priceU) => {
    while (cursor < mo.ts.length && mo.ts[cursor] <= ts) cursor++;
    for (let m = cursor - 1; m >= 0 && mo.ts[m] >= ts - FOLLOW_WINDOW_US; m--) {
      if (mo.side[m] === side && mo.priceU[m] === priceU) return m;
    }
    return -1;
  };
}

export interface QuoteChanges {
  adds: Float64Array;
  cancels: Float64Array;
  pulls: Float64Array;
  improves: Float64Array;
  /** Per market order: 1 when a worsening on its side and price followed it (its clearing). */
  orderCleared: Uint8Array;
  improveTo: Map<number, number>[];
  gap: Map<number, number>;
  levelSize: Map<number, number>;
  addSize: Map<number, number>;
  cancelSize: Map<number, number>;
  /** Spontaneous quote events per intraday bucket. */
  quoteBuckets: Float64Array;
}

/** Quote changes per side: improvements, worsenings (pulls or an order's clearing), adds, cancels. */
export function countQuoteChanges(ctx: FitContext, mo: MarketOrders, reactionSide: Int8Array): QuoteChanges {
  const { q, w, S, B, tickUnits } = ctx;
  const c: QuoteChanges = {
    adds: new Float64Array((S + 1) * B), cancels: new Float64Array((S + 1) * B), pulls: new Float64Array((S + 1) * B), improves: new Float64Array(S + 1),
    orderCleared: new Uint8Array(mo.ts.length), improveTo: Array.from({ length: S + 1 }, () => new Map()),
    gap: new Map(), levelSize: new Map(), addSize: new Map(), cancelSize: new Map(), quoteBuckets: new Float64Array(ctx.buckets),
  };
  const orderBefore = orderLookup(mo);
  const rowChanged = (i: number) => q.bid[i] !== q.bid[i - 1] || q.ask[i] !== q.ask[i - 1] || q.bidSize[i] !== q.bidSize[i - 1] || q.askSize[i] !== q.askSize[i - 1];
  for (let i = Math.max(ctx.qFirst + 1, 1); i < ctx.qEnd; i++) {
    if (q.ts[i] < w.openUs || !rowChanged(i)) continue;
    const s = ctx.spreadTicksAt(i - 1);
    if (s < 1) continue;
    const st = ctx.stateOf(s);
    for (let side = 0; side < 2; side++) {
      const before = ctx.units(side === 0 ? q.bid[i - 1] : q.ask[i - 1]);
      const after = ctx.units(side === 0 ? q.bid[i] : q.ask[i]);
      const sizeBefore = ctx.sizeAt(i - 1, side);
      const sizeAfter = ctx.sizeAt(i, side);
      const k = st * B + ctx.queueBucket(sizeBefore);
      if (side === 0 ? after > before : after < before) {
        const other = ctx.units(side === 0 ? q.ask[i - 1] : q.bid[i - 1]);
        const newSpread = Math.round(Math.abs(other - after) / tickUnits);
        const uncrossed = side === 0 ? after < other : after > other;
        if (!uncrossed || newSpread < 1 || newSpread >= s) continue;
        bump(c.improveTo[st], Math.min(newSpread, S - 1)); // the pooled row's targets stay below S
        bump(c.levelSize, sizeAfter);
        if (reactionSide[i] === side) continue; // a reaction, counted in findReactions
        c.improves[st]++;
        c.quoteBuckets[ctx.bucketOf(q.ts[i])]++;
      } else if (side === 0 ? after < before : after > before) {
        bump(c.gap, Math.round(Math.abs(after - before) / tickUnits));
        bump(c.levelSize, sizeAfter);
        const m = orderBefore(q.ts[i], side, before);
        if (m >= 0 && !c.orderCleared[m]) c.orderCleared[m] = 1; // the order's consequence
        else {
          c.pulls[k]++;
          c.quoteBuckets[ctx.bucketOf(q.ts[i])]++;
        }
      } else if (sizeAfter !== sizeBefore) {
        if (orderBefore(q.ts[i], side, before) >= 0) continue; // the order's own size change
        c.quoteBuckets[ctx.bucketOf(q.ts[i])]++;
        if (sizeAfter > sizeBefore) {
          c.adds[k]++;
          bump(c.addSize, sizeAfter - sizeBefore);
        } else {
          c.cancels[k]++;
          bump(c.cancelSize, sizeBefore - sizeAfter);
        }
      }
    }
  }
  return c;
}
