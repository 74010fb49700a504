/** Hand-made execution records for the report tests: small, explicit, both sides. */
import type { ChildRecord, ExecutionRecord, FillRecord, Side } from '../../src/engine/types.ts';

export const T0_US = Date.UTC(2024, 2, 12, 14, 0, 0) * 1000; // 10:00 New York (EDT)

export interface FillSpec {
  /** µs after arrival. */
  atUs: number;
  price: number;
  qty: number;
}

export interface ChildSpec {
  step: number;
  limit: number;
  qty: number;
  sentBid: number;
  sentAsk: number;
  fills?: FillSpec[];
  isMarketStep?: boolean;
}

export interface RecordSpec {
  id: string;
  side: Side;
  qty: number;
  symbol?: string;
  arrivalUs?: number;
  bid: number;
  ask: number;
  bidSize?: number;
  askSize?: number;
  children?: ChildSpec[];
  endAfterUs?: number;
  status?: ExecutionRecord['status'];
}

/** An ExecutionRecord whose derived fields (filled qty, avg price, fill step, time to fill) follow from its fills. */
export function makeRecord(spec: RecordSpec): ExecutionRecord {
  const arrival = spec.arrivalUs ?? T0_US;
  const children: ChildRecord[] = (spec.children ?? []).map((c, n) => {
    const fills: FillRecord[] = (c.fills ?? []).map((f, i) => ({
      execId: `${spec.id}-${n}-x${i}`,
      tsUs: arrival + f.atUs,
      price: f.price,
      qty: f.qty,
      step: c.step,
    }));
    const filledQty = fills.reduce((s, f) => s + f.qty, 0);
    return {
      clientOrderId: `${spec.id}-${n}`,
      step: c.step,
      stepsKept: [],
      isMarketStep: c.isMarketStep ?? false,
      limitPrice: c.limit,
      qty: c.qty,
      sentTsUs: arrival + n * 1_000_000,
      ackTsUs: arrival + n * 1_000_000 + 1000,
      cancelSentTsUs: null,
      doneTsUs: null,
      status: filledQty >= c.qty ? 'filled' : 'canceled',
      sentBid: c.sentBid,
      sentAsk: c.sentAsk,
      filledQty,
      rejectReason: null,
      fills,
    };
  });
  const fills = children.flatMap((c) => c.fills);
  const filledQty = fills.reduce((s, f) => s + f.qty, 0);
  const notional = fills.reduce((s, f) => s + f.qty * f.price, 0);
  const last = fills.length > 0 ? fills.reduce((a, b) => (b.tsUs > a.tsUs ? b : a)) : null;
  return {
    clientOrderId: spec.id,
    symbol: spec.symbol ?? 'XYZ',
    side: spec.side,
    qty: spec.qty,
    filledQty,
    arrivalTsUs: arrival,
    arrivalBid: spec.bid,
    arrivalAsk: spec.ask,
    arrivalBidSize: spec.bidSize ?? 100,
    arrivalAskSize: spec.askSize ?? 100,
    avgPrice: filledQty > 0 ? notional / filledQty : Number.NaN,
    fillStep: last ? last.step : -1,
    timeToFillUs: last ? last.tsUs - arrival : Number.NaN,
    endTsUs: arrival + (spec.endAfterUs ?? (last ? last.tsUs - arrival : 60_000_000)),
    status: spec.status ?? (filledQty >= spec.qty ? 'filled' : filledQty > 0 ? 'partial' : 'unfilled'),
    reason: null,
    stepPercentages: [],
    children,
  };
}

/** A MidAt from a step function: `[fromUs, mid]` pairs in time order, relative to T0; NaN past `untilUs`. */
export function stepMids(points: [number, number][], untilUs = Number.POSITIVE_INFINITY): (symbol: string, tsUs: number) => number {
  return (_symbol, tsUs) => {
    const rel = tsUs - T0_US;
    if (rel > untilUs) return Number.NaN;
    let mid = Number.NaN;
    for (const [from, m] of points) if (rel >= from) mid = m;
    return mid;
  };
}
