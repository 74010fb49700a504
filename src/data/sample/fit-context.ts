/**
 * What every step of the sample-model fit (fit.ts) reads: the day's columns, the session, the
 * tick, and the small functions that classify a quote row (spread state, queue bucket,
 * intraday bucket). Built once per fit.
 */
import type { QuoteColumns, SymbolDay, TradeColumns } from '../tape/tape.ts';
import type { SessionWindow } from './stats.ts';

export interface FitContext {
  q: QuoteColumns;
  t: TradeColumns;
  w: SessionWindow;
  tickUnits: number;
  lot: number;
  /** Upper bounds (shares) of the queue buckets but the last. */
  bounds: number[];
  /** Queue buckets (bounds.length + 1). */
  B: number;
  bucketMin: number;
  bucketUs: number;
  /** Intraday profile buckets in the session. */
  buckets: number;
  /** The quote row standing at the open. */
  qFirst: number;
  /** One past the last quote row inside the session. */
  qEnd: number;
  /** Spread states pooled from S up (see poolSpreadStates). */
  S: number;
  queueBucket(shares: number): number;
  bucketOf(tsUs: number): number;
  units(dollars: number): number;
  spreadTicksAt(k: number): number;
  sizeAt(k: number, side: number): number;
  stateOf(spreadTicks: number): number;
}

export interface FitContextOptions {
  tickDollars: number;
  lotShares?: number;
  profileBucketMinutes?: number;
  queueBucketMaxShares?: number[];
  maxSpreadTicksCap?: number;
}

export function makeFitContext(day: SymbolDay, w: SessionWindow, opts: FitContextOptions): FitContext {
  const q = day.quotes;
  const tickUnits = Math.round(opts.tickDollars * 10_000);
  const lot = opts.lotShares ?? 100;
  const bounds = opts.queueBucketMaxShares ?? [lot, 3 * lot];
  const bucketMin = opts.profileBucketMinutes ?? 15;
  const bucketUs = bucketMin * 60e6;
  const buckets = Math.ceil((w.closeUs - w.openUs) / bucketUs);
  const units = (dollars: number) => Math.round(dollars * 10_000);
  // Quote rows that matter: the one standing at the open, then every row inside the session.
  let qFirst = 0;
  while (qFirst + 1 < q.length && q.ts[qFirst + 1] <= w.openUs) qFirst++;
  let qEnd = qFirst;
  while (qEnd < q.length && q.ts[qEnd] < w.closeUs) qEnd++;
  const ctx: FitContext = {
    q,
    t: day.trades,
    w,
    tickUnits,
    lot,
    bounds,
    B: bounds.length + 1,
    bucketMin,
    bucketUs,
    buckets,
    qFirst,
    qEnd,
    S: 0,
    queueBucket: (shares) => {
      let b = 0;
      while (b < bounds.length && shares > bounds[b]) b++;
      return b;
    },
    bucketOf: (ts) => Math.min(buckets - 1, Math.floor((ts - w.openUs) / bucketUs)),
    units,
    spreadTicksAt: (k) => Math.round((units(q.ask[k]) - units(q.bid[k])) / tickUnits),
    sizeAt: (k, side) => (side === 0 ? q.bidSize[k] : q.askSize[k]),
    stateOf: (s) => (s > ctx.S ? ctx.S : s),
  };
  ctx.S = poolSpreadStates(ctx, opts.maxSpreadTicksCap ?? 30);
  return ctx;
}

/** S: the largest spread state whose pooled tail (≥ S) still stood for at least 120 s. */
function poolSpreadStates(ctx: FitContext, capS: number): number {
  const { q, w, qFirst, qEnd } = ctx;
  const plainSeconds = new Float64Array(capS + 1);
  for (let i = qFirst; i < qEnd; i++) {
    const s = ctx.spreadTicksAt(i);
    const to = Math.min(i + 1 < q.length ? q.ts[i + 1] : w.closeUs, w.closeUs);
    if (s >= 1) plainSeconds[Math.min(s, capS)] += (to - Math.max(q.ts[i], w.openUs)) / 1e6;
  }
  let S = capS;
  for (let tail = 0; S > 1; S--) {
    tail += plainSeconds[S];
    if (tail >= 120) break;
  }
  return S;
}

/** Counts keyed by value, incremented. */
export function bump(m: Map<number, number>, key: number, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}
