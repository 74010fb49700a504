/**
 * Order-path-dependent risk checks evaluated ONCE on the order list, before any sweep cell runs
 * (DESIGN §2: common random numbers need the same parents in every cell).
 *
 * Whether a second buy is a "duplicate while working", whether the position limit is hit, or
 * whether a ladder can still finish before the close, depends on how fast earlier parents filled
 * or on the cell's own ladder — which differ from cell to cell. So the sweep decides these on the
 * order list with a worst case that holds for EVERY config it will run:
 *   - a parent occupies its symbol + side (when any config has risk.one_working_per_symbol_side)
 *     from arrival until arrival + the longest worst-case duration (max_execution_time + (max_retries + 1) · retry_after_s + spread_wait_s);
 *   - every accepted parent counts fully toward the position from its arrival on, against the
 *     smallest max_position;
 *   - session end: arrival + the longest limit ladder (min(max_execution_time, S · step timeout))
 *     must be ≤ close − the largest session_end_buffer_s.
 * Cells then run with `pathChecks: false`, and every cell sees exactly the accepted parents.
 */
import type { EngineConfig } from './config.ts';
import { sideSign, type ParentOrder, type RejectReason, type Side } from './types.ts';

export interface Prescreened {
  accepted: ParentOrder[];
  rejected: { parent: ParentOrder; reason: RejectReason }[];
}

/** Longest a parent can work: the ladder cap, every collar retry and the spread-guard wait. */
export function worstCaseDurationUs(config: EngineConfig): number {
  const m = config.execution.market_step;
  return (config.execution.max_execution_time + (m.max_retries + 1) * m.retry_after_s + m.spread_wait_s) * 1e6;
}

/** Longest the limit ladder runs before its market step: min(max_execution_time, S · step timeout). */
export function ladderWorstCaseS(config: EngineConfig, side: Side): number {
  const exec = config.execution;
  const timeout = side === 'buy' ? exec.step_timeout_buy : exec.step_timeout_sell;
  return Math.min(exec.max_execution_time, exec.progressive_steps * timeout);
}

export interface PrescreenOptions {
  /** The regular-session close for a parent's arrival, when known (for the session-end check). */
  sessionCloseUs?: (parent: ParentOrder) => number | null;
}

export function prescreenParents(parents: readonly ParentOrder[], configs: readonly EngineConfig[], options: PrescreenOptions = {}): Prescreened {
  const occupancyUs = Math.max(...configs.map(worstCaseDurationUs));
  const maxPosition = Math.min(...configs.map((c) => c.risk.max_position));
  const oneWorking = configs.some((c) => c.risk.one_working_per_symbol_side);
  const bufferS = Math.max(...configs.map((c) => c.risk.session_end_buffer_s));
  const ladderS = { buy: Math.max(...configs.map((c) => ladderWorstCaseS(c, 'buy'))), sell: Math.max(...configs.map((c) => ladderWorstCaseS(c, 'sell'))) };

  const order = [...parents].sort((a, b) => a.arrivalTsUs - b.arrivalTsUs || (a.clientOrderId < b.clientOrderId ? -1 : 1));
  const busyUntil = new Map<string, number>();
  const position = new Map<string, number>();
  const seen = new Set<string>();
  const result: Prescreened = { accepted: [], rejected: [] };
  for (const parent of order) {
    const key = `${parent.symbol}\u0000${parent.side}`;
    const projected = (position.get(parent.symbol) ?? 0) + sideSign(parent.side) * parent.qty;
    const closeUs = options.sessionCloseUs?.(parent) ?? null;
    let reason: RejectReason | null = null;
    if (seen.has(parent.clientOrderId)) reason = 'duplicate_client_order_id';
    else if (oneWorking && (busyUntil.get(key) ?? -Infinity) > parent.arrivalTsUs) reason = 'duplicate_working';
    else if (closeUs !== null && parent.arrivalTsUs + ladderS[parent.side] * 1e6 > closeUs - bufferS * 1e6) reason = 'session_end';
    else if (Math.abs(projected) > maxPosition) reason = 'max_position';
    seen.add(parent.clientOrderId);
    if (reason) {
      result.rejected.push({ parent, reason });
      continue;
    }
    busyUntil.set(key, parent.arrivalTsUs + occupancyUs);
    position.set(parent.symbol, projected);
    result.accepted.push(parent);
  }
  return result;
}
