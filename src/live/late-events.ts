/**
 * Venue events that reached the run after the engine let go of a parent (Ctrl-C or a crash ends
 * the executors at once, then waits for the children's cancels): a fill that beat the cancel
 * really happened, so it goes into the record. Fills are matched by child id and de-duplicated by
 * execution id; the parent's totals are recomputed exactly as the executor computes them
 * (engine/executor.ts buildRecord):
 *
 *   filledQty = Σ children max(Σ unique fills, venue cumulative qty)
 *   avgPrice  = Σ price·qty / Σ qty over fills;  fillStep, timeToFill from the latest fill
 *   status    = filled | partial | unfilled
 */
import type { OrderEvent } from '../engine/ports.ts';
import type { ChildRecord, ExecutionRecord } from '../engine/types.ts';

/** Apply late events in place; returns how many fills were added. */
export function applyLateEvents(records: ExecutionRecord[], events: readonly OrderEvent[]): number {
  const owner = new Map<string, { record: ExecutionRecord; child: ChildRecord }>();
  for (const record of records) for (const child of record.children) owner.set(child.clientOrderId, { record, child });
  const touched = new Set<ExecutionRecord>();
  const cumQty = new Map<ChildRecord, number>();
  let added = 0;
  for (const event of events) {
    const hit = owner.get(event.clientOrderId);
    if (!hit) continue;
    const { record, child } = hit;
    if (event.type === 'fill') {
      cumQty.set(child, Math.max(cumQty.get(child) ?? 0, event.cumQty));
      if (child.fills.some((f) => f.execId === event.execId)) continue;
      const step = child.stepsKept.length > 0 ? child.stepsKept[child.stepsKept.length - 1] : child.step;
      child.fills.push({ execId: event.execId, tsUs: event.tsUs, price: event.price, qty: event.qty, step });
      added++;
      touched.add(record);
    } else if (event.type === 'canceled' || (event.type === 'status' && event.status === 'canceled')) {
      cumQty.set(child, Math.max(cumQty.get(child) ?? 0, event.cumQty));
      if (child.status === 'working' || child.status === 'pending_new') {
        child.status = 'canceled';
        child.doneTsUs ??= event.tsUs;
      }
      touched.add(record);
    }
  }
  for (const [child, cum] of cumQty) {
    const unique = child.fills.reduce((s, f) => s + f.qty, 0);
    child.filledQty = Math.max(child.filledQty, unique, cum);
    if (child.filledQty >= child.qty && child.status !== 'filled') {
      child.status = 'filled';
      child.doneTsUs ??= child.fills.length > 0 ? child.fills[child.fills.length - 1].tsUs : null;
    }
  }
  for (const record of touched) recompute(record);
  return added;
}

function recompute(record: ExecutionRecord): void {
  let filled = 0;
  let notional = 0;
  let pricedQty = 0;
  let last: { tsUs: number; step: number } | null = null;
  for (const child of record.children) {
    filled += child.filledQty;
    for (const f of child.fills) {
      notional += f.price * f.qty;
      pricedQty += f.qty;
      if (!last || f.tsUs >= last.tsUs) last = { tsUs: f.tsUs, step: f.step };
    }
  }
  record.filledQty = filled;
  record.avgPrice = pricedQty > 0 ? notional / pricedQty : Number.NaN;
  record.fillStep = last ? last.step : -1;
  record.timeToFillUs = last ? last.tsUs - record.arrivalTsUs : Number.NaN;
  if (record.status !== 'rejected') {
    record.status = filled >= record.qty ? 'filled' : filled > 0 ? 'partial' : 'unfilled';
    if (record.status === 'filled') record.reason = null;
  }
}
