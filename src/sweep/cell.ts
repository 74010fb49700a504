/**
 * Run one sweep cell: backtests of the shared parent list under the cell's config, one per
 * symbol-day, reduced to per-parent outcome arrays aligned with that list. Runs inside a local
 * worker (all parts of a cell) or a queue worker (one part per job); both give the same bytes.
 */
import type { LadderConfig } from '../config.ts';
import { nyDay } from '../core/calendar.ts';
import type { ParentOrder } from '../engine/types.ts';
import { runBacktest, type TapeSource } from '../sim/backtest.ts';
import { implementationShortfallBps, vsFarTouchBps } from '../reports/metrics.ts';
import { quotesMidAt } from '../reports/tape-mids.ts';
import type { SymbolDay } from '../data/tape/tape.ts';
import type { CellJob, CellOutcome } from './protocol.ts';

/** The parents of one symbol-day (New York date of arrival), by their positions in the shared list. */
export interface CellPart {
  symbol: string;
  day: string;
  indices: number[];
}

/** Per-parent outcomes of one part, aligned with its parents; NaN where undefined (nothing filled). */
export interface PartOutcome {
  filledQty: Float64Array;
  shortfallBps: Float64Array;
  vsFarTouchBps: Float64Array;
  timeToFillMs: Float64Array;
  fillStep: Int32Array;
}

export const OUTCOME_ARRAYS = ['filledQty', 'shortfallBps', 'vsFarTouchBps', 'timeToFillMs', 'fillStep'] as const;

/**
 * A cell's unit of work: one backtest per symbol-day, sorted by symbol then day (a queue job is
 * a batch of cells × one part: sweep/queue.ts). Each part keeps its parents in list order, so arrival ties keep theirs.
 */
export function splitBySymbolDay(parents: readonly ParentOrder[]): CellPart[] {
  const parts = new Map<string, CellPart>();
  parents.forEach((p, i) => {
    const day = nyDay(p.arrivalTsUs);
    const key = `${p.symbol}\u0000${day}`;
    let part = parts.get(key);
    if (!part) parts.set(key, (part = { symbol: p.symbol, day, indices: [] }));
    part.indices.push(i);
  });
  return [...parts.values()].sort((a, b) => (a.symbol === b.symbol ? cmp(a.day, b.day) : cmp(a.symbol, b.symbol)));
}

/** One symbol-day of a cell: a backtest of its parents under the cell's config, reduced to outcome arrays. */
export function runCellPart(config: LadderConfig, parents: readonly ParentOrder[], tapes: TapeSource): PartOutcome {
  const { records } = runBacktest({ config, tapes, parents, pathChecks: false });
  // The unfilled rest is charged at the mid of the cell's own tapes (implementation shortfall).
  const available = new Set(tapes.list().map((t) => `${t.symbol}\u0000${t.day}`));
  const midAt = quotesMidAt((symbol, day) => (available.has(`${symbol}\u0000${day}`) ? tapes.load(symbol, day).quotes : null));
  const position = new Map(parents.map((p, i) => [p.clientOrderId, i]));
  const n = parents.length;
  const outcome: PartOutcome = {
    filledQty: new Float64Array(n),
    shortfallBps: new Float64Array(n).fill(NaN),
    vsFarTouchBps: new Float64Array(n).fill(NaN),
    timeToFillMs: new Float64Array(n).fill(NaN),
    fillStep: new Int32Array(n).fill(-1),
  };
  for (const record of records) {
    const i = position.get(record.clientOrderId);
    if (i === undefined) continue;
    outcome.filledQty[i] = record.filledQty;
    outcome.shortfallBps[i] = implementationShortfallBps(record, midAt);
    // sweep.arrow's vs_far_touch_bps: the far-touch comparison as a cost, like every bps figure
    outcome.vsFarTouchBps[i] = vsFarTouchBps(record);
    outcome.timeToFillMs[i] = record.timeToFillUs / 1000;
    outcome.fillStep[i] = record.fillStep;
  }
  return outcome;
}

/** A cell's outcome from its parts' (run here or by queue workers), scattered back into list order. */
export function assembleCell(job: Pick<CellJob, 'index' | 'id'>, parentCount: number, parts: readonly CellPart[], results: readonly PartOutcome[]): CellOutcome {
  const outcome: CellOutcome = {
    index: job.index,
    id: job.id,
    filledQty: new Float64Array(parentCount),
    shortfallBps: new Float64Array(parentCount).fill(NaN),
    vsFarTouchBps: new Float64Array(parentCount).fill(NaN),
    timeToFillMs: new Float64Array(parentCount).fill(NaN),
    fillStep: new Int32Array(parentCount).fill(-1),
    wallMs: 0,
  };
  parts.forEach((part, k) => {
    for (const key of OUTCOME_ARRAYS) part.indices.forEach((i, j) => (outcome[key][i] = results[k][key][j]));
  });
  return outcome;
}

export function runCell(job: CellJob, parents: readonly ParentOrder[], tapes: TapeSource): CellOutcome {
  const start = performance.now();
  const parts = splitBySymbolDay(parents);
  const outcome = assembleCell(job, parents.length, parts, parts.map((part) => runCellPart(job.config, part.indices.map((i) => parents[i]), tapes)));
  outcome.wallMs = performance.now() - start;
  return outcome;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A tape source that keeps every symbol-day it loaded: a worker loads each tape once for all its cells. */
export function cachingTapeSource(inner: TapeSource): TapeSource {
  const cache = new Map<string, SymbolDay>();
  // The listing too: a directory read per cell otherwise (the data does not change under a run;
  // a sweep's data fingerprint is taken once for the same reason).
  let listing: ReturnType<TapeSource['list']> | null = null;
  return {
    list: () => (listing ??= inner.list()),
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
