/**
 * A backtest as a library function: config + tapes + parent orders → ExecutionRecord[].
 *
 * One VirtualClock, one SimMarket and one LadderEngine for the whole run (risk state is shared
 * across parents as it would be live). Parents are handed to the engine in arrival order at their
 * arrival time, after every market event and venue message before that instant (engine timers at
 * the same µs run after the parent). The market loads a symbol's tape when the engine first needs
 * that symbol on a New York day, replacing the previous day's; a parent whose symbol-day has no
 * tape sees no quote (the engine rejects it `no_quote`). When the last parent is in, the run continues until nothing is
 * left to do, bounded by the longest a ladder can take; whatever still works then ends
 * `end_of_data`.
 */
import { regularSession } from '../core/calendar.ts';
import type { SimRunConfig } from './config.ts';
import { LadderEngine } from '../engine/engine.ts';
import { makeTickTable } from '../engine/ticks.ts';
import { worstCaseDurationUs } from '../engine/prescreen.ts';
import type { ExecutionRecord, ParentOrder } from '../engine/types.ts';
import { EventClass, VirtualClock } from './clock.ts';
import { SimMarket, type SimMarketStats } from './market.ts';
import { listTapes, loadSymbolDay, type SymbolDay } from '../data/tape/tape.ts';

/** Where tapes come from: a data directory, or symbol-days already in memory. */
export interface TapeSource {
  /** Every symbol-day available, sorted by symbol then day. */
  list(): { symbol: string; day: string }[];
  /** Load one symbol-day (called at most once per symbol-day and run). */
  load(symbol: string, day: string): SymbolDay;
}

export function dirTapeSource(dir: string): TapeSource {
  const available = listTapes(dir);
  return { list: () => available, load: (symbol, day) => loadSymbolDay(dir, symbol, day) };
}

export function memoryTapeSource(tapes: readonly SymbolDay[]): TapeSource {
  const byKey = new Map(tapes.map((t) => [`${t.symbol}\u0000${t.day}`, t]));
  const available = tapes.map((t) => ({ symbol: t.symbol, day: t.day })).sort((a, b) => (a.symbol === b.symbol ? cmp(a.day, b.day) : cmp(a.symbol, b.symbol)));
  return {
    list: () => available,
    load: (symbol, day) => {
      const tape = byKey.get(`${symbol}\u0000${day}`);
      if (!tape) throw new Error(`no tape for ${symbol} ${day}`);
      return tape;
    },
  };
}

export interface BacktestOptions {
  config: SimRunConfig;
  tapes: TapeSource | readonly SymbolDay[];
  parents: readonly ParentOrder[];
  /** The market-order baseline: every parent straight to the market step (DESIGN §5). */
  marketOnly?: boolean;
  /** false when order-path checks were decided on the order list (sweeps, prescreen.ts). */
  pathChecks?: boolean;
  /** Called after each parent is handed to the engine. */
  onProgress?: (submitted: number, total: number) => void;
  /** A clock to run on (tests instrument it); a new VirtualClock by default. */
  clock?: VirtualClock;
}

export interface BacktestResult {
  /** One per parent, in arrival order (ties: input order). */
  records: ExecutionRecord[];
  market: SimMarketStats;
  symbolDaysLoaded: number;
}

export function runBacktest(options: BacktestOptions): BacktestResult {
  const { config } = options;
  const source = Array.isArray(options.tapes) ? memoryTapeSource(options.tapes as readonly SymbolDay[]) : (options.tapes as TapeSource);
  const available = new Set(source.list().map((t) => `${t.symbol}\u0000${t.day}`));
  const days = [...new Set(source.list().map((t) => t.day))].sort();
  const order = options.parents.map((parent, index) => ({ parent, index }));
  order.sort((a, b) => a.parent.arrivalTsUs - b.parent.arrivalTsUs || a.index - b.index);

  const startUs = order.length > 0 ? order[0].parent.arrivalTsUs : 0;
  const clock = options.clock ?? new VirtualClock(startUs);
  if (clock.nowUs() < startUs) clock.advanceTo(startUs);
  let loaded = 0;
  const loadTape = (symbol: string, day: string): SymbolDay | null => {
    if (!available.has(`${symbol}\u0000${day}`)) return null;
    loaded++;
    return source.load(symbol, day);
  };
  const market = new SimMarket({ clock, sim: config.sim, seed: config.seed, days, loadTape, ticks: makeTickTable(config.ticks.overrides) });
  const engine = new LadderEngine({ clock, market, config, marketOnly: options.marketOnly, pathChecks: options.pathChecks });

  let submitted = 0;
  for (const { parent } of order) {
    market.run(parent.arrivalTsUs, EventClass.timer);
    engine.submit(parent);
    options.onProgress?.(++submitted, order.length);
  }
  const lastArrivalUs = order.length > 0 ? order[order.length - 1].parent.arrivalTsUs : startUs;
  // A parent queued while closed starts at the next open present in the data: at the latest the
  // last data day's close. Bound: that, plus the longest ladder with its market-step retries, plus
  // slack for cancel/query round trips.
  const lastCloseUs = days.length > 0 ? regularSession(days[days.length - 1]).closeUs : lastArrivalUs;
  const endUs = Math.max(lastArrivalUs, lastCloseUs) + worstCaseDurationUs(config) + 10 * 60 * 1e6;
  market.run(endUs, EventClass.trade);
  if (engine.workingCount() > 0) {
    engine.shutdown('end_of_data');
    market.run(endUs + 60 * 1e6, EventClass.trade);
  }

  if (engine.records().length !== order.length) {
    throw new Error(`backtest: ${order.length} parents in, ${engine.records().length} records out (a parent was never finished)`);
  }
  const rank = new Map(order.map(({ parent }, i) => [parent.clientOrderId, i]));
  const records = [...engine.records()].sort((a, b) => (rank.get(a.clientOrderId) ?? 0) - (rank.get(b.clientOrderId) ?? 0));
  return { records, market: { ...market.stats }, symbolDaysLoaded: loaded };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
