/**
 * What `serve`'s protocol layer (REST routes, both WebSocket streams, the admin endpoint) needs
 * from the world behind it. The replay venue (replay.ts) implements it over a tape, SimMarket
 * and the broker; the protocol layer knows nothing else.
 */
import type { NewOrder, ReplaceRequest, TradeUpdate } from './broker.ts';
import type { Faults } from './faults.ts';
import type { TapeLibrary } from './history.ts';
import type { OrderRecord } from './orders.ts';
import type { QuoteColumns, SymbolDay, TradeColumns } from '../data/tape/tape.ts';

/** One tape row the market-data stream may publish. */
export interface TapeEvent {
  symbol: string;
  kind: 'q' | 't';
  tape: SymbolDay;
  index: number;
  tsUs: number;
}

/** A consumer of replayed market data (the market-data stream server). */
export interface MarketDataSink {
  /** Does any client want rows of `symbol`? Rows nobody wants are skipped, not built. */
  wants(symbol: string): boolean;
  /** Rows that became visible, in time order (trades before quotes at equal times). */
  deliver(events: readonly TapeEvent[]): void;
  /** True while clients are behind; an as-fast-as-possible replay waits for them. */
  backlogged(): boolean;
}

export interface MarketClock {
  nowUs: number;
  isOpen: boolean;
  nextOpenUs: number;
  nextCloseUs: number;
}

/** The latest row of one kind visible now. */
export type LatestRow = { kind: 'quotes'; cols: QuoteColumns; index: number } | { kind: 'trades'; cols: TradeColumns; index: number };

export interface Venue {
  /** The replayed New York date. */
  readonly day: string;
  /** Symbols with a tape on that day (tradable, streamed). */
  readonly symbols: readonly string[];
  readonly faults: Faults;
  readonly library: TapeLibrary;
  /** Historical REST data may reach past the replay's now. */
  readonly historyLookAhead: boolean;

  nowUs(): number;
  marketClock(): MarketClock;

  submitOrder(order: NewOrder): OrderRecord;
  getOrder(id: string): OrderRecord | undefined;
  getOrderByClientId(clientOrderId: string): OrderRecord | undefined;
  /** Every order, oldest first. */
  orders(): readonly OrderRecord[];
  replaceOrder(id: string, patch: ReplaceRequest): OrderRecord;
  cancelOrder(id: string): void;
  cancelAllOrders(): OrderRecord[];

  accountJson(): Record<string, unknown>;
  positionsJson(): Record<string, unknown>[];

  latest(symbol: string, kind: 'quotes' | 'trades'): LatestRow | undefined;

  onTradeUpdate(listener: (update: TradeUpdate) => void): () => void;
  addMarketDataSink(sink: MarketDataSink): () => void;

  /** Process everything due at the current virtual time (acks and fills of a zero-latency venue). */
  settle(): void;
  /** `speed: lockstep`: time moves only by `lockstepTo` (replay-driver.ts). */
  readonly lockstep: boolean;
  /** Lockstep: move to min(untilUs, the next due event); returns the new virtual time. */
  lockstepTo(untilUs: number): number;
  /** Move virtual time forward by `us` (admin; the only way time moves at speed 0). */
  advanceBy(us: number): void;
  /** The fault settings changed (re-check held orders). */
  faultsChanged(): void;
  status(): Record<string, unknown>;
}
