/**
 * One parent order through the progressive ladder: an event-driven state machine (DESIGN §2).
 *
 * States
 *   waiting   no usable quote for the step it wants to enter; subscribed to quote notifications
 *             (a child from the previous step may keep resting meanwhile)
 *   active    one child working, its step timer running
 *   canceling the child's cancel was sent (or is due once the child is acknowledged); no new
 *             child until it is canceled, filled or rejected — children never overlap
 *   retrying  a child was rejected; re-sent after `reject_retry_delay_ms`
 *   done      the record is final
 *
 * Quantity: remaining = parent qty − Σ over children of the child's filled qty, where a child's
 * filled qty = max(Σ qty of its fills de-duplicated by execution id, the venue's largest reported
 * cumulative qty). A child is always sized from that, never from assumptions, so a fill that
 * arrives after a cancel or out of order can never make the parent over-fill.
 *
 * The executor never awaits: it reacts to quote notifications, order events and timers, and
 * emits submit / cancel / query commands through the Market port.
 */
import type { EngineConfig } from './config.ts';
import { ladderParams, marketStepPrice, quoteProblem, spreadPct, stepPercentageFor, stepPrice, type LadderParams, type StepQuote } from './ladder.ts';
import type { ChildOrderRequest, Clock, Market, OrderEvent, TimerId } from './ports.ts';
import { dollarsToUnits, makeTickTable, samePrice, UNITS_PER_DOLLAR, type TickTable } from './ticks.ts';
import type { ChildRecord, EndReason, ExecutionRecord, ParentOrder, ParentStatus, Quote } from './types.ts';
import { nyDay } from '../core/calendar.ts';

type State = 'waiting' | 'active' | 'canceling' | 'retrying' | 'done';

/** What to do once the working child is out of the market. */
type AfterCancel =
  | { kind: 'step'; step: number }
  | { kind: 'finish'; reason: EndReason }
  /** A replace was sent: once the old child is out, the replacement becomes the working child. */
  | { kind: 'adopt'; child: Child; step: number };

interface Child {
  record: ChildRecord;
  /** Step currently in force for this child (it may be kept across steps at the same price). */
  currentStep: number;
  execIds: Set<string>;
  uniqueFillQty: number;
  maxCumQty: number;
  terminal: boolean;
  /** Cancel wanted while the venue has not acknowledged the order yet. */
  cancelWhenAcked: boolean;
}

export interface ExecutorContext {
  clock: Clock;
  market: Market;
  config: EngineConfig;
  params?: LadderParams;
  ticks?: TickTable;
  /** Baseline mode: skip the limit steps and send the market step at arrival. */
  marketOnly?: boolean;
  /** 'replace': move a working child with Market.replace (one message) when the market has it. */
  amend?: 'cancel_replace' | 'replace';
  /** A child was sent: the engine routes its events back here. */
  onChildSent(childId: string, executor: ParentExecutor): void;
  /** New filled quantity (for the shared position). */
  onFilled(executor: ParentExecutor, qty: number): void;
  onDone(executor: ParentExecutor, record: ExecutionRecord): void;
}

export class ParentExecutor {
  readonly parent: ParentOrder;
  private readonly ctx: ExecutorContext;
  private readonly params: LadderParams;
  private readonly ticks: TickTable;
  private readonly day: string;
  private readonly deadlineUs: number;
  private readonly marketStep: number;

  private state: State = 'waiting';
  private step = 0;
  private child: Child | null = null;
  private readonly children: Child[] = [];
  private afterCancel: AfterCancel | null = null;
  /** The child a replace request asked for, until the venue answers. */
  private replacement: Child | null = null;
  private waitingStep = 0;
  private unsubscribe: (() => void) | null = null;
  private frozenQuote: StepQuote | null = null;
  private readonly stepPercentages: number[] = [];
  private marketRetries = 0;
  private rejectRetries = 0;
  private endReason: EndReason | null = null;
  private record: ExecutionRecord | null = null;
  private readonly arrival: { bid: number; ask: number; bidSize: number; askSize: number };

  private stepTimer: TimerId | null = null;
  private deadlineTimer: TimerId | null = null;
  private cancelAckTimer: TimerId | null = null;
  private retryTimer: TimerId | null = null;
  private spreadWaitTimer: TimerId | null = null;

  constructor(parent: ParentOrder, ctx: ExecutorContext) {
    this.parent = parent;
    this.ctx = ctx;
    this.params = ctx.params ?? ladderParams(ctx.config.execution);
    this.ticks = ctx.ticks ?? makeTickTable(ctx.config.ticks.overrides);
    this.marketStep = this.params.steps;
    const now = ctx.clock.nowUs();
    this.day = nyDay(now);
    this.deadlineUs = now + ctx.config.execution.max_execution_time * 1e6;
    const q = ctx.market.latestQuote(parent.symbol);
    this.arrival = q
      ? { bid: q.bid, ask: q.ask, bidSize: q.bidSize, askSize: q.askSize }
      : { bid: NaN, ask: NaN, bidSize: NaN, askSize: NaN };
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────

  start(): void {
    if (this.ctx.marketOnly) return this.enterStep(this.marketStep);
    this.deadlineTimer = this.ctx.clock.setTimer(this.deadlineUs, () => this.onDeadline());
    this.enterStep(0);
  }

  isDone(): boolean {
    return this.state === 'done';
  }

  /** Remaining signed-less quantity still to fill. */
  remainingQty(): number {
    return this.parent.qty - this.filledQty();
  }

  /**
   * Stop now (Ctrl-C, end of data): cancel every child still in the market (the working one and a
   * replacement in flight), finish the record with `reason`. Later venue answers still amend it.
   */
  shutdown(reason: EndReason): void {
    if (this.state === 'done') return;
    for (const child of this.children) if (!child.terminal) this.sendCancel(child);
    this.finish(reason);
  }

  // ── steps ────────────────────────────────────────────────────────────────────────────────

  private enterStep(requested: number): void {
    if (this.state === 'done') return;
    this.stopWaiting();
    const now = this.ctx.clock.nowUs();
    const step = requested < this.marketStep && now >= this.deadlineUs ? this.marketStep : requested;
    if (step >= this.marketStep) return this.enterMarketStep();

    const quote = this.pricingQuote(now);
    if (!quote) return this.waitForQuote(step);
    const price = stepPrice(quote, this.parent.side, step, this.params, this.tickUnits(quote));
    this.step = step;

    const working = this.child;
    if (working && !working.terminal) {
      if (samePrice(working.record.limitPrice, price) && !working.record.isMarketStep) {
        // Several steps can round to one tick on tight spreads: keep the child's queue place.
        working.record.stepsKept.push(step);
        working.currentStep = step;
        this.notePercentage(step, quote);
        this.state = 'active';
        this.startStepTimer();
        return;
      }
      this.notePercentage(step, quote);
      return this.moveChild(working, step, price, quote, false);
    }
    this.notePercentage(step, quote);
    this.sendChild(step, price, quote, false);
    this.startChildTimer(false);
  }

  private enterMarketStep(): void {
    this.step = this.marketStep;
    const working = this.child && !this.child.terminal ? this.child : null;
    const now = this.ctx.clock.nowUs();
    const quote = this.usableQuote(now);
    // The spread guard is re-checked before crossing the spread.
    const guardPasses = quote !== null && spreadPct(quote.bid, quote.ask) <= this.ctx.config.risk.max_spread_pct;
    if (working) {
      if (guardPasses && this.canReplace(working)) return this.moveChild(working, this.marketStep, this.marketPrice(quote), quote, true);
      return this.cancelThen({ kind: 'step', step: this.marketStep });
    }
    if (!guardPasses) {
      if (this.spreadWaitTimer === null) {
        const waitUs = this.ctx.config.execution.market_step.spread_wait_s * 1e6;
        this.spreadWaitTimer = this.ctx.clock.setTimer(now + waitUs, () => {
          this.spreadWaitTimer = null;
          if (this.state === 'waiting' && this.waitingStep >= this.marketStep) this.finish('spread_guard_timeout');
        });
      }
      return this.waitForQuote(this.marketStep);
    }
    this.clearTimer('spreadWaitTimer');
    this.sendChild(this.marketStep, this.marketPrice(quote), quote, true);
    this.startChildTimer(true);
  }

  /** Far touch ± collar for a usable quote. */
  private marketPrice(quote: StepQuote): number {
    const collar = this.ctx.config.execution.market_step;
    return marketStepPrice(quote, this.parent.side, { ticks: collar.collar_ticks, bps: collar.collar_bps }, this.tickUnits(quote));
  }

  /** Limit steps time out after the side's step timeout; the market step re-prices after retry_after_s. */
  private startChildTimer(isMarketStep: boolean): void {
    if (!isMarketStep) return this.startStepTimer();
    this.clearTimer('stepTimer');
    const at = this.ctx.clock.nowUs() + this.ctx.config.execution.market_step.retry_after_s * 1e6;
    this.stepTimer = this.ctx.clock.setTimer(at, () => this.onMarketRetry());
  }

  private onStepTimeout(): void {
    this.stepTimer = null;
    if (this.state !== 'active') return;
    this.enterStep(this.step + 1);
  }

  private onMarketRetry(): void {
    this.stepTimer = null;
    if (this.state !== 'active') return;
    // The collared rest did not fill: re-price at the new far touch, a bounded number of times.
    this.marketRetries++;
    if (this.marketRetries > this.ctx.config.execution.market_step.max_retries) {
      return this.cancelThen({ kind: 'finish', reason: 'collar_exhausted' });
    }
    this.enterMarketStep();
  }

  private onDeadline(): void {
    this.deadlineTimer = null;
    if (this.state === 'done' || this.step >= this.marketStep) return;
    // max_execution_time reached: go to the market step at once.
    this.clearTimer('stepTimer');
    this.clearTimer('retryTimer');
    if (this.state === 'canceling') {
      // A replace in flight still makes a live order: keep adopting it, then move it to the market step.
      if (this.afterCancel?.kind === 'adopt') this.afterCancel.step = this.marketStep;
      else this.afterCancel = { kind: 'step', step: this.marketStep };
      return;
    }
    this.enterStep(this.marketStep);
  }

  // ── quotes ───────────────────────────────────────────────────────────────────────────────

  /** The quote to price a limit step from: current, or frozen at arrival (`reprice: arrival`). */
  private pricingQuote(now: number): StepQuote | null {
    if (this.ctx.config.execution.reprice === 'arrival') {
      if (!this.frozenQuote) {
        const q = this.usableQuote(now);
        if (q) this.frozenQuote = { bid: q.bid, ask: q.ask };
      }
      return this.frozenQuote;
    }
    return this.usableQuote(now);
  }

  private usableQuote(now: number): Quote | null {
    const quote = this.ctx.market.latestQuote(this.parent.symbol);
    return quoteProblem(quote, now, this.ctx.config.execution.stale_ms) === null ? quote! : null;
  }

  private waitForQuote(step: number): void {
    this.waitingStep = step;
    this.state = 'waiting';
    if (!this.unsubscribe) {
      this.unsubscribe = this.ctx.market.subscribeQuotes(this.parent.symbol, () => this.onQuote());
    }
  }

  private onQuote(): void {
    if (this.state !== 'waiting') return;
    if (this.usableQuote(this.ctx.clock.nowUs()) === null) return;
    this.enterStep(this.waitingStep);
  }

  private stopWaiting(): void {
    if (this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  // ── children ─────────────────────────────────────────────────────────────────────────────

  private sendChild(step: number, limitPrice: number, quote: StepQuote, isMarketStep: boolean): void {
    const child = this.createChild(step, limitPrice, quote, isMarketStep);
    this.child = child;
    this.state = 'active';
    this.ctx.market.submit(this.requestFor(child));
  }

  /** A new child record for the remaining quantity, routed to this executor (not yet sent). */
  private createChild(step: number, limitPrice: number, quote: StepQuote, isMarketStep: boolean): Child {
    const clientOrderId = `${this.parent.clientOrderId}-${this.children.length + 1}`;
    const child: Child = {
      record: {
        clientOrderId,
        step,
        stepsKept: [],
        isMarketStep,
        limitPrice,
        qty: this.remainingQty(),
        sentTsUs: this.ctx.clock.nowUs(),
        ackTsUs: null,
        cancelSentTsUs: null,
        doneTsUs: null,
        status: 'pending_new',
        sentBid: quote.bid,
        sentAsk: quote.ask,
        filledQty: 0,
        rejectReason: null,
        fills: [],
      },
      currentStep: step,
      execIds: new Set(),
      uniqueFillQty: 0,
      maxCumQty: 0,
      terminal: false,
      cancelWhenAcked: false,
    };
    this.children.push(child);
    this.ctx.onChildSent(clientOrderId, this);
    return child;
  }

  private requestFor(child: Child): ChildOrderRequest {
    const { clientOrderId, qty, limitPrice } = child.record;
    return { clientOrderId, symbol: this.parent.symbol, side: this.parent.side, qty, limitPrice, timeInForce: 'day' };
  }

  /** Move the working child to a new price: one replace message when asked for and possible, else cancel then submit. */
  private moveChild(working: Child, step: number, price: number, quote: StepQuote, isMarketStep: boolean): void {
    if (!this.canReplace(working)) return this.cancelThen({ kind: 'step', step });
    this.clearTimer('stepTimer');
    const next = this.createChild(step, price, quote, isMarketStep);
    next.record.replaces = working.record.clientOrderId;
    this.replacement = next;
    this.afterCancel = { kind: 'adopt', child: next, step };
    this.state = 'canceling';
    working.record.cancelSentTsUs ??= this.ctx.clock.nowUs();
    this.ctx.market.replace!(working.record.clientOrderId, this.requestFor(next));
    this.startCancelAckTimer();
  }

  /** Only an acknowledged child can be replaced; the venue must offer replace and the run ask for it. */
  private canReplace(working: Child): boolean {
    return this.ctx.amend === 'replace' && this.ctx.market.replace !== undefined && working.record.status === 'working' && !working.cancelWhenAcked;
  }

  /** Take the working child out of the market, then do `next`. */
  private cancelThen(next: AfterCancel): void {
    const child = this.child!;
    this.clearTimer('stepTimer');
    this.afterCancel = next;
    this.state = 'canceling';
    if (child.record.status === 'pending_new') {
      // Never cancel what the venue has not acknowledged: the cancel could overtake the order.
      child.cancelWhenAcked = true;
    } else {
      this.sendCancel(child);
    }
    this.startCancelAckTimer();
  }

  private sendCancel(child: Child): void {
    child.record.cancelSentTsUs ??= this.ctx.clock.nowUs();
    this.ctx.market.cancel(child.record.clientOrderId);
  }

  private startCancelAckTimer(): void {
    this.clearTimer('cancelAckTimer');
    const at = this.ctx.clock.nowUs() + this.ctx.config.execution.cancel_ack_timeout_ms * 1000;
    this.cancelAckTimer = this.ctx.clock.setTimer(at, () => {
      this.cancelAckTimer = null;
      // No answer in time: ask the venue what became of the order.
      if (this.state === 'canceling' && this.child && !this.child.terminal) {
        this.ctx.market.queryOrder(this.child.record.clientOrderId);
        if (this.replacement && !this.replacement.terminal) this.ctx.market.queryOrder(this.replacement.record.clientOrderId);
        this.startCancelAckTimer();
      }
    });
  }

  /** The working child has left the market (canceled, filled or rejected while canceling). */
  private onChildOut(): void {
    this.clearTimer('cancelAckTimer');
    this.state = 'waiting';
    const next = this.afterCancel;
    this.afterCancel = null;
    if (this.remainingQty() <= 0) return this.finish(null);
    if (!next) return this.enterStep(this.step);
    if (next.kind === 'finish') return this.finish(next.reason);
    if (next.kind === 'adopt') return this.adopt(next.child, next.step);
    this.enterStep(next.step);
  }

  /** The old child is out and the venue made the replacement: it is now the working child. */
  private adopt(next: Child, step: number): void {
    this.replacement = null;
    if (next.terminal) return this.enterStep(step); // refused after all: price the step afresh
    // The venue shrank it by whatever the old child filled after the request.
    next.record.qty = Math.min(next.record.qty, this.parent.qty - this.filledQty() + this.childFilled(next));
    this.child = next;
    this.state = 'active';
    // The deadline passed while the replace was in flight: the adopted limit moves on to the market step.
    if (step >= this.marketStep && !next.record.isMarketStep) return this.enterMarketStep();
    this.startChildTimer(next.record.isMarketStep);
  }

  /** The venue refused the replace: the old child works on, so take it out the ordinary way. */
  private onReplaceRefused(step: number): void {
    this.replacement = null;
    this.afterCancel = { kind: 'step', step };
    const old = this.child;
    if (old && !old.terminal) this.sendCancel(old);
  }

  // ── order events ─────────────────────────────────────────────────────────────────────────

  onOrderEvent(event: OrderEvent): void {
    const child = this.children.find((c) => c.record.clientOrderId === event.clientOrderId);
    if (!child) return;
    if (this.state === 'done') return this.onEventAfterEnd(child, event);
    switch (event.type) {
      case 'accepted':
        if (child.record.status === 'pending_new') child.record.status = 'working';
        this.bookAck(child, event.tsUs);
        if (child.cancelWhenAcked && !child.terminal) {
          child.cancelWhenAcked = false;
          this.sendCancel(child);
        }
        return;
      case 'fill':
        return this.onFill(child, event);
      case 'canceled':
        child.maxCumQty = Math.max(child.maxCumQty, event.cumQty);
        return this.onTerminal(child, 'canceled', event.tsUs);
      case 'rejected':
        child.record.rejectReason = event.reason;
        return this.onTerminal(child, 'rejected', event.tsUs);
      case 'cancel_rejected':
        // A refused replace: the replacement's own rejection follows and drives the fallback.
        if (this.replacement && child === this.child) return;
        // Usually the order filled first; its fill event settles it. Ask, in case it does not come.
        if (!child.terminal) this.ctx.market.queryOrder(child.record.clientOrderId);
        return;
      case 'status':
        child.maxCumQty = Math.max(child.maxCumQty, event.cumQty);
        this.syncFilled(child);
        if (child.terminal) return;
        if (event.status === 'filled' || child.maxCumQty >= child.record.qty) return this.onTerminal(child, 'filled', event.tsUs);
        if (event.status === 'canceled') return this.onTerminal(child, 'canceled', event.tsUs);
        if (event.status === 'rejected' || event.status === 'unknown') return this.onTerminal(child, 'rejected', event.tsUs);
        if (child === this.replacement) {
          if (child.record.status === 'pending_new') child.record.status = 'working';
          return;
        }
        // Still open: the cancel was lost or is slow; send it again (a pending replace: keep waiting).
        if (this.state === 'canceling' && child === this.child && !this.replacement) {
          if (child.record.status === 'pending_new') child.record.status = 'working';
          child.cancelWhenAcked = false;
          this.sendCancel(child);
        }
        return;
    }
  }

  private onFill(child: Child, event: Extract<OrderEvent, { type: 'fill' }>): void {
    if (!this.bookFill(child, event)) return;
    if (child.record.status === 'pending_new') child.record.status = 'working';
    this.syncFilled(child);
    if (!child.terminal && this.childFilled(child) >= child.record.qty) this.onTerminal(child, 'filled', event.tsUs);
  }

  /**
   * The parent has ended (shutdown, or a venue answer still in flight), but the venue's word about
   * its children still stands: a fill that beat the final cancel really happened. Book it on the
   * child — no state machine, nothing sent — and rebuild the record in place (same object, so
   * whoever holds it sees the update; end time kept).
   */
  private onEventAfterEnd(child: Child, event: OrderEvent): void {
    switch (event.type) {
      case 'fill':
        if (!this.bookFill(child, event)) return;
        break;
      case 'canceled':
      case 'status':
        child.maxCumQty = Math.max(child.maxCumQty, event.cumQty);
        break;
      case 'accepted':
        this.bookAck(child, event.tsUs);
        return;
      default:
        break;
    }
    this.syncFilled(child);
    if (!child.terminal) {
      const terminal =
        this.childFilled(child) >= child.record.qty
          ? 'filled'
          : event.type === 'canceled' || (event.type === 'status' && event.status === 'canceled')
            ? 'canceled'
            : event.type === 'rejected' || (event.type === 'status' && (event.status === 'rejected' || event.status === 'unknown'))
              ? 'rejected'
              : null;
      if (terminal) {
        child.terminal = true;
        child.record.status = terminal;
        child.record.doneTsUs = event.tsUs;
      }
    }
    if (this.record) Object.assign(this.record, this.buildRecord(), { endTsUs: this.record.endTsUs });
  }

  /** Book a fill on its child, de-duplicated by execution id; false when it was seen before. */
  private bookFill(child: Child, event: Extract<OrderEvent, { type: 'fill' }>): boolean {
    if (child.execIds.has(event.execId)) return false;
    child.execIds.add(event.execId);
    child.uniqueFillQty += event.qty;
    child.maxCumQty = Math.max(child.maxCumQty, event.cumQty);
    child.record.fills.push({ execId: event.execId, tsUs: event.tsUs, price: event.price, qty: event.qty, step: child.currentStep, recvTsUs: this.ctx.clock.nowUs() });
    return true;
  }

  /** The first ack: the venue's time and when it reached us (the pair gives the response latency). */
  private bookAck(child: Child, venueTsUs: number): void {
    if (child.record.ackTsUs !== null) return;
    child.record.ackTsUs = venueTsUs;
    child.record.ackRecvTsUs = this.ctx.clock.nowUs();
  }

  /** Bring the child's and the parent's filled quantities up to date; report the increase. */
  private syncFilled(child: Child): void {
    const before = child.record.filledQty;
    const now = this.childFilled(child);
    if (now > before) {
      child.record.filledQty = now;
      this.ctx.onFilled(this, now - before);
    }
  }

  private childFilled(child: Child): number {
    return Math.max(child.uniqueFillQty, child.maxCumQty);
  }

  private onTerminal(child: Child, status: 'filled' | 'canceled' | 'rejected', tsUs: number): void {
    if (child.terminal) return;
    this.syncFilled(child);
    child.terminal = true;
    child.record.status = status;
    child.record.doneTsUs = tsUs;
    if (child === this.replacement && status === 'rejected' && this.afterCancel?.kind === 'adopt') {
      return this.onReplaceRefused(this.afterCancel.step);
    }
    if (child !== this.child) return;
    if (this.remainingQty() <= 0) return this.finish(null);
    if (this.state === 'canceling') return this.onChildOut();
    if (status === 'rejected') return this.onChildRejected();
    // Canceled by the venue while we wanted it working: enter the step in force afresh.
    this.clearTimer('stepTimer');
    this.enterStep(this.state === 'waiting' ? this.waitingStep : this.step);
  }

  private onChildRejected(): void {
    this.clearTimer('stepTimer');
    if (this.rejectRetries >= this.ctx.config.execution.reject_retries) return this.finish('child_rejected');
    this.rejectRetries++;
    this.state = 'retrying';
    const at = this.ctx.clock.nowUs() + this.ctx.config.execution.reject_retry_delay_ms * 1000;
    this.retryTimer = this.ctx.clock.setTimer(at, () => {
      this.retryTimer = null;
      if (this.state === 'retrying') this.enterStep(this.step);
    });
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────────────────────

  private filledQty(): number {
    let filled = 0;
    for (const c of this.children) filled += this.childFilled(c);
    return filled;
  }

  private startStepTimer(): void {
    this.clearTimer('stepTimer');
    const seconds = this.parent.side === 'buy' ? this.ctx.config.execution.step_timeout_buy : this.ctx.config.execution.step_timeout_sell;
    this.stepTimer = this.ctx.clock.setTimer(this.ctx.clock.nowUs() + seconds * 1e6, () => this.onStepTimeout());
  }

  private notePercentage(step: number, quote: StepQuote): void {
    this.stepPercentages[step] = stepPercentageFor(spreadPct(quote.bid, quote.ask), this.params);
  }

  private tickUnits(quote: StepQuote): number {
    return this.ticks.tickUnits(this.parent.symbol, (quote.bid + quote.ask) / 2, this.day);
  }

  private clearTimer(name: 'stepTimer' | 'deadlineTimer' | 'cancelAckTimer' | 'retryTimer' | 'spreadWaitTimer'): void {
    const id = this[name];
    if (id !== null) {
      this.ctx.clock.cancelTimer(id);
      this[name] = null;
    }
  }

  private finish(reason: EndReason | null): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.stopWaiting();
    for (const name of ['stepTimer', 'deadlineTimer', 'cancelAckTimer', 'retryTimer', 'spreadWaitTimer'] as const) this.clearTimer(name);
    this.endReason = reason;
    this.record = this.buildRecord();
    this.ctx.onDone(this, this.record);
  }

  private buildRecord(): ExecutionRecord {
    const filledQty = this.filledQty();
    // Notional in whole price units ($0.0001) is an exact integer sum, so a one-price fill
    // averages back to exactly its price (15.28, never 15.279999999999998).
    let notionalUnits = 0;
    let pricedQty = 0;
    let lastFill: { tsUs: number; step: number } | null = null;
    for (const c of this.children) {
      for (const f of c.record.fills) {
        notionalUnits += Math.round(dollarsToUnits(f.price)) * f.qty;
        pricedQty += f.qty;
        if (!lastFill || f.tsUs >= lastFill.tsUs) lastFill = { tsUs: f.tsUs, step: f.step };
      }
    }
    const status: ParentStatus = filledQty >= this.parent.qty ? 'filled' : filledQty > 0 ? 'partial' : 'unfilled';
    return {
      clientOrderId: this.parent.clientOrderId,
      symbol: this.parent.symbol,
      side: this.parent.side,
      qty: this.parent.qty,
      filledQty,
      arrivalTsUs: this.parent.arrivalTsUs,
      arrivalBid: this.arrival.bid,
      arrivalAsk: this.arrival.ask,
      arrivalBidSize: this.arrival.bidSize,
      arrivalAskSize: this.arrival.askSize,
      avgPrice: pricedQty > 0 ? notionalUnits / pricedQty / UNITS_PER_DOLLAR : NaN,
      fillStep: lastFill ? lastFill.step : -1,
      timeToFillUs: lastFill ? lastFill.tsUs - this.parent.arrivalTsUs : NaN,
      endTsUs: this.ctx.clock.nowUs(),
      status,
      reason: status === 'filled' ? null : this.endReason,
      stepPercentages: this.stepPercentages.slice(),
      children: this.children.map((c) => c.record),
    };
  }
}
