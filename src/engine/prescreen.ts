/**
 * Order-path-dependent risk checks evaluated ONCE on the order list, before any sweep cell runs
 * (DESIGN §2: common random numbers need the same parents in every cell).
 *
 * Whether a second buy is a "duplicate while working", or whether the position limit is hit,
 * depends on how fast earlier parents filled — which differs from cell to cell. So the sweep
 * decides these on the order list with a worst case that holds for every cell:
 *   - a parent occupies its symbol + side from arrival until arrival + worst-case duration
 *     (max_execution_time + (max_retries + 1) · retry_after_s + spread_wait_s);
 *   - every accepted parent counts fully toward the position from its arrival on.
 * Cells then run with `pathChecks: false`, and every cell sees exactly the accepted parents.
 */
import type { LadderConfig } from './config.ts';
import { sideSign, type ParentOrder, type RejectReason } from './types.ts';

export interface Prescreened {
  accepted: ParentOrder[];
  rejected: { parent: ParentOrder; reason: RejectReason }[];
}

export function worstCaseDurationUs(config: LadderConfig): number {
  const m = config.execution.market_step;
  return (config.execution.max_execution_time + (m.max_retries + 1) * m.retry_after_s + m.spread_wait_s) * 1e6;
}

export function prescreenParents(parents: readonly ParentOrder[], config: LadderConfig): Prescreened {
  const order = [...parents].sort((a, b) => a.arrivalTsUs - b.arrivalTsUs || (a.clientOrderId < b.clientOrderId ? -1 : 1));
  const durationUs = worstCaseDurationUs(config);
  const busyUntil = new Map<string, number>();
  const position = new Map<string, number>();
  const seen = new Set<string>();
  const result: Prescreened = { accepted: [], rejected: [] };
  for (const parent of order) {
    const key = `${parent.symbol}\u0000${parent.side}`;
    const projected = (position.get(parent.symbol) ?? 0) + sideSign(parent.side) * parent.qty;
    let reason: RejectReason | null = null;
    if (seen.has(parent.clientOrderId)) reason = 'duplicate_client_order_id';
    else if ((busyUntil.get(key) ?? -Infinity) > parent.arrivalTsUs) reason = 'duplicate_working';
    else if (Math.abs(projected) > config.risk.max_position) reason = 'max_position';
    seen.add(parent.clientOrderId);
    if (reason) {
      result.rejected.push({ parent, reason });
      continue;
    }
    busyUntil.set(key, parent.arrivalTsUs + durationUs);
    position.set(parent.symbol, projected);
    result.accepted.push(parent);
  }
  return result;
}
