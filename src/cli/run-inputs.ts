/** The config and parent orders of a run, resolved the same way by backtest and sweep. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { nyDay } from '../core/calendar.ts';
import { defaultConfig, loadConfig, type LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { generateParentOrders, readParentOrdersCsv, type SourcedParent } from '../data/orders.ts';

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
export function resolveOrders(
  orders: string,
  config: LadderConfig,
  tapes: { symbol: string; day: string }[],
): { parents: SourcedParent[]; ordersInfo: Record<string, unknown> } {
  if (/^\d+$/.test(orders.trim())) {
    const count = Number(orders);
    const parents = generateParentOrders({ count, seed: config.seed, orders: config.orders, tapes });
    return { parents, ordersInfo: { source: 'generated', count, seed: config.seed } };
  }
  if (!existsSync(orders)) throw new InputError(`--orders ${orders}: no such file (give a CSV file or a number of orders to generate)`);
  const parents = readParentOrdersCsv(orders);
  const available = new Set(tapes.map((t) => `${t.symbol}\u0000${t.day}`));
  for (const p of parents) {
    const day = nyDay(p.arrivalTsUs);
    if (!available.has(`${p.symbol}\u0000${day}`)) {
      throw new InputError(`${orders}: line ${p.line}, field "symbol": no tape for ${p.symbol} on ${day} (New York date of ts) in the data directory`);
    }
  }
  return { parents, ordersInfo: { source: 'file', path: resolve(orders), count: parents.length } };
}
