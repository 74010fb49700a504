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
 * Quantity: child-ledger.ts (remaining = parent qty − Σ child filled; children are sized from it).
 *
 * The executor never awaits: it reacts to quote notifications, order events and timers, and
 * emits submit / cancel / query commands through the Market port.
 */
import { ChildWorkflow, type ExecutorContext } from './child-workflow.ts';
import { buildExecutionRecord, type ArrivalQuote } from './execution-record.ts';
import { ladderParams, marketStepPrice, quoteProblem, spreadPct, stepPercentageFor, stepPrice, type LadderParams, type StepQuote } from './ladder.ts';
import { makeTickTable, samePrice, type TickTable } from './ticks.ts';
import type { EndReason, ExecutionRecord, ParentOrder, Quote } from './types.ts';
import { nyDay } from '../core/calendar.ts';

export type { ExecutorContext } from './child-workflow.ts';

export class ParentExecutor extends ChildWorkflow {
  private readonly params: LadderParams;
  private readonly ticks: TickTable;
  private readonly day: string;
  private readonly deadlineUs: number;
  protected readonly marketStep: number;

  private unsubscribe: (() => void) | null = null;
  private frozenQuote: StepQuote | null = null;
  private readonly stepPercentages: number[] = [];
  private marketRetries = 0;
  private endReason: EndReason | null = null;
  private readonly arrival: ArrivalQuote;

  constructor(parent: ParentOrder, ctx: ExecutorContext) {
    super(parent, ctx);
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
    return this.ledger.remainingQty();
  }

  /**
   * Stop now (Ctrl-C, end of data): cancel every child still in the market (the working one and a
   * replacement in flight), finish the record with `reason`. Later venue answers still amend it.
   */
  shutdown(reason: EndReason): void {
    if (this.state === 'done') return;
    for (const child of this.ledger.children) if (!child.terminal) this.sendCancel(child);
    this.finish(reason);
    // No cancel answer within cancel_ack_timeout (a lost ack): ask the venue for each child still open.
    const at = this.ctx.clock.nowUs() + this.ctx.config.execution.cancel_ack_timeout_ms * 1000;
    this.ctx.clock.setTimer(at, () => {
      for (const child of this.ledger.children) if (!child.terminal) this.ctx.market.queryOrder(child.record.clientOrderId);
    });
  }

  // ── steps ────────────────────────────────────────────────────────────────────────────────

  protected enterStep(requested: number): void {
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

  protected enterMarketStep(): void {
    this.step = this.marketStep;
    const working = this.child && !this.child.terminal ? this.child : null;
    const now = this.ctx.clock.nowUs();
    const quote = this.usableQuote(now);
    // The spread guard is re-checked before crossing the spread.
    const guardPasses = quote !== null && spreadPct(quote.bid, quote.ask) <= this.ctx.config.risk.max_spread_pct;
    if (!guardPasses) {
      // Not priceable yet (no usable quote, or the spread guard): a working child keeps resting —
      // it may still fill at its price — exactly as a limit step waits; it moves once the market
      // step can be priced, or is canceled when the wait runs out.
      if (this.spreadWaitTimer === null) {
        const waitUs = this.ctx.config.execution.market_step.spread_wait_s * 1e6;
        this.spreadWaitTimer = this.ctx.clock.setTimer(now + waitUs, () => this.onSpreadWaitOver());
      }
      return this.waitForQuote(this.marketStep);
    }
    this.clearTimer('spreadWaitTimer');
    if (working) {
      if (this.canReplace(working)) return this.moveChild(working, this.marketStep, this.marketPrice(quote), quote, true);
      return this.cancelThen({ kind: 'step', step: this.marketStep });
    }
    this.sendChild(this.marketStep, this.marketPrice(quote), quote, true);
    this.startChildTimer(true);
  }

  /** The market step waited `spread_wait_s` for a priceable quote: give up (a resting child is canceled first). */
  private onSpreadWaitOver(): void {
    this.spreadWaitTimer = null;
    if (this.state !== 'waiting' || this.waitingStep < this.marketStep) return;
    if (this.child && !this.child.terminal) return this.cancelThen({ kind: 'finish', reason: 'spread_guard_timeout' });
    this.finish('spread_guard_timeout');
  }

  /** Far touch ± collar for a usable quote. */
  private marketPrice(quote: StepQuote): number {
    const collar = this.ctx.config.execution.market_step;
    return marketStepPrice(quote, this.parent.side, { ticks: collar.collar_ticks, bps: collar.collar_bps }, this.tickUnits(quote));
  }

  /** Limit steps time out after the side's step timeout; the market step re-prices after retry_after_s. */
  protected startChildTimer(isMarketStep: boolean): void {
    if (!isMarketStep) return this.startStepTimer();
    this.clearTimer('stepTimer');
    const at = this.ctx.clock.nowUs() + this.ctx.config.execution.market_step.retry_after_s * 1e6;
    this.stepTimer = this.ctx.clock.setTimer(at, () => this.onMarketRetry());
  }

  protected onStepTimeout(): void {
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

  // ── bookkeeping ──────────────────────────────────────────────────────────────────────────

  private notePercentage(step: number, quote: StepQuote): void {
    this.stepPercentages[step] = stepPercentageFor(spreadPct(quote.bid, quote.ask), this.params);
  }

  private tickUnits(quote: StepQuote): number {
    return this.ticks.tickUnits(this.parent.symbol, (quote.bid + quote.ask) / 2, this.day);
  }

  protected finish(reason: EndReason | null): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.stopWaiting();
    for (const name of ['stepTimer', 'deadlineTimer', 'cancelAckTimer', 'retryTimer', 'spreadWaitTimer'] as const) this.clearTimer(name);
    this.endReason = reason;
    this.record = this.buildRecord();
    this.ctx.onDone(this, this.record);
  }

  protected buildRecord(): ExecutionRecord {
    return buildExecutionRecord({
      parent: this.parent,
      arrival: this.arrival,
      filledQty: this.ledger.filledQty(),
      children: this.ledger.children.map((c) => c.record),
      stepPercentages: this.stepPercentages,
      endReason: this.endReason,
      endTsUs: this.ctx.clock.nowUs(),
    });
  }
}
