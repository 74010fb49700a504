/**
 * Run one sweep cell: a backtest of the shared parent list under the cell's config, reduced to
 * per-parent outcome arrays aligned with that list. Runs inside a worker, or in-process.
 */
import type { ParentOrder } from '../engine/types.ts';
import { runBacktest, type TapeSource } from '../sim/backtest.ts';
import { implementationShortfallBps, vsFarTouchBps } from '../reports/metrics.ts';
import { quotesMidAt } from '../reports/tape-mids.ts';
import type { SymbolDay } from '../data/tape/tape.ts';
import type { CellJob, CellOutcome } from './protocol.ts';

export function runCell(job: CellJob, parents: readonly ParentOrder[], tapes: TapeSource): CellOutcome {
  const start = performance.now();
  const { records } = runBacktest({ config: job.config, tapes, parents, pathChecks: false });
  // The unfilled rest is charged at the mid of the cell's own tapes (implementation shortfall).
  const available = new Set(tapes.list().map((t) => `${t.symbol}\u0000${t.day}`));
  const midAt = quotesMidAt((symbol, day) => (available.has(`${symbol}\u0000${day}`) ? tapes.load(symbol, day).quotes : null));
  const position = new Map(parents.map((p, i) => [p.clientOrderId, i]));
  const n = parents.length;
  const outcome: CellOutcome = {
    index: job.index,
    id: job.id,
    filledQty: new Float64Array(n),
    shortfallBps: new Float64Array(n).fill(NaN),
    improvementBps: new Float64Array(n).fill(NaN),
    timeToFillMs: new Float64Array(n).fill(NaN),
    fillStep: new Int32Array(n).fill(-1),
    wallMs: 0,
  };
  for (const record of records) {
    const i = position.get(record.clientOrderId);
    if (i === undefined) continue;
    outcome.filledQty[i] = record.filledQty;
    outcome.shortfallBps[i] = implementationShortfallBps(record, midAt);
    // sweep.arrow's improvement_bps: the far-touch comparison as a saving (−cost)
    outcome.improvementBps[i] = -vsFarTouchBps(record);
    outcome.timeToFillMs[i] = record.timeToFillUs / 1000;
    outcome.fillStep[i] = record.fillStep;
  }
  outcome.wallMs = performance.now() - start;
  return outcome;
}

/** A tape source that keeps every symbol-day it loaded: a worker loads each tape once for all its cells. */
export function cachingTapeSource(inner: TapeSource): TapeSource {
  const cache = new Map<string, SymbolDay>();
  return {
    list: () => inner.list(),
    load: (symbol, day) => {
      const key = `${symbol}\u0000${day}`;
      let tape = cache.get(key);
      if (!tape) {
        tape = inner.load(symbol, day);
        cache.set(key, tape);
      }
      return tape;
    },
  };
}
