/**
 * The latest quote per symbol, as the engine reads it live: the data stream's quote, confirmed by
 * each stream message for the symbol, with the REST latest quote as the fallback.
 *
 *   Quote.tsUs = clock time the quote was last known current
 *              = max(receipt of the symbol's latest stream message, send time of the latest REST ask)
 *
 * (see Quote.tsUs in engine/types.ts). A quote whose age reaches stale_ms / 2 is re-asked over REST
 * — on read, and on a timer for symbols someone watches (open children, waiting executors) — so a
 * dropped or stalled stream turns into REST polling instead of a stale quote, while a quiet symbol
 * on a healthy stream costs one REST call per stale_ms / 2. A REST answer older (venue time) than
 * the quote already held only confirms it. One request per symbol is in flight at a time.
 */
import type { Clock } from '../engine/ports.ts';
import type { Quote } from '../engine/types.ts';
import type { RestQuote, StreamQuoteMsg } from './alpaca-api.ts';

interface Entry {
  symbol: string;
  /** The engine's view (overwritten in place). */
  view: Quote;
  has: boolean;
  /** Venue time of the quote held. */
  venueTsUs: number;
  listeners: (() => void)[];
  refreshing: boolean;
  watchers: number;
}

export interface QuoteCacheStats {
  streamQuotes: number;
  restRequests: number;
  restQuotesApplied: number;
  restFailures: number;
}

export interface QuoteCacheOptions {
  clock: Clock;
  staleMs: number;
  fetchLatest: (symbol: string) => Promise<RestQuote | null>;
  /** A REST quote newer than anything held (for the tape). */
  onRestQuote?: (symbol: string, quote: RestQuote) => void;
  /** A REST failure (already retried; `fatal` false) or a listener that threw (`fatal` true: the engine broke). */
  onError?: (what: string, err: unknown, fatal: boolean) => void;
}

export class QuoteCache {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly refreshAgeUs: number;
  private readonly options: QuoteCacheOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private pollTimer: number | null = null;
  private stopped = false;
  readonly stats: QuoteCacheStats = { streamQuotes: 0, restRequests: 0, restQuotesApplied: 0, restFailures: 0 };

  constructor(options: QuoteCacheOptions) {
    this.options = options;
    this.clock = options.clock;
    this.refreshAgeUs = (options.staleMs * 1000) / 2;
  }

  /** The engine's read: the held quote (possibly stale, the engine checks); a refresh is asked when due. */
  latest(symbol: string): Quote | undefined {
    const entry = this.entry(symbol);
    if (this.dueForRefresh(entry)) this.refresh(symbol);
    return entry.has ? entry.view : undefined;
  }

  subscribe(symbol: string, listener: () => void): () => void {
    const entry = this.entry(symbol);
    entry.listeners.push(listener);
    entry.watchers++;
    this.ensurePolling();
    if (this.dueForRefresh(entry)) this.refresh(symbol);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const at = entry.listeners.indexOf(listener);
      if (at >= 0) entry.listeners.splice(at, 1);
      entry.watchers--;
    };
  }

  /** Keep `symbol` fresh even without listeners (e.g. while a child rests on it). */
  watch(symbol: string): void {
    this.entry(symbol).watchers++;
    this.ensurePolling();
  }

  unwatch(symbol: string): void {
    const entry = this.entry(symbol);
    if (entry.watchers > 0) entry.watchers--;
  }

  onStreamQuote(q: StreamQuoteMsg): void {
    const entry = this.entry(q.symbol);
    this.stats.streamQuotes++;
    const view = entry.view;
    view.tsUs = this.clock.nowUs();
    view.bid = q.bid;
    view.ask = q.ask;
    view.bidSize = q.bidSize;
    view.askSize = q.askSize;
    if (Number.isFinite(q.tsUs)) entry.venueTsUs = q.tsUs;
    entry.has = true;
    this.notify(entry);
  }

  /** Any other stream message for the symbol (a trade): the stream is alive, the quote held still stands. */
  onStreamMessage(symbol: string): void {
    const entry = this.entries.get(symbol);
    if (entry?.has) entry.view.tsUs = this.clock.nowUs();
  }

  /** Ask REST now (no-op when a request for the symbol is in flight). */
  refresh(symbol: string): Promise<void> {
    const entry = this.entry(symbol);
    if (entry.refreshing || this.stopped) return Promise.resolve();
    entry.refreshing = true;
    this.stats.restRequests++;
    const askedUs = this.clock.nowUs();
    const task = this.options
      .fetchLatest(symbol)
      .then((quote) => {
        if (this.stopped) return;
        if (quote) this.applyRest(entry, quote, askedUs);
        this.notify(entry);
      })
      .catch((err) => {
        this.stats.restFailures++;
        this.options.onError?.(`latest quote ${symbol}`, err, false);
      })
      .finally(() => {
        entry.refreshing = false;
        this.inFlight.delete(task);
      });
    this.inFlight.add(task);
    return task;
  }

  busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Wait for the REST requests in flight (shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== null) this.clock.cancelTimer(this.pollTimer);
    this.pollTimer = null;
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────

  private applyRest(entry: Entry, quote: RestQuote, askedUs: number): void {
    const newer = !entry.has || !Number.isFinite(entry.venueTsUs) || quote.tsUs > entry.venueTsUs;
    if (newer && quote.bid > 0 && quote.ask > 0) {
      entry.view.bid = quote.bid;
      entry.view.ask = quote.ask;
      entry.view.bidSize = quote.bidSize;
      entry.view.askSize = quote.askSize;
      if (Number.isFinite(quote.tsUs)) entry.venueTsUs = quote.tsUs;
      entry.has = true;
      this.stats.restQuotesApplied++;
      this.options.onRestQuote?.(entry.symbol, quote);
    }
    if (entry.has && askedUs > entry.view.tsUs) entry.view.tsUs = askedUs;
  }

  private dueForRefresh(entry: Entry): boolean {
    return !entry.refreshing && (!entry.has || this.clock.nowUs() - entry.view.tsUs >= this.refreshAgeUs);
  }

  private ensurePolling(): void {
    if (this.pollTimer !== null || this.stopped) return;
    // Poll at a quarter of stale_ms: a watched quote is re-asked between stale/2 and 3·stale/4.
    const periodUs = Math.max(1000, this.refreshAgeUs / 2);
    const tick = () => {
      this.pollTimer = null;
      if (this.stopped) return;
      let anyWatched = false;
      for (const entry of this.entries.values()) {
        if (entry.watchers <= 0) continue;
        anyWatched = true;
        if (this.dueForRefresh(entry)) this.refresh(entry.symbol);
      }
      if (anyWatched) this.pollTimer = this.clock.setTimer(this.clock.nowUs() + periodUs, tick);
    };
    this.pollTimer = this.clock.setTimer(this.clock.nowUs() + periodUs, tick);
  }

  private notify(entry: Entry): void {
    if (entry.listeners.length === 0) return;
    for (const listener of entry.listeners.slice()) {
      if (!entry.listeners.includes(listener)) continue;
      try {
        listener();
      } catch (err) {
        this.options.onError?.(`quote listener ${entry.symbol}`, err, true);
      }
    }
  }

  private entry(symbol: string): Entry {
    let entry = this.entries.get(symbol);
    if (!entry) {
      entry = {
        symbol,
        view: { tsUs: Number.NEGATIVE_INFINITY, bid: Number.NaN, ask: Number.NaN, bidSize: 0, askSize: 0 },
        has: false,
        venueTsUs: Number.NaN,
        listeners: [],
        refreshing: false,
        watchers: 0,
      };
      this.entries.set(symbol, entry);
    }
    return entry;
  }
}
