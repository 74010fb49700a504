/**
 * The venue side of one parent's ladder (DESIGN §2): sending, moving (cancel then submit, or one
 * replace) and canceling its children, and reacting to the venue's answers. Children never overlap:
 * a new child is sent only once the working one is canceled, filled or rejected. The step logic
 * (which step, at what price, when) is ParentExecutor's (executor.ts).
 */
import type { EngineConfig } from './config.ts';
import { ChildLedger, type Child, type FillEvent } from './child-ledger.ts';
import type { ParentExecutor } from './executor.ts';
import type { LadderParams, StepQuote } from './ladder.ts';
import type { ChildOrderRequest, Clock, Market, OrderEvent, TimerId } from './ports.ts';
import type { TickTable } from './ticks.ts';
import type { ChildRecord, EndReason, ExecutionRecord, ParentOrder } from './types.ts';

export type State = 'waiting' | 'active' | 'canceling' | 'retrying' | 'done';

/** What to do once the working child is out of the market. */
export type AfterCancel =
  | { kind: 'step'; step: number }
  | { kind: 'finish'; reason: EndReason }
  /** A replace was sent: once the old child is out, the replacement becomes the working child. */
  | { kind: 'adopt'; child: Child; step: number };

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
  onChildSent(childId: string, executor: ParentExecutor, record: ChildRecord): void;
  /** New filled quantity (for the shared position). */
  onFilled(executor: ParentExecutor, qty: number): void;
  onDone(executor: ParentExecutor, record: ExecutionRecord): void;
}

type TimerName = 'stepTimer' | 'deadlineTimer' | 'cancelAckTimer' | 'retryTimer' | 'spreadWaitTimer';

export abstract class ChildWorkflow {
  readonly parent: ParentOrder;
  protected readonly ctx: ExecutorContext;
  protected readonly ledger: ChildLedger;
  protected state: State = 'waiting';
  protected step = 0;
  protected child: Child | null = null;
  protected afterCancel: AfterCancel | null = null;
  /** The child a replace request asked for, until the venue answers. */
  protected replacement: Child | null = null;
  protected waitingStep = 0;
  protected rejectRetries = 0;
  protected record: ExecutionRecord | null = null;

  protected stepTimer: TimerId | null = null;
  protected deadlineTimer: TimerId | null = null;
  protected cancelAckTimer: TimerId | null = null;
  protected retryTimer: TimerId | null = null;
  protected spreadWaitTimer: TimerId | null = null;

  constructor(parent: ParentOrder, ctx: ExecutorContext) {
    this.parent = parent;
    this.ctx = ctx;
    const self = this as unknown as ParentExecutor;
    this.ledger = new ChildLedger(parent, ctx.clock, (record) => ctx.onChildSent(record.clientOrderId, self, record), (qty) => ctx.onFilled(self, qty));
  }

  protected abstract readonly marketStep: number;
  protected abstract enterStep(requested: number): void;
  protected abstract onStepTimeout(): void;
  protected abstract enterMarketStep(): void;
  protected abstract startChildTimer(isMarketStep: boolean): void;
  protected abstract finish(reason: EndReason | null): void;
  protected abstract buildRecord(): ExecutionRecord;

  // ── children ─────────────────────────────────────────────────────────────────────────────

  protected sendChild(step: number, limitPrice: number, quote: StepQuote, isMarketStep: boolean): void {
    const child = this.ledger.create(step, limitPrice, quote, isMarketStep);
    this.child = child;
    this.state = 'active';
    this.ctx.market.submit(this.requestFor(child));
  }

  protected requestFor(child: Child): ChildOrderRequest {
    const { clientOrderId, qty, limitPrice } = child.record;
    return { clientOrderId, symbol: this.parent.symbol, side: this.parent.side, qty, limitPrice, timeInForce: 'day' };
  }

  /** Move the working child to a new price: one replace message when asked for and possible, else cancel then submit. */
  protected moveChild(working: Child, step: number, price: number, quote: StepQuote, isMarketStep: boolean): void {
    if (!this.canReplace(working)) return this.cancelThen({ kind: 'step', step });
    this.clearTimer('stepTimer');
    const next = this.ledger.create(step, price, quote, isMarketStep);
    next.record.replaces = working.record.clientOrderId;
    this.replacement = next;
    this.afterCancel = { kind: 'adopt', child: next, step };
    this.state = 'canceling';
    working.record.cancelSentTsUs ??= this.ctx.clock.nowUs();
    this.ctx.market.replace!(working.record.clientOrderId, this.requestFor(next));
    this.startCancelAckTimer();
  }

  /** Only an acknowledged child can be replaced; the venue must offer replace and the run ask for it. */
  protected canReplace(working: Child): boolean {
    return this.ctx.amend === 'replace' && this.ctx.market.replace !== undefined && working.record.status === 'working' && !working.cancelWhenAcked;
  }

  /** Take the working child out of the market, then do `next`. */
  protected cancelThen(next: AfterCancel): void {
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

  protected sendCancel(child: Child): void {
    child.record.cancelSentTsUs ??= this.ctx.clock.nowUs();
    this.ctx.market.cancel(child.record.clientOrderId);
  }

  protected startCancelAckTimer(): void {
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
  protected onChildOut(): void {
    this.clearTimer('cancelAckTimer');
    this.state = 'waiting';
    const next = this.afterCancel;
    this.afterCancel = null;
    if (this.ledger.remainingQty() <= 0) return this.finish(null);
    if (!next) return this.enterStep(this.step);
    if (next.kind === 'finish') return this.finish(next.reason);
    if (next.kind === 'adopt') return this.adopt(next.child, next.step);
    this.enterStep(next.step);
  }

  /** The old child is out and the venue made the replacement: it is now the working child. */
  protected adopt(next: Child, step: number): void {
    this.replacement = null;
    if (next.terminal) return this.enterStep(step); // refused after all: price the step afresh
    // The venue shrank it by whatever the old child filled after the request.
    next.record.qty = Math.min(next.record.qty, this.ledger.remainingQty() + this.ledger.childFilled(next));
    this.child = next;
    this.state = 'active';
    // The deadline passed while the replace was in flight: the adopted limit moves on to the market step.
    if (step >= this.marketStep && !next.record.isMarketStep) return this.enterMarketStep();
    this.startChildTimer(next.record.isMarketStep);
  }

  /** The venue refused the replace: the old child works on, so take it out the ordinary way. */
  protected onReplaceRefused(step: number): void {
    this.replacement = null;
    this.afterCancel = { kind: 'step', step };
    const old = this.child;
    if (old && !old.terminal) this.sendCancel(old);
  }

  // ── order events ─────────────────────────────────────────────────────────────────────────

  onOrderEvent(event: OrderEvent): void {
    const child = this.ledger.find(event.clientOrderId);
    if (!child) return;
    if (this.state === 'done') return this.onEventAfterEnd(child, event);
    if (this.ledger.contradiction(child, event) !== null) return this.onVenueInconsistent(child, event);
    switch (event.type) {
      case 'accepted':
        if (child.record.status === 'pending_new') child.record.status = 'working';
        this.ledger.bookAck(child, event);
        if (child.cancelWhenAcked && !child.terminal) {
          child.cancelWhenAcked = false;
          this.sendCancel(child);
        }
        return;
      case 'fill':
        return this.onFill(child, event);
      case 'canceled':
        this.ledger.noteCumQty(child, event.cumQty);
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
        this.ledger.noteCumQty(child, event.cumQty);
        this.ledger.sync(child);
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

  protected onFill(child: Child, event: FillEvent): void {
    if (!this.ledger.bookFill(child, event)) return;
    if (child.record.status === 'pending_new') child.record.status = 'working';
    this.ledger.sync(child);
    if (!child.terminal && this.ledger.childFilled(child) >= child.record.qty) this.onTerminal(child, 'filled', event.tsUs);
  }

  /**
   * The parent has ended (shutdown, or a venue answer still in flight), but the venue's word about
   * its children still stands: a fill that beat the final cancel really happened. Book it on the
   * child — no state machine, nothing sent — and rebuild the record in place (same object, so
   * whoever holds it sees the update; end time kept).
   */
  /**
   * The venue's quantities contradict each other: stop this parent — cancel what may still work,
   * end it `venue_inconsistent` — and only then book what the venue said (it is on the record, and
   * no child is ever sized from it).
   */
  protected onVenueInconsistent(child: Child, event: OrderEvent): void {
    for (const c of this.ledger.children) if (!c.terminal && c.record.status !== 'pending_new') this.sendCancel(c);
    this.finish('venue_inconsistent');
    this.onEventAfterEnd(child, event);
  }

  protected onEventAfterEnd(child: Child, event: OrderEvent): void {
    // The final cancel was refused (the order filled, or the venue lost it): ask what became of it,
    // so a fill whose update never comes still reaches the record.
    if (event.type === 'cancel_rejected' && !child.terminal) this.ctx.market.queryOrder(child.record.clientOrderId);
    this.ledger.bookAfterEnd(child, event);
    if (event.type !== 'accepted' && this.record) Object.assign(this.record, this.buildRecord(), { endTsUs: this.record.endTsUs });
  }

  protected onTerminal(child: Child, status: 'filled' | 'canceled' | 'rejected', tsUs: number): void {
    if (child.terminal) return;
    this.ledger.sync(child);
    child.terminal = true;
    child.record.status = status;
    child.record.doneTsUs = tsUs;
    if (child === this.replacement && status === 'rejected' && this.afterCancel?.kind === 'adopt') {
      return this.onReplaceRefused(this.afterCancel.step);
    }
    if (child !== this.child) return;
    if (this.ledger.remainingQty() <= 0) return this.finish(null);
    if (this.state === 'canceling') return this.onChildOut();
    // A replacement refused after its old child was already out (the venue canceled it first): the
    // step move did not happen — not a child reject; enter the step afresh with a new child.
    if (status === 'rejected' && child.record.replaces !== undefined && child.record.ackTsUs === null) {
      this.clearTimer('stepTimer');
      return this.enterStep(this.step);
    }
    if (status === 'rejected') return this.onChildRejected();
    // Canceled by the venue while we wanted it working: enter the step in force afresh.
    this.clearTimer('stepTimer');
    this.enterStep(this.state === 'waiting' ? this.waitingStep : this.step);
  }

  protected onChildRejected(): void {
    this.clearTimer('stepTimer');
    // Refused as a potential wash trade: re-sending is refused again while our other side works.
    if (this.child?.record.rejectReason === 'wash_trade') return this.finish('wash_trade');
    if (this.rejectRetries >= this.ctx.config.execution.reject_retries) return this.finish('child_rejected');
    this.rejectRetries++;
    this.state = 'retrying';
    const at = this.ctx.clock.nowUs() + this.ctx.config.execution.reject_retry_delay_ms * 1000;
    this.retryTimer = this.ctx.clock.setTimer(at, () => {
      this.retryTimer = null;
      if (this.state === 'retrying') this.enterStep(this.step);
    });
  }

  protected startStepTimer(): void {
    this.clearTimer('stepTimer');
    const seconds = this.parent.side === 'buy' ? this.ctx.config.execution.step_timeout_buy : this.ctx.config.execution.step_timeout_sell;
    this.stepTimer = this.ctx.clock.setTimer(this.ctx.clock.nowUs() + seconds * 1e6, () => this.onStepTimeout());
  }

  protected clearTimer(name: TimerName): void {
    const id = this[name];
    if (id !== null) {
      this.ctx.clock.cancelTimer(id);
      this[name] = null;
    }
  }
}
