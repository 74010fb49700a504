/**
 * The children of one parent order and the quantities they filled (DESIGN §2):
 *   child filled  = max(Σ qty of its fills de-duplicated by execution id, the venue's largest cumQty)
 *   parent filled = Σ child filled;  remaining = parent qty − parent filled
 * A child is always sized from `remainingQty()`, never from assumptions, so a fill that arrives
 * after a cancel or out of order can never make the parent over-fill.
 */
import type { StepQuote } from './ladder.ts';
import type { Clock, OrderEvent } from './ports.ts';
import type { ChildRecord, ParentOrder } from './types.ts';

export interface Child {
  record: ChildRecord;
  /** Step currently in force for this child (it may be kept across steps at the same price). */
  currentStep: number;
  execIds: Set<string>;
  uniqueFillQty: number;
  maxCumQty: number;
  terminal: boolean;
  /** Cancel wanted while the venue has not acknowledged the order yet. */
  cancelWhenAcked: boolean;
  /** The recorded ack time is the venue's own stamp (bookAck). */
  ackVenueStamped?: boolean;
}

export type FillEvent = Extract<OrderEvent, { type: 'fill' }>;

export class ChildLedger {
  readonly children: Child[] = [];

  constructor(
    private readonly parent: ParentOrder,
    private readonly clock: Clock,
    /** A child was created (just before it is sent): the engine routes its events to the parent's executor. */
    private readonly onChildCreated: (record: ChildRecord) => void,
    /** The parent's filled quantity grew by `qty` (the shared position). */
    private readonly onFilled: (qty: number) => void,
  ) {}

  find(clientOrderId: string): Child | undefined {
    return this.children.find((c) => c.record.clientOrderId === clientOrderId);
  }

  /** A new child record for the remaining quantity (not yet sent). */
  create(step: number, limitPrice: number, quote: StepQuote, isMarketStep: boolean): Child {
    const clientOrderId = `${this.parent.clientOrderId}-${this.children.length + 1}`;
    const child: Child = {
      record: {
        clientOrderId,
        step,
        stepsKept: [],
        isMarketStep,
        limitPrice,
        qty: this.remainingQty(),
        sentTsUs: this.clock.nowUs(),
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
    this.onChildCreated(child.record);
    return child;
  }

  childFilled(child: Child): number {
    return Math.max(child.uniqueFillQty, child.maxCumQty);
  }

  filledQty(): number {
    let filled = 0;
    for (const c of this.children) filled += this.childFilled(c);
    return filled;
  }

  remainingQty(): number {
    return this.parent.qty - this.filledQty();
  }

  /** Book a fill on its child, de-duplicated by execution id; false when it was seen before. */
  bookFill(child: Child, event: FillEvent): boolean {
    if (child.execIds.has(event.execId)) return false;
    child.execIds.add(event.execId);
    child.uniqueFillQty += event.qty;
    child.maxCumQty = Math.max(child.maxCumQty, event.cumQty);
    child.record.fills.push({ execId: event.execId, tsUs: event.tsUs, price: event.price, qty: event.qty, step: child.currentStep, recvTsUs: this.clock.nowUs() });
    return true;
  }

  /**
   * The first ack: the venue's time and when it reached us (the pair gives the response latency).
   * A venue-stamped ack after one that was not (live: the REST answer acks, the trade stream's `new`
   * says when the venue accepted) replaces both times; it changes nothing else.
   */
  bookAck(child: Child, event: { tsUs: number; venueStamped?: boolean }): void {
    const record = child.record;
    if (record.ackTsUs !== null && (!event.venueStamped || child.ackVenueStamped)) return;
    if (event.venueStamped) child.ackVenueStamped = true;
    record.ackTsUs = event.tsUs;
    record.ackRecvTsUs = this.clock.nowUs();
  }

  /** The venue's cumulative quantity for a child (cancel or status answer). */
  noteCumQty(child: Child, cumQty: number): void {
    child.maxCumQty = Math.max(child.maxCumQty, cumQty);
  }

  /**
   * Does `event` contradict what the venue said before or the child itself? A child filled beyond
   * its qty (by fills or by cumQty), or `filled` with a cumQty below its qty (a replacement excepted:
   * the venue sized it). Such numbers must never size another child.
   */
  contradiction(child: Child, event: OrderEvent): string | null {
    const qty = child.record.qty;
    if (event.type === 'fill') {
      if (child.execIds.has(event.execId)) return null;
      if (child.uniqueFillQty + event.qty > qty) return `fills ${child.uniqueFillQty + event.qty} > qty ${qty}`;
      if (event.cumQty > qty) return `cumQty ${event.cumQty} > qty ${qty}`;
      return null;
    }
    if (event.type === 'canceled' || event.type === 'status') {
      if (event.cumQty > qty) return `cumQty ${event.cumQty} > qty ${qty}`;
      if (event.type === 'status' && event.status === 'filled' && event.cumQty < qty && child.record.replaces === undefined) return `filled with cumQty ${event.cumQty} < qty ${qty}`;
    }
    return null;
  }

  /** Bring the child's and the parent's filled quantities up to date; report the increase. */
  sync(child: Child): void {
    const before = child.record.filledQty;
    const now = this.childFilled(child);
    if (now > before) {
      child.record.filledQty = now;
      this.onFilled(now - before);
    }
  }

  /** Mark a child ended with the venue's final word. */
  end(child: Child, status: 'filled' | 'canceled' | 'rejected', tsUs: number): void {
    child.terminal = true;
    child.record.status = status;
    child.record.doneTsUs = tsUs;
  }

  /**
   * The parent has ended but the venue's word about its children still stands (a fill that beat
   * the final cancel really happened): book it on the child — no state machine, nothing sent.
   */
  bookAfterEnd(child: Child, event: OrderEvent): void {
    switch (event.type) {
      case 'fill':
        if (!this.bookFill(child, event)) return;
        break;
      case 'canceled':
      case 'status':
        this.noteCumQty(child, event.cumQty);
        break;
      case 'accepted':
        this.bookAck(child, event);
        return;
      default:
        break;
    }
    this.sync(child);
    if (child.terminal) return;
    const terminal = this.childFilled(child) >= child.record.qty ? 'filled' : terminalStatusOf(event);
    if (terminal) this.end(child, terminal, event.tsUs);
  }
}

/** The terminal status an event reports, if any (fills excepted: they end a child by quantity). */
export function terminalStatusOf(event: OrderEvent): 'canceled' | 'rejected' | null {
  if (event.type === 'canceled' || (event.type === 'status' && event.status === 'canceled')) return 'canceled';
  if (event.type === 'rejected' || (event.type === 'status' && (event.status === 'rejected' || event.status === 'unknown'))) return 'rejected';
  return null;
}
