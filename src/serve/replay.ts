/**
 * The replay venue behind `serve`: one New York day of tapes from a directory, replayed on a
 * VirtualClock that follows the wall clock at `speed` (pacer.ts), with orders filled by SimMarket
 * under the configured fill model and latency (config `sim`), and the broker (broker.ts) keeping
 * Alpaca's order lifecycle, positions and cash.
 *
 * Each advance to virtual time T runs SimMarket (tape events of symbols with resting orders,
 * order arrivals, acks, fills, the broker's timers) through every event stamped ≤ T, then
 * publishes to the market-data stream every tape row stamped ≤ T − feed latency (the fixed
 * median `sim.latency.feed.ms`). Speed `max` advances in adaptive steps as fast as the
 * market-data clients read (it waits while they are backlogged); it starts once a client has
 * subscribed to market data or sent an order, and once the tape has ended, time goes on at
 * speed 1 so late orders still get their acks.
 */
import { randomUUID } from 'node:crypto';
import { extendedSession, nyLocalToUtcUs, regularSession } from '../core/calendar.ts';
import { nextTradingDay } from '../core/exchange-calendar.ts';
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { makeTickTable } from '../engine/ticks.ts';
import { EventClass, VirtualClock } from '../sim/clock.ts';
import { SimMarket } from '../sim/market.ts';
import { firstIndexAfter, lastIndexAtOrBefore, type SymbolDay } from '../data/tape/tape.ts';
import { Broker, type NewOrder, type ReplaceRequest, type TouchQuote, type TradeUpdate } from './broker.ts';
import { Faults } from './faults.ts';
import { TapeLibrary } from './history.ts';
import { uuidSource } from './ids.ts';
import { accountJson, positionsJson, type MarkPrices } from './account.ts';
import { isOpen, type OrderRecord } from './orders.ts';
import { TradeUpdateOutbox } from './outbox.ts';
import { ReplayDriver, type DrivenVenue, type Speed } from './replay-driver.ts';
import { Portfolio } from './portfolio.ts';
import { rfc3339Micros } from './wire.ts';
import type { LatestRow, MarketClock, MarketDataSink, TapeEvent, Venue } from './venue.ts';

export type { Speed } from './replay-driver.ts';

export interface ReplayVenueOptions {
  /** Tape directory (DIR/<SYMBOL>/<DAY>.{quotes,trades}.arrow). */
  dir: string;
  config: LadderConfig;
  /** New York date to replay; default the earliest day in the directory. */
  day?: string;
  /** Symbols to replay; default every symbol with a tape on that day. */
  symbols?: readonly string[];
  /** Default `config.serve.speed`. */
  speed?: Speed;
  /** Virtual start; default `config.serve.start` (New York time) on the day. */
  startUs?: number;
  /** Wall clock in ms (tests may pass a fake). */
  wallNowMs?: () => number;
}

interface Cursor {
  symbol: string;
  tape: SymbolDay;
  nextQuote: number;
  nextTrade: number;
}

function parseStart(start: string, day: string): number {
  const [h, m, s] = start.split(':').map(Number);
  return nyLocalToUtcUs(day, ((h * 60 + m) * 60 + (s ?? 0)) * 1000);
}

export class ReplayVenue implements Venue, DrivenVenue {
  readonly day: string;
  readonly symbols: readonly string[];
  readonly faults: Faults;
  readonly library: TapeLibrary;
  readonly historyLookAhead: boolean;
  readonly speed: Speed;

  private readonly clock: VirtualClock;
  private readonly market: SimMarket;
  private readonly broker: Broker;
  private readonly portfolio: Portfolio;
  private readonly outbox: TradeUpdateOutbox;
  private readonly tapes = new Map<string, SymbolDay>();
  private readonly cursors: Cursor[] = [];
  private readonly sinks: MarketDataSink[] = [];
  private readonly feedLagUs: number;
  private readonly endUs: number;
  private readonly startingCash: number;
  private readonly createdAtUs: number;
  private readonly accountId: string;
  private readonly driver: ReplayDriver;

  constructor(options: ReplayVenueOptions) {
    const { config } = options;
    this.library = new TapeLibrary(options.dir);
    const available = this.library.symbols();
    if (available.length === 0) throw new InputError(`${options.dir}: no tapes found (expected DIR/<SYMBOL>/<DAY>.quotes.arrow and .trades.arrow)`);
    const allDays = [...new Set(available.flatMap((s) => this.library.days(s)))].sort();
    this.day = options.day ?? allDays[0];
    const symbols = options.symbols ?? available.filter((s) => this.library.days(s).includes(this.day));
    for (const s of symbols) {
      if (!this.library.days(s).includes(this.day)) throw new InputError(`${options.dir}: no tape for ${s} on ${this.day} (days on file: ${this.library.days(s).join(', ') || 'none'})`);
    }
    if (symbols.length === 0) throw new InputError(`${options.dir}: no tapes on ${this.day} (days on file: ${allDays.join(', ')})`);
    this.symbols = [...symbols].sort();
    for (const s of this.symbols) this.tapes.set(s, this.library.load(s, this.day));

    this.speed = options.speed ?? config.serve.speed;
    this.historyLookAhead = config.serve.history_look_ahead;
    const startUs = options.startUs ?? parseStart(config.serve.start, this.day);
    this.createdAtUs = startUs;
    this.clock = new VirtualClock(startUs);
    this.feedLagUs = Math.round(config.sim.latency.feed.ms * 1000);
    this.startingCash = config.serve.cash;
    const tapes = [...this.tapes.values()];
    this.market = new SimMarket({ clock: this.clock, sim: config.sim, seed: config.seed, tapes, days: [this.day] });
    let end = startUs;
    for (const t of tapes) {
      if (t.quotes.length > 0) end = Math.max(end, t.quotes.ts[t.quotes.length - 1]);
      if (t.trades.length > 0) end = Math.max(end, t.trades.ts[t.trades.length - 1]);
      this.cursors.push({
        symbol: t.symbol,
        tape: t,
        nextQuote: firstIndexAfter(t.quotes.ts.subarray(0, t.quotes.length), startUs - this.feedLagUs),
        nextTrade: firstIndexAfter(t.trades.ts.subarray(0, t.trades.length), startUs - this.feedLagUs),
      });
    }
    this.endUs = end + this.feedLagUs;

    this.faults = new Faults(config.serve.faults, this.day);
    this.portfolio = new Portfolio(config.serve.cash);
    this.outbox = new TradeUpdateOutbox(this.clock, this.faults);
    // Salted per start, as Alpaca never hands out an id twice: a restarted server must not repeat
    // the ids of its previous life (a client resuming a run looks orders up by them).
    const newId = uuidSource(`${config.seed}:${randomUUID()}`);
    this.accountId = newId();
    const ticks = makeTickTable(config.ticks.overrides);
    const regular = regularSession(this.day);
    const extended = extendedSession(this.day);
    this.broker = new Broker({
      market: this.market,
      clock: this.clock,
      portfolio: this.portfolio,
      faults: this.faults,
      session: { openUs: regular.openUs, closeUs: regular.closeUs, extendedOpenUs: extended.openUs, extendedCloseUs: extended.closeUs },
      symbols: new Set(this.symbols),
      newId,
      tickUnits: (symbol, price) => ticks.tickUnits(symbol, price, this.day),
      quote: (symbol) => this.usableQuote(symbol),
    });
    this.broker.onUpdate((update) => this.outbox.push(update));
    this.driver = new ReplayDriver(this, this.speed, options.wallNowMs ?? (() => Date.now()));
  }

  // ── pacing (replay-driver.ts) ─────────────────────────────────────────────────────────────

  /** Start the replay clock (the server calls this once it listens). */
  start(): void {
    this.driver.start();
  }

  close(): void {
    this.driver.close();
  }

  advanceBy(us: number): void {
    this.driver.advanceBy(us);
  }

  /** Lockstep (`speed: lockstep`): move to min(untilUs, the next due event); returns the new time. */
  get lockstep(): boolean {
    return this.speed === 'lockstep';
  }

  lockstepTo(untilUs: number): number {
    return this.driver.step(untilUs);
  }

  /** Run the venue through `targetUs` and publish the rows that became visible; returns rows published. */
  advanceTo(targetUs: number): number {
    const to = Math.max(targetUs, this.clock.nowUs());
    this.market.run(to, EventClass.timer + 1);
    return this.publish();
  }

  tapeEndUs(): number {
    return this.endUs;
  }

  backlogged(): boolean {
    return this.sinks.some((s) => s.backlogged());
  }

  /**
   * The first time after now at which something is due: a venue event (order arrival, ack, fill,
   * broker timer, held trade update), a row to publish (row time + feed latency), or — with a feed
   * latency — a row the matching reads at its own time. Only symbols a client wants or holds an
   * open order in count, so a replay of a busy day does not stop at every row nobody reads.
   */
  nextEventUs(): number {
    const now = this.clock.nowUs();
    let next = this.clock.nextUs();
    for (const c of this.cursors) {
      if (!this.symbolActive(c.symbol)) continue;
      const q = c.tape.quotes;
      const t = c.tape.trades;
      if (c.nextQuote < q.length) next = Math.min(next, q.ts[c.nextQuote] + this.feedLagUs);
      if (c.nextTrade < t.length) next = Math.min(next, t.ts[c.nextTrade] + this.feedLagUs);
      if (this.feedLagUs > 0) {
        const qi = firstIndexAfter(q.ts.subarray(0, q.length), now);
        const ti = firstIndexAfter(t.ts.subarray(0, t.length), now);
        if (qi < q.length) next = Math.min(next, q.ts[qi]);
        if (ti < t.length) next = Math.min(next, t.ts[ti]);
      }
    }
    return next > now ? next : Infinity;
  }

  private symbolActive(symbol: string): boolean {
    return this.sinks.some((s) => s.wants(symbol)) || this.broker.all().some((o) => o.symbol === symbol && isOpen(o));
  }

  anyClientInterest(): boolean {
    return this.broker.all().length > 0 || this.symbols.some((symbol) => this.sinks.some((sink) => sink.wants(symbol)));
  }

  settle(): void {
    this.advanceTo(this.clock.nowUs());
  }

  nowUs(): number {
    return this.clock.nowUs();
  }

  // ── market data ──────────────────────────────────────────────────────────────────────────

  addMarketDataSink(sink: MarketDataSink): () => void {
    this.sinks.push(sink);
    return () => {
      const at = this.sinks.indexOf(sink);
      if (at >= 0) this.sinks.splice(at, 1);
    };
  }

  /** Rows stamped ≤ now − feed latency not yet published: to the sinks when wanted, else skipped. */
  private publish(): number {
    const asOfUs = this.clock.nowUs() - this.feedLagUs;
    const events: TapeEvent[] = [];
    for (const c of this.cursors) {
      const q = c.tape.quotes;
      const t = c.tape.trades;
      const wanted = this.sinks.some((s) => s.wants(c.symbol));
      if (!wanted) {
        if (c.nextQuote < q.length && q.ts[c.nextQuote] <= asOfUs) c.nextQuote = firstIndexAfter(q.ts.subarray(0, q.length), asOfUs);
        if (c.nextTrade < t.length && t.ts[c.nextTrade] <= asOfUs) c.nextTrade = firstIndexAfter(t.ts.subarray(0, t.length), asOfUs);
        continue;
      }
      while (c.nextTrade < t.length && t.ts[c.nextTrade] <= asOfUs) {
        events.push({ symbol: c.symbol, kind: 't', tape: c.tape, index: c.nextTrade, tsUs: t.ts[c.nextTrade] });
        c.nextTrade++;
      }
      while (c.nextQuote < q.length && q.ts[c.nextQuote] <= asOfUs) {
        events.push({ symbol: c.symbol, kind: 'q', tape: c.tape, index: c.nextQuote, tsUs: q.ts[c.nextQuote] });
        c.nextQuote++;
      }
    }
    if (events.length === 0) return 0;
    // Time order; at equal times trades before quotes (DESIGN §3), then symbol order (sort is stable).
    events.sort((a, b) => a.tsUs - b.tsUs || (a.kind === b.kind ? 0 : a.kind === 't' ? -1 : 1));
    for (const sink of [...this.sinks]) sink.deliver(events);
    return events.length;
  }

  latest(symbol: string, kind: 'quotes' | 'trades'): LatestRow | undefined {
    const tape = this.tapes.get(symbol);
    if (!tape) return undefined;
    const asOfUs = this.clock.nowUs() - this.feedLagUs;
    if (kind === 'quotes') {
      const index = lastIndexAtOrBefore(tape.quotes.ts.subarray(0, tape.quotes.length), asOfUs);
      return index < 0 ? undefined : { kind, cols: tape.quotes, index };
    }
    const index = lastIndexAtOrBefore(tape.trades.ts.subarray(0, tape.trades.length), asOfUs);
    return index < 0 ? undefined : { kind, cols: tape.trades, index };
  }

  /** The latest quote if it is neither locked nor crossed. */
  private usableQuote(symbol: string): TouchQuote | undefined {
    const row = this.latest(symbol, 'quotes');
    if (!row || row.kind !== 'quotes') return undefined;
    const bid = row.cols.bid[row.index];
    const ask = row.cols.ask[row.index];
    return bid > 0 && ask > bid ? { bid, ask } : undefined;
  }

  // ── clock ────────────────────────────────────────────────────────────────────────────────

  marketClock(): MarketClock {
    const nowUs = this.clock.nowUs();
    const { openUs, closeUs } = regularSession(this.day);
    const next = regularSession(nextTradingDay(this.day));
    if (nowUs >= closeUs) return { nowUs, isOpen: false, nextOpenUs: next.openUs, nextCloseUs: next.closeUs };
    const faultUntil = this.faults.closedUntil(Math.max(nowUs, openUs));
    const reopenUs = faultUntil === null ? openUs : faultUntil;
    if (nowUs < openUs || faultUntil !== null) {
      return reopenUs < closeUs
        ? { nowUs, isOpen: false, nextOpenUs: Math.max(reopenUs, openUs), nextCloseUs: closeUs }
        : { nowUs, isOpen: false, nextOpenUs: next.openUs, nextCloseUs: next.closeUs };
    }
    return { nowUs, isOpen: true, nextOpenUs: next.openUs, nextCloseUs: closeUs };
  }

  // ── orders ───────────────────────────────────────────────────────────────────────────────

  submitOrder(order: NewOrder): OrderRecord {
    return this.broker.submit(order);
  }

  getOrder(id: string): OrderRecord | undefined {
    return this.broker.get(id);
  }

  getOrderByClientId(clientOrderId: string): OrderRecord | undefined {
    return this.broker.getByClientId(clientOrderId);
  }

  orders(): readonly OrderRecord[] {
    return this.broker.all();
  }

  replaceOrder(id: string, patch: ReplaceRequest): OrderRecord {
    return this.broker.replace(id, patch);
  }

  cancelOrder(id: string): void {
    this.broker.cancel(id);
  }

  cancelAllOrders(): OrderRecord[] {
    return this.broker.cancelAll();
  }

  onTradeUpdate(listener: (update: TradeUpdate) => void): () => void {
    return this.outbox.subscribe(listener);
  }

  faultsChanged(): void {
    this.broker.reconsiderHeld();
    this.settle();
  }

  // ── account ──────────────────────────────────────────────────────────────────────────────

  private readonly prices: MarkPrices = {
    mark: (symbol) => this.markPrice(symbol),
    reference: (symbol) => this.referencePrice(symbol),
  };

  /** Mark price: the latest print, else the latest quote's mid, else NaN. */
  private markPrice(symbol: string): number {
    const trade = this.latest(symbol, 'trades');
    if (trade && trade.kind === 'trades') return trade.cols.price[trade.index];
    const quote = this.usableQuote(symbol);
    return quote ? (quote.bid + quote.ask) / 2 : Number.NaN;
  }

  /** The day's first print: the tape has no previous close. */
  private referencePrice(symbol: string): number {
    const tape = this.tapes.get(symbol);
    return tape && tape.trades.length > 0 ? tape.trades.price[0] : Number.NaN;
  }

  positionsJson(): Record<string, unknown>[] {
    return positionsJson(this.portfolio, this.prices);
  }

  accountJson(): Record<string, unknown> {
    return accountJson({
      id: this.accountId,
      day: this.day,
      createdAtUs: this.createdAtUs,
      startingCash: this.startingCash,
      portfolio: this.portfolio,
      orders: this.broker.all(),
      prices: this.prices,
    });
  }

  status(): Record<string, unknown> {
    return {
      day: this.day,
      symbols: this.symbols,
      speed: this.speed,
      now: rfc3339Micros(this.clock.nowUs()),
      now_us: this.clock.nowUs(),
      tape_end: rfc3339Micros(this.endUs),
      open_orders: this.broker.all().filter(isOpen).length,
      waiting_for_client: this.driver.waitingForClient(),
      faults: this.faults.current,
    };
  }
}
