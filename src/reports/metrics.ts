/**
 * Execution-quality metrics for one parent order (DESIGN §5). Pure: records and a mid lookup in,
 * one flat row out (numbers or null, never NaN, so arquero aggregates skip what is missing).
 *
 * Notation: D = +1 buy, −1 sell; Q = parent qty; q = filled qty; P = average fill price;
 * M₀ = arrival mid (bid₀ + ask₀)/2; F₀ = arrival far touch (buy: ask₀, sell: bid₀);
 * for fill i: pᵢ its price, qᵢ its qty, tᵢ its time, Mᵢ the mid of the quote its child was priced
 * from (the mid when the child was sent); M(t) the tape mid prevailing at t. All "bps" are ×10⁴.
 *
 *   implementation shortfall  IS = [q·D·(P − M₀) + (Q − q)·D·(M_end − M₀)] / (Q·M₀)
 *        the unfilled rest is charged its opportunity cost at M_end = M(end of the parent's
 *        window); a fully filled parent reduces to D·(P − M₀)/M₀. Positive = cost.
 *   filled shortfall          D·(P − M₀)/M₀                    (filled part only)
 *   vs the arrival far touch  D·(P − F₀)/M₀ and D·(P − F₀)·q dollars — ANALYTIC: the fills
 *        against a market order assumed to fill all of q at the arrival touch (the published
 *        claim's "saves $X vs market" is its negative). Positive = cost (paid more than the touch).
 *   half spread at arrival    D·(F₀ − M₀)/M₀ = (ask₀ − bid₀)/2 / M₀: what crossing at arrival costs
 *   vs the market-order baseline, per parent: IS(ladder) − IS(baseline) on the same parent
 *        (paired). Positive = the ladder cost more.
 *
 * ONE SIGN CONVENTION: every bps figure here is a cost (positive = worse for us), markouts too.
 *   effective spread          Σ qᵢ·2·D·(pᵢ − Mᵢ)/Mᵢ / Σ qᵢ
 *   markout at +Δ             Σ qᵢ·D·(pᵢ − M(tᵢ + Δ))/M₀ / Σ qᵢ      positive = the mid moved
 *        against the fill (we paid more than it was worth Δ later): a cost
 *   realized spread at +Δ     Σ qᵢ·2·D·(pᵢ − M(tᵢ + Δ))/Mᵢ / Σ qᵢ
 *   price impact at +Δ        Σ qᵢ·2·D·(M(tᵢ + Δ) − Mᵢ)/Mᵢ / Σ qᵢ     (effective = realized + impact)
 *        a horizon past the tape or the close makes M(tᵢ + Δ) unknown: the parent's value at that
 *        horizon is null (tables count the nulls) rather than computed from the fills that fit.
 *   time to fill              last fill − arrival (fully filled parents only), seconds
 *   fill step                 step of the last fill of a fully filled parent (S = market step)
 *   price levels sent         distinct child limit prices (tight spreads round steps together)
 *   fill price levels         distinct fill prices
 *   beyond displayed size     max(0, q − far-side displayed size at arrival) / q: the share of
 *        the filled qty that a marketable order at arrival could not have taken at the touch
 *        (buy: ask_size₀, sell: bid_size₀)
 */
import { spreadPct } from '../engine/ladder.ts';
import { dollarsToUnits } from '../engine/ticks.ts';
import type { ExecutionRecord, ParentStatus, Side } from '../engine/types.ts';
import { sideSign } from '../engine/types.ts';

/** Mid price prevailing at `tsUs` for `symbol`; NaN when unknown (before/after the tape, after the close). */
export type MidAt = (symbol: string, tsUs: number) => number;

export const MARKOUT_HORIZONS_S = [1, 5, 60] as const;
export type MarkoutHorizonS = (typeof MARKOUT_HORIZONS_S)[number];

export type SpreadBucket = '< 0.5 %' | '0.5–1.5 %' | '> 1.5 %';
export const SPREAD_BUCKETS: readonly SpreadBucket[] = ['< 0.5 %', '0.5–1.5 %', '> 1.5 %'];

/** Bucket of an arrival spread in percent (spreadPct, ask denominator): [0, 0.5) · [0.5, 1.5] · (1.5, ∞). */
export function spreadBucket(spreadPercent: number): SpreadBucket {
  if (spreadPercent < 0.5) return '< 0.5 %';
  if (spreadPercent <= 1.5) return '0.5–1.5 %';
  return '> 1.5 %';
}

export interface ParentMetrics {
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  filledQty: number;
  status: ParentStatus;
  /** 1 when the whole qty filled. */
  complete: number;
  arrivalTsUs: number;
  /** floor(arrival / 60 s): the bootstrap block. */
  arrivalMinute: number;
  arrivalMid: number | null;
  spreadPctArrival: number | null;
  spreadBucket: SpreadBucket | null;
  avgPrice: number | null;
  fillStep: number | null;
  timeToFillS: number | null;
  shortfallBps: number | null;
  filledShortfallBps: number | null;
  halfSpreadBps: number | null;
  vsFarTouchBps: number | null;
  vsFarTouchUsd: number | null;
  effectiveSpreadBps: number | null;
  markout1sBps: number | null;
  markout5sBps: number | null;
  markout60sBps: number | null;
  realizedSpread1sBps: number | null;
  realizedSpread5sBps: number | null;
  realizedSpread60sBps: number | null;
  priceImpact1sBps: number | null;
  priceImpact5sBps: number | null;
  priceImpact60sBps: number | null;
  priceLevelsSent: number;
  fillPriceLevels: number;
  displayedFarSize: number | null;
  beyondDisplayedQty: number | null;
  beyondDisplayedShare: number | null;
}

/** Every column of ParentMetrics (the compiler checks the list is complete), for empty tables. */
const PARENT_METRIC_FIELDS: Record<keyof ParentMetrics, true> = {
  clientOrderId: true, symbol: true, side: true, qty: true, filledQty: true, status: true, complete: true,
  arrivalTsUs: true, arrivalMinute: true, arrivalMid: true, spreadPctArrival: true, spreadBucket: true,
  avgPrice: true, fillStep: true, timeToFillS: true, shortfallBps: true, filledShortfallBps: true,
  halfSpreadBps: true, vsFarTouchBps: true, vsFarTouchUsd: true, effectiveSpreadBps: true,
  markout1sBps: true, markout5sBps: true, markout60sBps: true,
  realizedSpread1sBps: true, realizedSpread5sBps: true, realizedSpread60sBps: true,
  priceImpact1sBps: true, priceImpact5sBps: true, priceImpact60sBps: true,
  priceLevelsSent: true, fillPriceLevels: true, displayedFarSize: true, beyondDisplayedQty: true, beyondDisplayedShare: true,
};
export const PARENT_METRIC_COLUMNS = Object.keys(PARENT_METRIC_FIELDS) as (keyof ParentMetrics)[];

const BPS = 10_000;

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Quantity-weighted fill-level sums for one horizon. */
interface HorizonSums {
  markout: number;
  realized: number;
  impact: number;
  known: boolean;
}

/** M₀ = (bid₀ + ask₀)/2, NaN when the parent had no two-sided arrival quote. */
export function arrivalMid(record: ExecutionRecord): number {
  return record.arrivalBid > 0 && record.arrivalAsk > 0 ? (record.arrivalBid + record.arrivalAsk) / 2 : Number.NaN;
}

/**
 * Implementation shortfall, bps (the one definition; see the module comment):
 *   IS = [q·D·(P − M₀) + (Q − q)·D·(M_end − M₀)] / (Q·M₀) · 10⁴     positive = cost
 * NaN when there was no arrival quote, or when part is unfilled and M_end is unknown.
 */
export function implementationShortfallBps(record: ExecutionRecord, midAt: MidAt): number {
  const m0 = arrivalMid(record);
  if (!Number.isFinite(m0) || !(record.qty > 0)) return Number.NaN;
  const d = sideSign(record.side);
  const q = record.filledQty;
  const unfilled = record.qty - q;
  const filledCost = q > 0 ? q * d * (record.avgPrice - m0) : 0;
  const restCost = unfilled > 0 ? unfilled * d * (midAt(record.symbol, record.endTsUs) - m0) : 0;
  return ((filledCost + restCost) / (record.qty * m0)) * BPS;
}

/** Filled shortfall D·(P − M₀)/M₀ · 10⁴ (filled part only); NaN when nothing filled. */
export function filledShortfallBps(record: ExecutionRecord): number {
  const m0 = arrivalMid(record);
  if (!(record.filledQty > 0)) return Number.NaN;
  return ((sideSign(record.side) * (record.avgPrice - m0)) / m0) * BPS;
}

/**
 * A price against a reference price, as a cost in bps of a mid: D·(P − P_ref)/M · 10⁴ (positive =
 * P paid more than the reference, for buys and sells). The far-touch comparison and the
 * fidelity sim-vs-live price difference are this formula.
 */
export function priceVsReferenceBps(side: Side, price: number, referencePrice: number, mid: number): number {
  return ((sideSign(side) * (price - referencePrice)) / mid) * BPS;
}

/** Cost vs the arrival far touch, analytic: D·(P − F₀)/M₀ · 10⁴ (positive = paid more than the touch); NaN when nothing filled. */
export function vsFarTouchBps(record: ExecutionRecord): number {
  if (!(record.filledQty > 0)) return Number.NaN;
  return priceVsReferenceBps(record.side, record.avgPrice, farTouch(record), arrivalMid(record));
}

/** The same in dollars over the filled qty: D·(P − F₀)·q (positive = cost). */
export function vsFarTouchUsd(record: ExecutionRecord): number {
  if (!(record.filledQty > 0)) return Number.NaN;
  return sideSign(record.side) * (record.avgPrice - farTouch(record)) * record.filledQty;
}

/** Half the arrival spread, D·(F₀ − M₀)/M₀ · 10⁴: what crossing at arrival costs; NaN without a quote. */
export function halfSpreadBps(record: ExecutionRecord): number {
  return ((sideSign(record.side) * (farTouch(record) - arrivalMid(record))) / arrivalMid(record)) * BPS;
}

function farTouch(record: ExecutionRecord): number {
  return record.side === 'buy' ? record.arrivalAsk : record.arrivalBid;
}

/**
 * The ladder vs the simulated market-order baseline on the same parent, bps:
 *   IS(ladder) − IS(baseline)   (positive = the ladder cost more); NaN unless both are known.
 */
export function vsBaselineBps(ladderShortfallBps: number | null, baselineShortfallBps: number | null): number {
  if (ladderShortfallBps === null || baselineShortfallBps === null) return Number.NaN;
  return ladderShortfallBps - baselineShortfallBps;
}

/** A shortfall measured from the arrival far touch instead of the mid: IS − half spread (bps; NaN when either is missing). */
export function shortfallBeyondTouchBps(shortfallBps: number | null, halfSpread: number | null): number {
  if (shortfallBps === null || halfSpread === null) return Number.NaN;
  return shortfallBps - halfSpread;
}

/** All metrics of one parent. `midAt` supplies M(t) for markouts and the opportunity cost. */
export function parentMetrics(record: ExecutionRecord, midAt: MidAt): ParentMetrics {
  const d = sideSign(record.side);
  const hasQuote = record.arrivalBid > 0 && record.arrivalAsk > 0;
  const m0 = arrivalMid(record);
  const spread = hasQuote ? spreadPct(record.arrivalBid, record.arrivalAsk) : Number.NaN;
  const q = record.filledQty;
  const p = q > 0 ? record.avgPrice : Number.NaN;
  const unfilled = record.qty - q;
  const complete = unfilled <= 0 && q > 0;
  const farSize0 = record.side === 'buy' ? record.arrivalAskSize : record.arrivalBidSize;

  // Fill-level sums (quantity-weighted), walking children and their fills once.
  let fillQty = 0;
  let effective = 0;
  const horizons: HorizonSums[] = MARKOUT_HORIZONS_S.map(() => ({ markout: 0, realized: 0, impact: 0, known: true }));
  const fillLevels = new Set<number>();
  const sentLevels = new Set<number>();
  for (const child of record.children) {
    sentLevels.add(Math.round(dollarsToUnits(child.limitPrice)));
    const mSent = (child.sentBid + child.sentAsk) / 2;
    for (const fill of child.fills) {
      fillLevels.add(Math.round(dollarsToUnits(fill.price)));
      fillQty += fill.qty;
      effective += fill.qty * ((2 * d * (fill.price - mSent)) / mSent);
      for (let h = 0; h < MARKOUT_HORIZONS_S.length; h++) {
        const sums = horizons[h];
        const mLater = midAt(record.symbol, fill.tsUs + MARKOUT_HORIZONS_S[h] * 1e6);
        if (!Number.isFinite(mLater)) {
          sums.known = false;
          continue;
        }
        sums.markout += fill.qty * ((d * (fill.price - mLater)) / m0);
        sums.realized += fill.qty * ((2 * d * (fill.price - mLater)) / mSent);
        sums.impact += fill.qty * ((2 * d * (mLater - mSent)) / mSent);
      }
    }
  }
  const perFill = (sum: number, known = true) => (fillQty > 0 && known ? finiteOrNull((sum / fillQty) * BPS) : null);
  const [h1, h5, h60] = horizons;

  return {
    clientOrderId: record.clientOrderId,
    symbol: record.symbol,
    side: record.side,
    qty: record.qty,
    filledQty: q,
    status: record.status,
    complete: complete ? 1 : 0,
    arrivalTsUs: record.arrivalTsUs,
    arrivalMinute: Math.floor(record.arrivalTsUs / 60e6),
    arrivalMid: finiteOrNull(m0),
    spreadPctArrival: finiteOrNull(spread),
    spreadBucket: Number.isFinite(spread) ? spreadBucket(spread) : null,
    avgPrice: finiteOrNull(p),
    fillStep: complete && record.fillStep >= 0 ? record.fillStep : null,
    timeToFillS: complete ? finiteOrNull(record.timeToFillUs / 1e6) : null,
    shortfallBps: finiteOrNull(implementationShortfallBps(record, midAt)),
    filledShortfallBps: finiteOrNull(filledShortfallBps(record)),
    halfSpreadBps: finiteOrNull(halfSpreadBps(record)),
    vsFarTouchBps: finiteOrNull(vsFarTouchBps(record)),
    vsFarTouchUsd: finiteOrNull(vsFarTouchUsd(record)),
    effectiveSpreadBps: perFill(effective),
    markout1sBps: perFill(h1.markout, h1.known),
    markout5sBps: perFill(h5.markout, h5.known),
    markout60sBps: perFill(h60.markout, h60.known),
    realizedSpread1sBps: perFill(h1.realized, h1.known),
    realizedSpread5sBps: perFill(h5.realized, h5.known),
    realizedSpread60sBps: perFill(h60.realized, h60.known),
    priceImpact1sBps: perFill(h1.impact, h1.known),
    priceImpact5sBps: perFill(h5.impact, h5.known),
    priceImpact60sBps: perFill(h60.impact, h60.known),
    priceLevelsSent: sentLevels.size,
    fillPriceLevels: fillLevels.size,
    displayedFarSize: hasQuote ? finiteOrNull(farSize0) : null,
    beyondDisplayedQty: q > 0 && hasQuote ? Math.max(0, q - farSize0) : null,
    beyondDisplayedShare: q > 0 && hasQuote ? Math.max(0, q - farSize0) / q : null,
  };
}

/** Metrics of every parent the engine accepted (rejected parents never traded: counted, not measured). */
export function runMetrics(records: readonly ExecutionRecord[], midAt: MidAt): ParentMetrics[] {
  return records.filter((r) => r.status !== 'rejected').map((r) => parentMetrics(r, midAt));
}
