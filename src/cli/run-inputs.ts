/**
 * The config, symbol-days and parent orders of a run, resolved the same way by backtest and
 * sweep (and the selection flags by report and serve too).
 */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { resolve } from 'node:path';
import { nyDay } from '../core/calendar.ts';
import { defaultConfig, loadConfig, type LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { describeSelection, isSelected, parseSelection, selectSymbolDays, type DataSelection, type SymbolDayRef } from '../data/catalogue.ts';
import { worstCaseDurationUs } from '../engine/prescreen.ts';
import { generateParentOrders, readParentOrdersCsv, type SourcedParent } from '../data/orders.ts';

export interface SelectionArgs {
  symbols?: string;
  from?: string;
  to?: string;
}

/** --symbols, --from, --to: which symbol-days of --data a command uses. */
export function selectionOptions<T>(y: Argv<T>) {
  return y
    .option('symbols', { type: 'string', describe: 'only these symbols (comma-separated; default every symbol in --data)' })
    .option('from', { type: 'string', describe: 'first New York date YYYY-MM-DD (inclusive; default the earliest)' })
    .option('to', { type: 'string', describe: 'last New York date YYYY-MM-DD (inclusive; default the latest)' });
}

/** The selection the flags ask for. */
export function selectionFrom(args: SelectionArgs): DataSelection {
  return parseSelection(args);
}

/** The symbol-days of --data the flags select (an InputError when none is). */
export function resolveSymbolDays(dataDir: string, args: SelectionArgs & { data?: string }): { selection: DataSelection; tapes: SymbolDayRef[] } {
  const selection = selectionFrom(args);
  return { selection, tapes: selectSymbolDays(dataDir, selection, args.data ?? dataDir) };
}

/** --config FILE, else ./ladderlab.yaml when present, else the defaults; --seed overrides. */
export function resolveConfig(path: string | undefined, seed: string | undefined): LadderConfig {
  const config = path !== undefined ? loadConfig(path) : existsSync('ladderlab.yaml') ? loadConfig('ladderlab.yaml') : defaultConfig();
  if (seed !== undefined) {
    if (seed.trim() === '') throw new InputError('--seed: empty');
    config.seed = /^-?\d+$/.test(seed) ? Number(seed) : seed;
  }
  return config;
}

/** --orders N generates N parents from the seed; --orders FILE reads a CSV, each row checked against the tapes. */
/**
 * --orders N generates parents over the selected symbol-days (orders.count_per says what N
 * counts); --orders FILE reads a CSV, keeps the rows on the selected symbol-days and checks each
 * against the tapes.
 */
export function resolveOrders(
  orders: string,
  config: LadderConfig,
  tapes: { symbol: string; day: string }[],
  selection?: DataSelection,
): { parents: SourcedParent[]; ordersInfo: Record<string, unknown> } {
  const selected = selection && describeSelection(selection) !== 'everything' ? { selection: describeSelection(selection), symbolDays: tapes.length } : {};
  if (/^[-+]?\d+(\.\d*)?$/.test(orders.trim()) && !/^\+?0*[1-9]\d*$/.test(orders.trim())) {
    throw new InputError(`--orders ${orders}: need a positive whole number of orders to generate, or a CSV file`);
  }
  if (/^\d+$/.test(orders.trim())) {
    const count = Number(orders);
    // Parents of one symbol + side never overlap when the rule is on (none is rejected duplicate_working).
    const spacingUs = config.risk.one_working_per_symbol_side ? worstCaseDurationUs(config) : undefined;
    const parents = generateParentOrders({ count, seed: config.seed, orders: config.orders, tapes, spacingUs });
    const per = config.orders.count_per === 'run' ? {} : { countPer: config.orders.count_per, parents: parents.length };
    return { parents, ordersInfo: { source: 'generated', count, seed: config.seed, ...per, ...selected } };
  }
  if (!existsSync(orders)) throw new InputError(`--orders ${orders}: no such file (give a CSV file or a number of orders to generate)`);
  const all = readParentOrdersCsv(orders);
  const parents = selection ? all.filter((p) => isSelected(selection, p.symbol, nyDay(p.arrivalTsUs))) : all;
  if (parents.length === 0) throw new InputError(`--orders ${orders}: none of its ${all.length} orders is on a symbol-day of ${describeSelection(selection!)}`);
  const available = new Set(tapes.map((t) => `${t.symbol}\u0000${t.day}`));
  for (const p of parents) {
    const day = nyDay(p.arrivalTsUs);
    if (!available.has(`${p.symbol}\u0000${day}`)) {
      throw new InputError(`${orders}: line ${p.line}, field "symbol": no tape for ${p.symbol} on ${day} (New York date of ts) in the data directory`);
    }
  }
  const outside = all.length - parents.length;
  return { parents, ordersInfo: { source: 'file', path: resolve(orders), count: parents.length, ...(outside > 0 ? { outsideSelection: outside } : {}), ...selected } };
}
