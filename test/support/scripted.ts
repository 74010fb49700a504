/**
 * A scripted clock and market for engine tests: no real timers, no simulator. The test moves
 * time, sets quotes and plays the venue's answers by hand; the market records every command.
 */
import type { ChildOrderRequest, Clock, Market, OrderEvent, SessionInfo } from '../../src/engine/ports.ts';
import type { Quote } from '../../src/engine/types.ts';

export const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000; // 2024-03-05 10:00 New York (EST), epoch µs
export const SEC = 1_000_000;

export class ScriptedClock implements Clock {
  private now: number;
  private seq = 0;
  private timers: { id: number; atUs: number; seq: number; callback: () => void }[] = [];
  constructor(startUs = T0) {
    this.now = startUs;
  }
  nowUs(): number {
    return this.now;
  }
  setTimer(atUs: number, callback: () => void): number {
    const id = ++this.seq;
    this.timers.push({ id, atUs: Math.max(atUs, this.now), seq: id, callback });
    return id;
  }
  cancelTimer(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }
  pendingTimers(): number[] {
    return this.timers.map((t) => t.atUs).sort((a, b) => a - b);
  }
  /** Run every timer due up to `tUs` in time order, then stand at `tUs`. */
  advanceTo(tUs: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.atUs <= tUs).sort((a, b) => a.atUs - b.atUs || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.atUs;
      due.callback();
    }
    this.now = tUs;
  }
  advanceBy(us: number): void {
    this.advanceTo(this.now + us);
  }
}

export type Command =
  | { kind: 'submit'; order: ChildOrderRequest; atUs: number }
  | { kind: 'replace'; oldClientOrderId: string; order: ChildOrderRequest; atUs: number }
  | { kind: 'cancel'; clientOrderId: string; atUs: number }
  | { kind: 'query'; clientOrderId: string; atUs: number };

export class ScriptedMarket implements Market {
  readonly commands: Command[] = [];
  private quotes = new Map<string, Quote>();
  private listeners = new Map<string, Set<() => void>>();
  private orderListener: (e: OrderEvent) => void = () => {};
  private execSeq = 0;
  session: (tsUs: number) => SessionInfo = () => ({ isOpen: true, openUs: T0 - 30 * 60 * SEC, closeUs: T0 + 6 * 3600 * SEC });

  constructor(private readonly clock: ScriptedClock) {}

  /** Set the quote and notify subscribers. The quote counts as current now. */
  setQuote(symbol: string, bid: number, ask: number, bidSize = 500, askSize = 500): void {
    this.quotes.set(symbol, { tsUs: this.clock.nowUs(), bid, ask, bidSize, askSize });
    for (const l of [...(this.listeners.get(symbol) ?? [])]) l();
  }
  /**
   * true: the feed keeps confirming the quote, so it is current now (like a replayed tape);
   * false: the quote is as old as its last update (a dead feed), for staleness tests.
   */
  feedAlive = true;
  latestQuote(symbol: string): Quote | undefined {
    const q = this.quotes.get(symbol);
    return q && this.feedAlive ? { ...q, tsUs: this.clock.nowUs() } : q;
  }
  subscribeQuotes(symbol: string, listener: () => void): () => void {
    const set = this.listeners.get(symbol) ?? new Set();
    set.add(listener);
    this.listeners.set(symbol, set);
    return () => set.delete(listener);
  }
  subscriberCount(symbol: string): number {
    return this.listeners.get(symbol)?.size ?? 0;
  }
  submit(order: ChildOrderRequest): void {
    this.commands.push({ kind: 'submit', order, atUs: this.clock.nowUs() });
  }
  cancel(clientOrderId: string): void {
    this.commands.push({ kind: 'cancel', clientOrderId, atUs: this.clock.nowUs() });
  }
  /** Set `supportsReplace` to offer Market.replace (Alpaca's PATCH); the test plays the answers. */
  set supportsReplace(on: boolean) {
    this.replace = on ? (oldClientOrderId, order) => this.commands.push({ kind: 'replace', oldClientOrderId, order, atUs: this.clock.nowUs() }) : undefined;
  }
  replace?: (oldClientOrderId: string, order: ChildOrderRequest) => void;
  replaces(): [string, string, number, number][] {
    return this.commands
      .filter((c): c is Extract<Command, { kind: 'replace' }> => c.kind === 'replace')
      .map((c) => [c.oldClientOrderId, c.order.clientOrderId, c.order.limitPrice, c.order.qty]);
  }
  queryOrder(clientOrderId: string): void {
    this.commands.push({ kind: 'query', clientOrderId, atUs: this.clock.nowUs() });
  }
  setOrderListener(listener: (e: OrderEvent) => void): void {
    this.orderListener = listener;
  }

  // ── the venue's side, played by the test ──
  submits(): ChildOrderRequest[] {
    return this.commands.filter((c): c is Extract<Command, { kind: 'submit' }> => c.kind === 'submit').map((c) => c.order);
  }
  lastSubmit(): ChildOrderRequest {
    const s = this.submits();
    return s[s.length - 1];
  }
  cancels(): string[] {
    return this.commands.filter((c) => c.kind === 'cancel').map((c) => (c as { clientOrderId: string }).clientOrderId);
  }
  queries(): string[] {
    return this.commands.filter((c) => c.kind === 'query').map((c) => (c as { clientOrderId: string }).clientOrderId);
  }
  accept(id: string): void {
    this.orderListener({ type: 'accepted', clientOrderId: id, tsUs: this.clock.nowUs() });
  }
  fill(id: string, qty: number, price: number, cumQty: number, execId = `x${++this.execSeq}`): string {
    this.orderListener({ type: 'fill', clientOrderId: id, tsUs: this.clock.nowUs(), execId, qty, price, cumQty });
    return execId;
  }
  canceled(id: string, cumQty: number): void {
    this.orderListener({ type: 'canceled', clientOrderId: id, tsUs: this.clock.nowUs(), cumQty });
  }
  rejected(id: string, reason = 'venue says no'): void {
    this.orderListener({ type: 'rejected', clientOrderId: id, tsUs: this.clock.nowUs(), reason });
  }
  cancelRejected(id: string): void {
    this.orderListener({ type: 'cancel_rejected', clientOrderId: id, tsUs: this.clock.nowUs(), reason: 'too late' });
  }
  status(id: string, status: Extract<OrderEvent, { type: 'status' }>['status'], cumQty: number): void {
    this.orderListener({ type: 'status', clientOrderId: id, tsUs: this.clock.nowUs(), status, cumQty });
  }
  /** Emit a raw event (duplicates, odd orders). */
  emit(event: OrderEvent): void {
    this.orderListener(event);
  }
}
