/** The broker's inputs and outputs (broker.ts): trade updates, parsed requests, its options. */
import type { Clock, Market } from '../engine/ports.ts';
import type { Side } from '../engine/types.ts';
import type { Faults } from './faults.ts';
import type { AlpacaOrderType, AlpacaTimeInForce, OrderJson } from './orders.ts';
import type { Portfolio } from './portfolio.ts';

export interface TradeUpdate {
  event: string;
  tsUs: number;
  /** Snapshot taken when the event happened. */
  order: OrderJson;
  executionId: string;
  price?: number;
  qty?: number;
  positionQty?: number;
}

/** A submit as the REST layer parsed it. */
export interface NewOrder {
  symbol: string;
  qty: number;
  side: Side;
  type: AlpacaOrderType;
  timeInForce: AlpacaTimeInForce;
  limitPrice: number | null;
  clientOrderId?: string;
  extendedHours: boolean;
}

export interface ReplaceRequest {
  qty?: number;
  limitPrice?: number;
  timeInForce?: AlpacaTimeInForce;
  clientOrderId?: string;
}

export interface TouchQuote {
  bid: number;
  ask: number;
}

/** Regular and extended session of the replayed day, epoch µs. */
export interface SessionTimes {
  openUs: number;
  closeUs: number;
  extendedOpenUs: number;
  extendedCloseUs: number;
}

export interface BrokerOptions {
  market: Market;
  clock: Clock;
  portfolio: Portfolio;
  faults: Faults;
  session: SessionTimes;
  /** Symbols the venue has tapes for. */
  symbols: ReadonlySet<string>;
  /** UUID-shaped ids (seeded, so runs repeat). */
  newId: () => string;
  /** Tick size in $0.0001 units for a symbol at a price. */
  tickUnits: (symbol: string, price: number) => number;
  /** The usable quote the venue shows now, if any. */
  quote: (symbol: string) => TouchQuote | undefined;
}
