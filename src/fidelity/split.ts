/**
 * Which parents a fidelity step uses. Parents are numbered in arrival order (ties: file order);
 * calibrate fits on the even ones and scores on the odd ones, and reconcile can be told to use
 * either half, so a calibrated config is never judged on the parents it was fitted to.
 */
import type { ExecutionRecord } from '../engine/types.ts';

export type ParentHalf = 'all' | 'even' | 'odd';

export function inArrivalOrder<T extends Pick<ExecutionRecord, 'arrivalTsUs'>>(records: readonly T[]): T[] {
  return records
    .map((r, index) => ({ r, index }))
    .sort((a, b) => a.r.arrivalTsUs - b.r.arrivalTsUs || a.index - b.index)
    .map((x) => x.r);
}

/** The parents of one half, in arrival order. */
export function selectHalf<T extends Pick<ExecutionRecord, 'arrivalTsUs'>>(records: readonly T[], half: ParentHalf): T[] {
  const ordered = inArrivalOrder(records);
  if (half === 'all') return ordered;
  const parity = half === 'even' ? 0 : 1;
  return ordered.filter((_, i) => i % 2 === parity);
}
