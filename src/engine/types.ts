/** Domain types shared by the engine, its adapters and the reports. Times are epoch µs (UTC). */

export type Side = 'buy' | 'sell';

/** +1 for a buy, −1 for a sell: the "D" of every signed formula. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

/**
 * A top-of-book quote. Markets hand out a view they may overwrite on the next event, so the
 * engine copies the fields it keeps instead of holding the object.
 */
export interface Quote {
  /**
   * When this quote was last known to be current, which is what `stale_ms` is measured against:
   * live, the time of the latest stream message or REST answer for the symbol; in the simulator,
   * the replay time (now − feed latency), since a complete tape proves the quote stands until
   * its next update. A quiet symbol's unchanged quote is therefore not stale; a dead feed's is.
   */
  tsUs: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

/** A parent order as the user states it: the ladder turns it into one child at a time. */
export interface ParentOrder {
  /** Unique within a run; child client order ids are `${clientOrderId}-${n}`. */
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  /** When the order reaches the engine. */
  arrivalTsUs: number;
}

/** Why a parent ended without (completely) filling, or why it was refused. Machine-readable. */
export type RejectReason =
  | 'max_qty'
  | 'max_notional'
  | 'max_position'
  | 'spread_too_wide'
  | 'market_closed'
  | 'session_end'
  | 'duplicate_working'
  | 'duplicate_client_order_id'
  | 'no_quote'
  | 'invalid_qty';

export type EndReason =
  | RejectReason
  | 'collar_exhausted'
  | 'child_rejected'
  | 'spread_guard_timeout'
  | 'shutdown'
  | 'end_of_data'
  /** The venue reported quantities that contradict each other (e.g. a child filled beyond its qty). */
  | 'venue_inconsistent'
  /** The venue refused a child as a potential wash trade (it could trade against our own order). */
  | 'wash_trade';

export type ParentStatus = 'filled' | 'partial' | 'unfilled' | 'rejected';

export interface FillRecord {
  execId: string;
  tsUs: number;
  price: number;
  qty: number;
  /** Ladder step in force when the fill happened (progressive_steps = the market step). */
  step: number;
  /** When the fill reached the engine (its clock), vs tsUs the venue's time: the response latency (calibrate). */
  recvTsUs?: number;
}

export type ChildStatus = 'pending_new' | 'working' | 'filled' | 'canceled' | 'rejected';

export interface ChildRecord {
  clientOrderId: string;
  /** Step the child was sent for; `stepsKept` lists later steps that kept it at the same price. */
  step: number;
  stepsKept: number[];
  isMarketStep: boolean;
  limitPrice: number;
  qty: number;
  sentTsUs: number;
  ackTsUs: number | null;
  /** When the ack reached the engine (its clock; ackTsUs is the venue's time): response latency for calibrate. */
  ackRecvTsUs?: number | null;
  cancelSentTsUs: number | null;
  doneTsUs: number | null;
  status: ChildStatus;
  /** Quote the child was priced from. */
  sentBid: number;
  sentAsk: number;
  filledQty: number;
  rejectReason: string | null;
  /** Set when the child was made by replacing another (Market.replace): that child's id. */
  replaces?: string;
  fills: FillRecord[];
}

/** What the engine knows about one parent when it ends (DESIGN §5); reports add the rest. */
export interface ExecutionRecord {
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  filledQty: number;
  arrivalTsUs: number;
  /** Arrival quote; NaN when there was none. */
  arrivalBid: number;
  arrivalAsk: number;
  arrivalBidSize: number;
  arrivalAskSize: number;
  /** Volume-weighted fill price; NaN when nothing filled. */
  avgPrice: number;
  /** Step of the last fill (progressive_steps = market step); −1 when nothing filled. */
  fillStep: number;
  /** Last fill − arrival; NaN when nothing filled. */
  timeToFillUs: number;
  endTsUs: number;
  status: ParentStatus;
  reason: EndReason | null;
  /** Step percentage actually used at each limit step (adaptive or configured). */
  stepPercentages: number[];
  children: ChildRecord[];
}
