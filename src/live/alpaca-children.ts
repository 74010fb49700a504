/**
 * The state of every child AlpacaMarket sent (alpaca-market.ts has the whole contract) and the one
 * way events reach the engine: acknowledged once, ended once, a terminal update held while the fills
 * it reports are missing (reordered updates), always from a fresh turn of the event loop.
 */
import type { ChildOrderRequest, OrderEvent } from '../engine/ports.ts';
import type { LiveApi, StreamTradeMsg } from './alpaca-api.ts';
import { describeError as describe } from './describe-error.ts';
import type { QuoteCache } from './quote-cache.ts';
import { withRetry, type RetryNotice, type RetryPolicy } from './retry.ts';
import type { RunClock } from './run-clock.ts';

export interface Child {
  engineId: string;
  venueId: string;
  request: ChildOrderRequest;
  orderId: string | null;
  /** submitting: no answer yet; open: the venue has it; failed: it never existed. */
  phase: 'submitting' | 'open' | 'failed';
  acceptedSent: boolean;
  /** The engine has the venue's own time of acceptance (sendAccepted). */
  ackVenueStamped: boolean;
  terminalSent: boolean;
  execIds: Set<string>;
  seenFillQty: number;
  maxCumQty: number;
  cancelWanted: boolean;
  queryWanted: boolean;
  held: { event: OrderEvent; timer: number } | null;
  watching: boolean;
  /** A replacement: the child it replaces (kept after the outcome, to tell a refusal from a later reject). */
  replaces: Child | null;
  /** An old child: its replacement, from the request until the replace is refused. */
  replacedBy: Child | null;
  /** An old child: the venue reported it `replaced` (its replacement is live). */
  venueReplaced: boolean;
  /** A replacement whose old child has not ended yet: its updates wait in `queued`. */
  blocked: boolean;
  queued: (() => void)[];
  /** An old child: a cancel asked while its replace was unresolved, sent if the replace is refused. */
  cancelAfterReplace: boolean;
  /** Cancels the engine asked for this child. */
  cancelRequests: number;
  /** A replacement reported `rejected` to the engine (refused): if the venue shows it live after all, it is canceled. */
  refused: boolean;
  orphanCanceled: boolean;
  /** The quantity the engine asked for (request.qty follows the venue's shrinking). */
  engineQty: number;
  /** A replacement: the old child's filled qty as the engine knew it when it asked. */
  oldFilledAtRequest: number;
  /** A replacement the venue made: the most it may work, engineQty − (old's final fill − oldFilledAtRequest). */
  allowedQty: number | null;
  oversizeCanceled: boolean;
}

export interface AlpacaMarketStats {
  submits: number;
  submitAttempts: number;
  submitsFoundByClientId: number;
  /** Replace requests from the engine, PATCH attempts, lost answers found by the new client id, refusals. */
  replaces: number;
  replaceAttempts: number;
  replacesFoundByClientId: number;
  replacesRefused: number;
  /** Updates or answers about a replacement that waited for its old order's end (reordering). */
  replacementUpdatesHeld: number;
  /** Replacements the venue left larger than what the parent had left (fills it did not deduct), canceled at once. */
  oversizedReplacementsCanceled: number;
  cancels: number;
  queries: number;
  retries: number;
  tradeUpdates: number;
  duplicateFills: number;
  heldTerminals: number;
  streamDrops: { data: number; trading: number };
  reconnects: { data: number; trading: number };
  resyncs: number;
}

export interface AlpacaMarketOptions {
  clock: RunClock;
  api: LiveApi;
  /** execution.stale_ms */
  staleMs: number;
  retry: RetryPolicy;
  /** Venue client order id = prefix + run tag + '-' + engine child id. */
  clientIdPrefix: string;
  runTag: string;
  reorderWaitMs: number;
  /** Progress lines (already free of secrets: nothing here ever sees a key). */
  log?: (line: string) => void;
  /** The engine threw inside a listener, or a timer did: the run must stop. */
  onFatal?: (err: unknown) => void;
  /** Every stream quote and trade, and REST quotes newer than the stream's (the tape). */
  onQuoteSeen?: (symbol: string, q: { tsUs: number; bid: number; ask: number; bidSize: number; askSize: number }, source: 'stream' | 'rest') => void;
  onTradeSeen?: (trade: StreamTradeMsg) => void;
}

export function emptyStats(): AlpacaMarketStats {
  return {
  submits: 0,
  submitAttempts: 0,
  submitsFoundByClientId: 0,
  replaces: 0,
  replaceAttempts: 0,
  replacesFoundByClientId: 0,
  replacesRefused: 0,
  replacementUpdatesHeld: 0,
  oversizedReplacementsCanceled: 0,
  cancels: 0,
  queries: 0,
  retries: 0,
  tradeUpdates: 0,
  duplicateFills: 0,
  heldTerminals: 0,
  streamDrops: { data: 0, trading: 0 },
  reconnects: { data: 0, trading: 0 },
  resyncs: 0,
};
}

export function heldCumQty(event: OrderEvent): number {
  return event.type === 'canceled' || event.type === 'fill' || event.type === 'status' ? event.cumQty : 0;
}

export abstract class ChildBook {
  readonly stats: AlpacaMarketStats = emptyStats();
  abstract readonly quotes: QuoteCache;
  protected readonly clock: RunClock;
  protected readonly api: LiveApi;
  protected readonly options: AlpacaMarketOptions;
  protected listener: ((event: OrderEvent) => void) | null = null;
  protected readonly observers: ((event: OrderEvent) => void)[] = [];
  protected readonly byEngineId = new Map<string, Child>();
  protected readonly byVenueId = new Map<string, Child>();
  private pendingTurns = 0;
  protected readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: AlpacaMarketOptions) {
    this.options = options;
    this.clock = options.clock;
    this.api = options.api;
  }

  protected abstract cancelFlow(child: Child): Promise<void>;
  protected abstract releaseReplacement(old: Child): void;

  /**
   * The engine hears of acceptance once, from whichever answer comes first (REST or stream), and
   * acts on it then. `venueStamped`: tsUs is the venue's time of acceptance (the stream's `new`);
   * when the first ack was not, one more `accepted` carries that time for the records only.
   */
  protected sendAccepted(child: Child, tsUs: number, venueStamped = false): void {
    if (child.acceptedSent) {
      if (venueStamped && !child.ackVenueStamped) {
        child.ackVenueStamped = true;
        this.deliver({ type: 'accepted', clientOrderId: child.engineId, tsUs, venueStamped });
      }
      return;
    }
    if (child.terminalSent) return;
    child.acceptedSent = true;
    child.ackVenueStamped = venueStamped;
    if (child.phase === 'submitting') child.phase = 'open';
    this.deliver(venueStamped ? { type: 'accepted', clientOrderId: child.engineId, tsUs, venueStamped } : { type: 'accepted', clientOrderId: child.engineId, tsUs });
    if (child.cancelWanted && child.orderId !== null) {
      child.cancelWanted = false;
      this.track(this.cancelFlow(child));
    }
  }
  /** One terminal event per child; held while fills it reports have not been seen (reordering). */
  protected sendTerminal(child: Child, event: OrderEvent): void {
    if (child.terminalSent || child.held) return;
    const cum = heldCumQty(event);
    if (event.type === 'canceled' && cum > child.seenFillQty && this.options.reorderWaitMs > 0) {
      this.stats.heldTerminals++;
      const atUs = this.clock.nowUs() + this.options.reorderWaitMs * 1000 * this.clock.speed;
      child.held = { event, timer: this.clock.setTimer(atUs, () => this.releaseHeld(child)) };
      return;
    }
    if (event.type === 'canceled') child.maxCumQty = Math.max(child.maxCumQty, cum);
    this.markDone(child);
    this.deliver(event);
    this.releaseReplacement(child);
  }
  protected releaseHeld(child: Child): void {
    const held = child.held;
    if (!held) return;
    this.clock.cancelTimer(held.timer);
    child.held = null;
    if (child.terminalSent) return;
    if (held.event.type === 'canceled') child.maxCumQty = Math.max(child.maxCumQty, held.event.cumQty);
    this.markDone(child);
    this.deliver(held.event);
    this.releaseReplacement(child);
  }
  protected markDone(child: Child): void {
    child.terminalSent = true;
    if (child.watching) {
      child.watching = false;
      this.quotes.unwatch(child.request.symbol);
    }
  }

  protected learnOrderId(child: Child, orderId: string): void {
    if (child.orderId === null && orderId) child.orderId = orderId;
  }
  /** The venue shrinks a replacement by what the old order filled after the PATCH: size it from the venue's word. */
  protected learnVenueQty(child: Child, qty: number): void {
    if (child.replaces !== null && Number.isFinite(qty) && qty > 0 && qty < child.request.qty) child.request.qty = qty;
  }
  protected newChild(request: ChildOrderRequest): Child {
    const child: Child = {
      engineId: request.clientOrderId,
      venueId: this.venueClientId(request.clientOrderId),
      request: { ...request },
      orderId: null,
      phase: 'submitting',
      acceptedSent: false,
      ackVenueStamped: false,
      terminalSent: false,
      execIds: new Set(),
      seenFillQty: 0,
      maxCumQty: 0,
      cancelWanted: false,
      queryWanted: false,
      held: null,
      watching: true,
      replaces: null,
      replacedBy: null,
      venueReplaced: false,
      blocked: false,
      queued: [],
      cancelAfterReplace: false,
      cancelRequests: 0,
      refused: false,
      orphanCanceled: false,
      engineQty: request.qty,
      oldFilledAtRequest: 0,
      allowedQty: null,
      oversizeCanceled: false,
    };
    this.byEngineId.set(child.engineId, child);
    this.byVenueId.set(child.venueId, child);
    this.quotes.watch(request.symbol);
    return child;
  }
  venueClientId(engineId: string): string {
    return `${this.options.clientIdPrefix}${this.options.runTag}-${engineId}`;
  }
  protected retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, fn, this.options.retry, (n) => this.noteRetry(n));
  }
  protected noteRetry(n: RetryNotice): void {
    this.stats.retries++;
    this.options.log?.(`live: ${n.what}: ${describe(n.error)} — retrying (${n.attemptsLeft} left)`);
  }
  protected deliver(event: OrderEvent): void {
    try {
      // Observers first: the journal records the venue's word before the engine acts on it.
      for (const observer of this.observers) observer(event);
      this.listener?.(event);
    } catch (err) {
      this.fatal(err);
    }
  }
  /** Run on a later turn (never inside an engine call). */
  protected later(fn: () => void): void {
    this.pendingTurns++;
    setImmediate(() => {
      this.pendingTurns--;
      this.guard(fn);
    });
  }

  /** A REST call in flight or an answer queued for a later turn (lockstep waits until neither). */
  busy(): boolean {
    return this.inFlight.size > 0 || this.pendingTurns > 0 || this.quotes.busy();
  }
  protected guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fatal(err);
    }
  }
  protected fatal(err: unknown): void {
    if (this.options.onFatal) this.options.onFatal(err);
    else throw err;
  }
  protected track(promise: Promise<unknown>): void {
    const tracked = promise.catch((err) => this.fatal(err)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
