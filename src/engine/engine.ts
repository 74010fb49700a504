/**
 * Many parents at once: runs risk checks against shared state (positions, working orders, used
 * client order ids), starts one ParentExecutor per accepted parent, routes order events to the
 * executor that owns the child, and collects the ExecutionRecords.
 */
import type { EngineConfig } from './config.ts';
import { ParentExecutor, type ExecutorContext } from './executor.ts';
import { ladderParams, type LadderParams } from './ladder.ts';
import type { Clock, Market, OrderEvent } from './ports.ts';
import { ladderWorstCaseS } from './prescreen.ts';
import { checkParent } from './risk.ts';
import { makeTickTable, type TickTable } from './ticks.ts';
import { sideSign, type ChildRecord, type EndReason, type ExecutionRecord, type ParentOrder, type RejectReason } from './types.ts';

export interface EngineOptions {
  clock: Clock;
  market: Market;
  config: EngineConfig;
  onRecord?: (record: ExecutionRecord) => void;
  /** A child was made, just before the market is asked to send it (live journals it first). */
  onChildSent?: (parent: ParentOrder, child: ChildRecord) => void;
  /**
   * The market-order baseline: every parent goes straight to the market step at arrival, through
   * the same market model, so "improvement vs a market order" is measured, not assumed.
   */
  marketOnly?: boolean;
  /**
   * false: skip the checks that depend on how earlier parents fared or on this config's ladder
   * (duplicate_working, max_position, session_end), because the caller decided them on the
   * order list for every config it runs (prescreen.ts, sweeps).
   */
  pathChecks?: boolean;
  /**
   * How a working child moves to a new price: 'cancel_replace' (default) cancels it and submits
   * a new one once it is out; 'replace' sends one Market.replace (Alpaca's PATCH) when the market
   * offers it, falling back to cancel then submit when the venue refuses.
   */
  amend?: 'cancel_replace' | 'replace';
}

export class LadderEngine {
  private readonly clock: Clock;
  private readonly market: Market;
  private readonly config: EngineConfig;
  private readonly params: LadderParams;
  private readonly ticks: TickTable;
  private readonly onRecord?: (record: ExecutionRecord) => void;
  private readonly onChildSent?: (parent: ParentOrder, child: ChildRecord) => void;
  private readonly marketOnly: boolean;
  private readonly pathChecks: boolean;
  private readonly amend: 'cancel_replace' | 'replace';
  private readonly executorsByChild = new Map<string, ParentExecutor>();
  private readonly working = new Set<ParentExecutor>();
  private readonly usedClientIds = new Set<string>();
  /** Signed filled position per symbol (+ long). */
  private readonly positions = new Map<string, number>();
  private readonly finished: ExecutionRecord[] = [];
  /** Parents waiting for an opposite-side parent on their symbol to end (risk.serialize_opposite_sides). */
  private readonly held: ParentOrder[] = [];
  private readonly executorContext: ExecutorContext;

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.market = options.market;
    this.config = options.config;
    this.onRecord = options.onRecord;
    this.onChildSent = options.onChildSent;
    this.marketOnly = options.marketOnly ?? false;
    this.pathChecks = options.pathChecks ?? true;
    this.amend = options.amend ?? 'cancel_replace';
    this.params = ladderParams(options.config.execution);
    this.ticks = makeTickTable(options.config.ticks.overrides);
    this.market.setOrderListener((event) => this.route(event));
    // One context for every executor (its callbacks name the executor): nothing made per parent.
    this.executorContext = {
      clock: this.clock,
      market: this.market,
      config: this.config,
      params: this.params,
      ticks: this.ticks,
      marketOnly: this.marketOnly,
      amend: this.amend,
      onChildSent: (childId, owner, record) => {
        this.executorsByChild.set(childId, owner);
        this.onChildSent?.(owner.parent, record);
      },
      onFilled: (owner, qty) => {
        const symbol = owner.parent.symbol;
        this.positions.set(symbol, (this.positions.get(symbol) ?? 0) + sideSign(owner.parent.side) * qty);
      },
      onDone: (owner, record) => this.onExecutorDone(owner, record),
    };
  }

  /** Call when the parent arrives (clock time = its arrival). */
  submit(parent: ParentOrder): void {
    const now = this.clock.nowUs();
    if (this.pathChecks && this.config.risk.serialize_opposite_sides && this.oppositeWorking(parent)) {
      // Started once the opposite side's parent ends (releaseHeld), arriving then.
      this.held.push(parent);
      return;
    }
    const decision = checkParent(
      parent,
      {
        nowUs: now,
        quote: this.market.latestQuote(parent.symbol),
        session: this.market.session(now),
        positionQty: this.pathChecks ? (this.positions.get(parent.symbol) ?? 0) : 0,
        workingQty: this.pathChecks ? this.workingQty(parent.symbol) : 0,
        sameSideWorking: this.pathChecks && this.config.risk.one_working_per_symbol_side && this.hasSameSideWorking(parent),
        clientOrderIdSeen: this.usedClientIds.has(parent.clientOrderId),
        worstCaseLadderS: this.pathChecks ? ladderWorstCaseS(this.config, parent.side) : 0,
      },
      this.config.risk,
    );
    if (decision.kind === 'queue') {
      // Market closed and queueing is on: present the same order again at the next open.
      this.clock.setTimer(decision.untilUs, () => this.submit({ ...parent, arrivalTsUs: decision.untilUs }));
      return;
    }
    if (decision.kind === 'reject') {
      this.emit(rejectedRecord(parent, decision.reason, this.market.latestQuote(parent.symbol), now));
      return;
    }
    this.usedClientIds.add(parent.clientOrderId);
    const executor = new ParentExecutor(parent, this.executorContext);
    this.working.add(executor);
    executor.start();
  }

  records(): ExecutionRecord[] {
    return this.finished;
  }

  workingCount(): number {
    return this.working.size;
  }

  /** Signed filled position in `symbol`. */
  position(symbol: string): number {
    return this.positions.get(symbol) ?? 0;
  }

  /**
   * Cancel every working child and finish the open records with `reason`. Venue answers that
   * arrive afterwards (a fill that beat a cancel) still amend those records in place.
   */
  shutdown(reason: EndReason): void {
    for (const executor of [...this.working]) executor.shutdown(reason);
    // Parents still held for the opposite side never started.
    for (const parent of this.held.splice(0)) this.emit({ ...rejectedRecord(parent, 'duplicate_working', this.market.latestQuote(parent.symbol), this.clock.nowUs()), status: 'unfilled', reason });
  }

  private route(event: OrderEvent): void {
    this.executorsByChild.get(event.clientOrderId)?.onOrderEvent(event);
  }

  private oppositeWorking(parent: ParentOrder): boolean {
    for (const e of this.working) if (e.parent.symbol === parent.symbol && e.parent.side !== parent.side) return true;
    return false;
  }

  /** Held parents whose opposite side no longer works start now, in arrival order (on the clock's next turn). */
  private releaseHeld(): void {
    const now = this.clock.nowUs();
    for (const parent of [...this.held]) {
      if (this.oppositeWorking(parent)) continue;
      this.held.splice(this.held.indexOf(parent), 1);
      this.clock.setTimer(now, () => this.submit({ ...parent, arrivalTsUs: this.clock.nowUs() }));
    }
  }

  private onExecutorDone(executor: ParentExecutor, record: ExecutionRecord): void {
    this.working.delete(executor);
    if (this.held.length > 0) this.releaseHeld();
    // Keep routing entries: late duplicates for finished children are ignored by their executor.
    this.emit(record);
  }

  private emit(record: ExecutionRecord): void {
    this.finished.push(record);
    this.onRecord?.(record);
  }

  /** A parent on the same symbol and side still working (a loop: no copy of the working set per parent). */
  private hasSameSideWorking(parent: ParentOrder): boolean {
    for (const e of this.working) if (e.parent.symbol === parent.symbol && e.parent.side === parent.side) return true;
    return false;
  }

  private workingQty(symbol: string): number {
    let qty = 0;
    for (const e of this.working) if (e.parent.symbol === symbol) qty += sideSign(e.parent.side) * e.remainingQty();
    return qty;
  }
}

function rejectedRecord(parent: ParentOrder, reason: RejectReason, quote: { bid: number; ask: number; bidSize: number; askSize: number } | undefined, nowUs: number): ExecutionRecord {
  return {
    clientOrderId: parent.clientOrderId,
    symbol: parent.symbol,
    side: parent.side,
    qty: parent.qty,
    filledQty: 0,
    arrivalTsUs: parent.arrivalTsUs,
    arrivalBid: quote?.bid ?? NaN,
    arrivalAsk: quote?.ask ?? NaN,
    arrivalBidSize: quote?.bidSize ?? NaN,
    arrivalAskSize: quote?.askSize ?? NaN,
    avgPrice: NaN,
    fillStep: -1,
    timeToFillUs: NaN,
    endTsUs: nowUs,
    status: 'rejected',
    reason,
    stepPercentages: [],
    children: [],
  };
}
