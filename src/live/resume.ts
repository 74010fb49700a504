/**
 * `ladderlab live --resume OUT`: rebuild every parent of a crashed or stopped run from its journal
 * (journal.ts) and the venue's own word, so nothing is sent twice and nothing is lost:
 *   1. each journaled child is asked for at the venue (GET by its client order id); one still open
 *      is canceled and waited for — its final filled_qty is what it really did
 *   2. child filled = max(Σ journaled fills by execution id, journaled cumQty, the venue's filled_qty);
 *      a venue quantity above the journaled fills is a fill whose update was lost: it is booked at
 *      the price that makes the venue's average (filled_avg_price) come out
 *   3. a parent whose record was final stays final (rebuilt with any late fills); a parent with
 *      quantity left continues as a remainder `<id>.r<segment>` for exactly that quantity, its
 *      record later merged with the children before the crash; a parent never started starts now
 */
import type { ChildRecord, ExecutionRecord, FillRecord, ParentOrder } from '../engine/types.ts';
import { buildExecutionRecord, type ArrivalQuote } from '../engine/execution-record.ts';
import { normalizePrice } from '../engine/ticks.ts';
import { InputError } from '../core/errors.ts';
import type { TradingRest, VenueOrder } from './alpaca-api.ts';
import { finalParents, type JournalEntry } from './journal.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import { venueStatus } from './trade-updates.ts';

/** What came before the crash for one parent. */
export interface Carried {
  parent: ParentOrder;
  arrival: ArrivalQuote;
  children: ChildRecord[];
  filledQty: number;
}

export interface ResumePlan {
  segment: number;
  clientIdPrefix: string;
  /** The parents as the first segment got them (record order). */
  parents: ParentOrder[];
  /** Records already final. */
  finished: ExecutionRecord[];
  /** What runs now: remainders and parents never started. */
  toRun: ParentOrder[];
  /** Remainder id → its parent's history. */
  carried: Map<string, Carried>;
  /** Children found open at the venue and canceled. */
  canceled: string[];
}

interface ChildState {
  record: ChildRecord;
  venueId: string;
  execIds: Set<string>;
  maxCumQty: number;
}

const POLL_MS = 50;

export async function planResume(entries: JournalEntry[], rest: TradingRest, options: { retry: RetryPolicy; waitMs: number; log: (line: string) => void }): Promise<ResumePlan> {
  const runs = entries.filter((e): e is Extract<JournalEntry, { t: 'run' }> => e.t === 'run');
  if (runs.length === 0) throw new InputError('journal has no run entry: nothing to resume');
  const parents = runs[0].parents;
  const { children, byParent } = replayChildren(entries, runs[0].clientIdPrefix);
  const canceled: string[] = [];
  for (const c of children.values()) await settleAtVenue(c, rest, options, canceled);

  const started = new Map(entries.filter((e): e is Extract<JournalEntry, { t: 'parent' }> => e.t === 'parent').map((e) => [e.id, e]));
  const final = new Set(finalParents(entries));
  const done = new Map(entries.filter((e): e is Extract<JournalEntry, { t: 'done' }> => e.t === 'done' && final.has(e.parent)).map((e) => [e.parent, e]));
  const segment = runs.length;
  const plan: ResumePlan = { segment, clientIdPrefix: runs[0].clientIdPrefix, parents, finished: [], toRun: [], carried: new Map(), canceled };
  for (const p of parents) {
    const s = started.get(p.clientOrderId);
    if (!s) {
      plan.toRun.push(p);
      continue;
    }
    const records = (byParent.get(p.clientOrderId) ?? []).map((id) => children.get(id)!.record);
    const arrival = { bid: s.bid ?? NaN, ask: s.ask ?? NaN, bidSize: s.bidSize ?? NaN, askSize: s.askSize ?? NaN };
    const filledQty = records.reduce((sum, c) => sum + c.filledQty, 0);
    const carried: Carried = { parent: { ...p, arrivalTsUs: s.arrivalTsUs }, arrival, children: records, filledQty };
    const end = done.get(p.clientOrderId);
    if (end || filledQty >= p.qty) {
      plan.finished.push(mergeRecord(carried, null, (end?.reason as ExecutionRecord['reason']) ?? null, lastTs(records, s.arrivalTsUs)));
      continue;
    }
    const remainder: ParentOrder = { clientOrderId: `${p.clientOrderId}.r${segment}`, symbol: p.symbol, side: p.side, qty: p.qty - filledQty, arrivalTsUs: 0 };
    plan.toRun.push(remainder);
    plan.carried.set(remainder.clientOrderId, carried);
  }
  if (canceled.length > 0) options.log(`live: resume: canceled ${canceled.length} child(ren) left open at the venue: ${canceled.join(', ')}`);
  return plan;
}

/**
 * One parent's record from the children before the crash and (for a remainder) the record of
 * the run that finished it: the same arithmetic as the engine's (execution-record.ts).
 */
export function mergeRecord(carried: Carried, resumed: ExecutionRecord | null, reason: ExecutionRecord['reason'], endTsUs: number): ExecutionRecord {
  const children = [...carried.children, ...(resumed?.children ?? [])];
  return buildExecutionRecord({
    parent: carried.parent,
    arrival: carried.arrival,
    filledQty: carried.filledQty + (resumed?.filledQty ?? 0),
    children,
    stepPercentages: resumed?.stepPercentages ?? [],
    endReason: resumed ? resumed.reason : reason,
    endTsUs: resumed?.endTsUs ?? endTsUs,
  });
}

function lastTs(children: readonly ChildRecord[], fallback: number): number {
  let last = fallback;
  for (const c of children) last = Math.max(last, c.doneTsUs ?? c.sentTsUs);
  return last;
}

/** Children and their venue events as the journal has them (fills de-duplicated by execution id). */
function replayChildren(entries: JournalEntry[], prefix: string): { children: Map<string, ChildState>; byParent: Map<string, string[]> } {
  const children = new Map<string, ChildState>();
  const byParent = new Map<string, string[]>();
  for (const e of entries) {
    if (e.t === 'child') {
      const record: ChildRecord = { ...e.child, fills: [], filledQty: 0, status: 'pending_new' };
      const original = e.parent.replace(/\.r\d+$/, '');
      children.set(record.clientOrderId, { record, venueId: `${prefix}${e.runTag}-${record.clientOrderId}`, execIds: new Set(), maxCumQty: 0 });
      byParent.set(original, [...(byParent.get(original) ?? []), record.clientOrderId]);
      continue;
    }
    if (e.t !== 'event') continue;
    const c = children.get(e.event.clientOrderId);
    if (!c) continue;
    applyEvent(c, e.event);
  }
  return { children, byParent };
}

function applyEvent(c: ChildState, ev: Extract<JournalEntry, { t: 'event' }>['event']): void {
  const r = c.record;
  switch (ev.type) {
    case 'accepted':
      if (ev.venueStamped) r.ackTsUs = ev.tsUs;
      else r.ackTsUs ??= ev.tsUs;
      if (r.status === 'pending_new') r.status = 'working';
      return;
    case 'fill':
      if (c.execIds.has(ev.execId)) return;
      c.execIds.add(ev.execId);
      r.fills.push({ execId: ev.execId, tsUs: ev.tsUs, price: ev.price, qty: ev.qty, step: r.step });
      c.maxCumQty = Math.max(c.maxCumQty, ev.cumQty);
      break;
    case 'canceled':
      c.maxCumQty = Math.max(c.maxCumQty, ev.cumQty);
      r.status = 'canceled';
      r.doneTsUs ??= ev.tsUs;
      break;
    case 'rejected':
      r.status = 'rejected';
      r.rejectReason = ev.reason;
      r.doneTsUs ??= ev.tsUs;
      break;
    case 'status':
      c.maxCumQty = Math.max(c.maxCumQty, ev.cumQty);
      if (ev.status === 'canceled' || ev.status === 'rejected' || ev.status === 'filled') r.status = ev.status;
      break;
    default:
      return;
  }
  syncFilled(c);
}

function syncFilled(c: ChildState): void {
  const fillsQty = c.record.fills.reduce((s, f) => s + f.qty, 0);
  c.record.filledQty = Math.max(fillsQty, c.maxCumQty);
  if (c.record.filledQty >= c.record.qty) c.record.status = 'filled';
}

/** Step 1–2 for one child: the venue's word, after canceling it if it still works. */
async function settleAtVenue(c: ChildState, rest: TradingRest, options: { retry: RetryPolicy; waitMs: number }, canceled: string[]): Promise<void> {
  const get = () => withRetry(`resume: find ${c.venueId}`, () => rest.getByClientOrderId(c.venueId), options.retry);
  let order = await get();
  if (!order) {
    // Never reached the venue (the crash came before the request): it did nothing.
    if (c.record.status === 'pending_new' || c.record.status === 'working') c.record.status = 'rejected';
    c.record.rejectReason ??= 'not_at_venue_after_restart';
    return;
  }
  if (isOpenAtVenue(order)) {
    canceled.push(c.record.clientOrderId);
    try {
      await withRetry(`resume: cancel ${c.venueId}`, () => rest.cancel(order!.id), options.retry);
    } catch {
      // 422: it ended meanwhile; the GET below tells how.
    }
    const until = Date.now() + options.waitMs;
    while (order && isOpenAtVenue(order) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      order = await get();
    }
  }
  if (!order) return;
  if (isOpenAtVenue(order)) throw new Error(`resume: ${c.venueId} is still open at the venue after its cancel — check the account before resuming`);
  bookVenueFinal(c, order);
}

function isOpenAtVenue(order: VenueOrder): boolean {
  const s = venueStatus(order.status);
  return s === 'new' || s === 'partially_filled' || s === 'pending_new';
}

/** The venue's final quantity; what the journal did not see is booked as one fill at the venue's average. */
function bookVenueFinal(c: ChildState, order: VenueOrder): void {
  const r = c.record;
  const seenQty = r.fills.reduce((s, f) => s + f.qty, 0);
  const missing = order.filledQty - seenQty;
  if (missing > 0) {
    const seenNotional = r.fills.reduce((s, f) => s + f.price * f.qty, 0);
    const avg = order.filledAvgPrice ?? r.limitPrice;
    const fill: FillRecord = { execId: `${order.id}:venue:${order.filledQty}`, tsUs: r.doneTsUs ?? r.sentTsUs, price: normalizePrice((avg * order.filledQty - seenNotional) / missing), qty: missing, step: r.step };
    r.fills.push(fill);
  }
  c.maxCumQty = Math.max(c.maxCumQty, order.filledQty);
  const status = venueStatus(order.status);
  r.status = status === 'filled' ? 'filled' : status === 'rejected' ? 'rejected' : 'canceled';
  syncFilled(c);
}
