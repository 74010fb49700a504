/**
 * The ExecutionRecord of one parent from its children (DESIGN §5).
 */
import { dollarsToUnits, UNITS_PER_DOLLAR } from './ticks.ts';
import type { ChildRecord, EndReason, ExecutionRecord, ParentOrder, ParentStatus } from './types.ts';

export interface ArrivalQuote {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

export interface RecordInputs {
  parent: ParentOrder;
  arrival: ArrivalQuote;
  filledQty: number;
  children: readonly ChildRecord[];
  stepPercentages: readonly number[];
  endReason: EndReason | null;
  endTsUs: number;
}

/**
 * avgPrice = Σ price_units·qty / Σ qty / UNITS_PER_DOLLAR over every fill: the notional in whole
 * price units ($0.0001) is an exact integer sum, so a one-price fill averages back to exactly its
 * price (15.28, never 15.279999999999998). fillStep and timeToFill come from the last fill.
 */
export function buildExecutionRecord(r: RecordInputs): ExecutionRecord {
  let notionalUnits = 0;
  let pricedQty = 0;
  let lastFill: { tsUs: number; step: number } | null = null;
  for (const c of r.children) {
    for (const f of c.fills) {
      notionalUnits += Math.round(dollarsToUnits(f.price)) * f.qty;
      pricedQty += f.qty;
      if (!lastFill || f.tsUs >= lastFill.tsUs) lastFill = { tsUs: f.tsUs, step: f.step };
    }
  }
  const { parent, arrival, filledQty } = r;
  const status: ParentStatus = filledQty >= parent.qty ? 'filled' : filledQty > 0 ? 'partial' : 'unfilled';
  return {
    clientOrderId: parent.clientOrderId,
    symbol: parent.symbol,
    side: parent.side,
    qty: parent.qty,
    filledQty,
    arrivalTsUs: parent.arrivalTsUs,
    arrivalBid: arrival.bid,
    arrivalAsk: arrival.ask,
    arrivalBidSize: arrival.bidSize,
    arrivalAskSize: arrival.askSize,
    avgPrice: pricedQty > 0 ? notionalUnits / pricedQty / UNITS_PER_DOLLAR : NaN,
    fillStep: lastFill ? lastFill.step : -1,
    timeToFillUs: lastFill ? lastFill.tsUs - parent.arrivalTsUs : NaN,
    endTsUs: r.endTsUs,
    status,
    // A filled parent has no end reason — unless the venue's numbers could not be trusted.
    reason: status === 'filled' && r.endReason !== 'venue_inconsistent' ? null : r.endReason,
    stepPercentages: r.stepPercentages.slice(),
    children: [...r.children],
  };
}
