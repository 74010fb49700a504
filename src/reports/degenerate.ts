/**
 * Degenerate ladders: parents whose limit steps collapse onto fewer distinct prices than steps.
 * On a tight spread the step targets mid + spread·k·p·a (engine/ladder.ts) round to the same
 * legal tick, so "step 2" and "step 3" are the same order and a sweep over step_percentage
 * changes nothing for those parents. Each accepted parent's ladder is rebuilt from its arrival
 * quote with the engine's own ladderTable (the one pricing rule), and counted by reason:
 *   narrow spread   the adaptive narrow step percentage applied (spread% < adaptive_narrow_spread_pct)
 *   few ticks       otherwise: the spread has too few ticks for S steps at p
 */
import type { LadderConfig } from '../config.ts';
import { ladderParams, ladderTable, spreadPct } from '../engine/ladder.ts';
import { makeTickTable } from '../engine/ticks.ts';
import type { ExecutionRecord } from '../engine/types.ts';

export interface DegenerateLadders {
  /** Accepted parents with an arrival quote. */
  parents: number;
  /** Of them, ladders with fewer distinct limit prices than steps. */
  degenerate: number;
  narrowSpread: number;
  fewTicks: number;
  /** Mean distinct limit prices per ladder, of `steps`. */
  meanDistinctPrices: number;
  steps: number;
}

/** Count the parents whose ladder (rebuilt from the arrival quote) has repeated step prices. */
export function degenerateLadders(records: readonly ExecutionRecord[], config: LadderConfig): DegenerateLadders {
  const params = ladderParams(config.execution);
  const ticks = makeTickTable(config.ticks.overrides);
  const steps = config.execution.progressive_steps;
  const out: DegenerateLadders = { parents: 0, degenerate: 0, narrowSpread: 0, fewTicks: 0, meanDistinctPrices: 0, steps };
  let distinctSum = 0;
  for (const r of records) {
    if (r.status === 'rejected' || !(r.arrivalBid > 0 && r.arrivalAsk > r.arrivalBid)) continue;
    const quote = { bid: r.arrivalBid, ask: r.arrivalAsk };
    const rows = ladderTable(quote, r.side, params, ticks.tickUnits(r.symbol, (r.arrivalBid + r.arrivalAsk) / 2));
    const distinct = new Set(rows.map((row) => Math.round(row.price * 1e6))).size;
    out.parents++;
    distinctSum += distinct;
    if (distinct >= rows.length) continue;
    out.degenerate++;
    const narrow = params.adaptive && spreadPct(r.arrivalBid, r.arrivalAsk) < config.execution.adaptive_narrow_spread_pct;
    if (narrow) out.narrowSpread++;
    else out.fewTicks++;
  }
  out.meanDistinctPrices = out.parents > 0 ? distinctSum / out.parents : Number.NaN;
  return out;
}

/** One plain-text line for the report (and the assumptions panel). */
export function degenerateLine(d: DegenerateLadders, config: LadderConfig): string {
  if (d.parents === 0) return 'Degenerate ladders: no accepted parent had an arrival quote.';
  const share = (100 * d.degenerate) / d.parents;
  const e = config.execution;
  if (d.degenerate === 0) {
    return `Degenerate ladders: none — every one of ${d.parents} ladders had ${d.steps} distinct limit prices.`;
  }
  return (
    `Degenerate ladders: ${share.toFixed(0)} % of parents (${d.degenerate} of ${d.parents}) had fewer distinct limit prices than their ${d.steps} steps ` +
    `(mean ${d.meanDistinctPrices.toFixed(2)}): ${d.narrowSpread} on a narrow spread where the adaptive step percentage is ${e.adaptive_narrow_step_percentage} % ` +
    `(spread < ${e.adaptive_narrow_spread_pct} %), ${d.fewTicks} with too few ticks in the spread. For them the steps round to the same tick and ` +
    `step_percentage has no effect; keys that change it: execution.adaptive_narrow_step_percentage, execution.adaptive_step, execution.progressive_steps, execution.step_percentage.`
  );
}
