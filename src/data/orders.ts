/**
 * Parent orders for a backtest: read from a CSV file or generated from a seed.
 *
 * CSV: a header row with `ts,symbol,side,qty` (any order; an optional `client_order_id` column),
 * `ts` ISO 8601 in UTC (`2024-03-05T15:00:00.123456Z` or `+00:00`, up to µs), side buy|sell,
 * qty a positive whole number of shares. Ids default to `o<line>`. Every error names file, line
 * and field.
 *
 * Generated (`--orders N`), over the selected symbol-days (restricted to `orders.symbols` when set),
 * as `orders.count_per` says:
 *   run         N parents in all, each on a symbol-day drawn uniformly;
 *   symbol_day  N parents on each symbol-day;
 *   hour        round(N · session hours) parents on each symbol-day (N per regular-session hour:
 *               65 a full 6.5 h day for N = 10).
 * Each has an arrival uniform in its day's regular session, buy or sell with equal odds, and
 * qty = qty_min + qty_lot · k with k uniform in 0 … ⌊(qty_max − qty_min)/qty_lot⌋.
 * One seeded stream ('orders'), so the same seed and data give the same orders.
 *
 * With `spacingUs` (risk.one_working_per_symbol_side: the worst-case duration of a parent), two
 * parents of one symbol + side on one day never overlap: in arrival order each starts at
 * t_i = max(u_i, t_(i−1) + spacing), then from the last back t_i = min(t_i, t_(i+1) − spacing)
 * with the last at most close − 1 µs. Parents already spaced keep their drawn arrival; a day
 * that cannot hold its parents (n − 1 gaps longer than the session) is an InputError.
 */
import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { nyDay, regularSession } from '../core/calendar.ts';
import type { OrdersConfig } from './config.ts';
import { InputError } from '../core/errors.ts';
import type { ParentOrder } from '../engine/types.ts';
import { makeRng } from '../core/rng.ts';
import { isValidSymbol } from './tape/tape.ts';

/** A parent order and where it came from (for error messages). */
export interface SourcedParent extends ParentOrder {
  /** 1-based line in the orders file; null when generated. */
  line: number | null;
}

const REQUIRED = ['ts', 'symbol', 'side', 'qty'] as const;
const OPTIONAL = ['client_order_id'] as const;

const ISO_UTC_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]00:?00)$/;

/** ISO 8601 UTC → epoch µs, exact to the µs; null when not a valid UTC timestamp. */
export function parseIsoUtcUs(text: string): number | null {
  const m = ISO_UTC_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const micros = frac ? Number(frac.padEnd(6, '0')) : 0;
  return ms * 1000 + micros;
}

/** Epoch µs → ISO 8601 UTC with µs (the inverse of parseIsoUtcUs). */
export function formatIsoUtcUs(tsUs: number): string {
  const ms = Math.floor(tsUs / 1000);
  const micros = tsUs - ms * 1000;
  const iso = new Date(ms).toISOString(); // …SS.mmmZ
  return micros === 0 ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

export function readParentOrdersCsv(path: string): SourcedParent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read orders (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseParentOrdersCsv(text, path);
}

export function parseParentOrdersCsv(text: string, source = '<orders>'): SourcedParent[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: headerColumns(source), info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    if (err instanceof InputError) throw err;
    const line = err instanceof CsvError ? (err as CsvError & { lines?: number }).lines : undefined;
    throw new InputError(`${source}${line ? `: line ${line}` : ''}: invalid CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) throw new InputError(`${source}: no orders (expected a header ts,symbol,side,qty and at least one row)`);
  const seen = new Map<string, number>();
  return rows.map(({ record, info }) => {
    const line = info.lines;
    const where = (field: string) => `${source}: line ${line}, field "${field}"`;
    const tsUs = parseIsoUtcUs(record.ts);
    if (tsUs === null) throw new InputError(`${where('ts')}: ${JSON.stringify(record.ts)} is not an ISO 8601 UTC time (e.g. 2024-03-05T15:00:00Z)`);
    const symbol = record.symbol;
    if (!isValidSymbol(symbol)) throw new InputError(`${where('symbol')}: ${JSON.stringify(symbol)} is not a symbol`);
    const side = record.side.toLowerCase();
    if (side !== 'buy' && side !== 'sell') throw new InputError(`${where('side')}: ${JSON.stringify(record.side)} is not buy or sell`);
    const qty = Number(record.qty);
    if (record.qty === '' || !Number.isInteger(qty) || qty <= 0) {
      throw new InputError(`${where('qty')}: ${JSON.stringify(record.qty)} is not a positive whole number of shares`);
    }
    const clientOrderId = record.client_order_id || `o${line}`;
    const earlier = seen.get(clientOrderId);
    if (earlier !== undefined) throw new InputError(`${where('client_order_id')}: ${clientOrderId} repeats line ${earlier}`);
    seen.set(clientOrderId, line);
    return { clientOrderId, symbol, side, qty, arrivalTsUs: tsUs, line };
  });
}

/** Header check with a clear message, as csv-parse's `columns` callback. */
function headerColumns(source: string) {
  return (header: string[]): string[] => {
    const names = header.map((h) => h.trim().toLowerCase());
    for (const name of names) {
      if (!(REQUIRED as readonly string[]).includes(name) && !(OPTIONAL as readonly string[]).includes(name)) {
        throw new InputError(`${source}: line 1: unknown column "${name}" (expected ${[...REQUIRED, ...OPTIONAL].join(', ')})`);
      }
    }
    for (const name of REQUIRED) {
      if (!names.includes(name)) throw new InputError(`${source}: line 1: missing column "${name}" (the header must name ts,symbol,side,qty)`);
    }
    return names;
  };
}

export interface GenerateOptions {
  count: number;
  seed: number | string;
  orders: OrdersConfig;
  /** The symbol-days in the data. */
  tapes: readonly { symbol: string; day: string }[];
  /** Least time between two arrivals of one symbol + side on one day (µs); none when absent. */
  spacingUs?: number;
}

/** Regular-session hours of a New York day (6.5 on a full day). */
function sessionHours(day: string): number {
  const { openUs, closeUs } = regularSession(day);
  return (closeUs - openUs) / 3.6e9;
}

/** N random parents over the regular sessions of the data's symbol-days, sorted by arrival. */
export function generateParentOrders(options: GenerateOptions): SourcedParent[] {
  const { count, orders } = options;
  if (!Number.isInteger(count) || count <= 0) throw new InputError(`--orders ${count}: need a positive whole number of orders`);
  if (orders.qty_min > orders.qty_max) throw new InputError(`config: 'orders.qty_min' ${orders.qty_min} > 'orders.qty_max' ${orders.qty_max}`);
  const wanted = new Set(orders.symbols);
  const pool = options.tapes.filter((t) => wanted.size === 0 || wanted.has(t.symbol));
  for (const symbol of wanted) {
    if (!options.tapes.some((t) => t.symbol === symbol)) throw new InputError(`config: 'orders.symbols': ${symbol} has no tape in the data directory`);
  }
  if (pool.length === 0) throw new InputError('no symbol-days to generate orders on (the data directory holds no tapes)');
  const rng = makeRng(options.seed, 'orders');
  const lots = Math.floor((orders.qty_max - orders.qty_min) / orders.qty_lot) + 1;
  const drafts: Omit<SourcedParent, 'clientOrderId'>[] = [];
  const draft = (tape: { symbol: string; day: string }): void => {
    const { openUs, closeUs } = regularSession(tape.day);
    const arrivalTsUs = openUs + Math.floor(rng() * (closeUs - openUs));
    const side = rng() < 0.5 ? 'buy' : 'sell';
    const qty = orders.qty_min + orders.qty_lot * Math.floor(rng() * lots);
    drafts.push({ symbol: tape.symbol, side, qty, arrivalTsUs, line: null });
  };
  const per = orders.count_per ?? 'run';
  if (per === 'run') {
    for (let k = 0; k < count; k++) draft(pool[Math.floor(rng() * pool.length)]);
  } else {
    for (const tape of pool) {
      const n = per === 'symbol_day' ? count : Math.round(count * sessionHours(tape.day));
      for (let k = 0; k < n; k++) draft(tape);
    }
  }
  if (drafts.length === 0) throw new InputError(`--orders ${count} per hour: no parents on the selected symbol-days`);
  if (options.spacingUs !== undefined && options.spacingUs > 0) spaceArrivals(drafts, options.spacingUs, count);
  drafts.sort((a, b) => a.arrivalTsUs - b.arrivalTsUs);
  const width = String(drafts.length).length;
  return drafts.map((d, i) => ({ clientOrderId: `g${String(i + 1).padStart(width, '0')}`, ...d }));
}

/** Moves arrivals so that one symbol + side's parents on a day are ≥ spacingUs apart (see the file comment). */
function spaceArrivals(drafts: Omit<SourcedParent, 'clientOrderId'>[], spacingUs: number, count: number): void {
  const groups = new Map<string, Omit<SourcedParent, 'clientOrderId'>[]>();
  for (const d of drafts) {
    const key = `${d.symbol}\u0000${d.side}\u0000${nyDay(d.arrivalTsUs)}`;
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => a.arrivalTsUs - b.arrivalTsUs);
    const first = group[0];
    const { openUs, closeUs } = regularSession(nyDay(first.arrivalTsUs));
    const fit = Math.floor((closeUs - 1 - openUs) / spacingUs) + 1;
    if (group.length > fit) {
      throw new InputError(
        `--orders ${count}: ${group.length} ${first.side} parents for ${first.symbol} on ${nyDay(first.arrivalTsUs)}, but only ${fit} fit ` +
          `${spacingUs / 1e6} s apart (the worst-case duration of a parent; risk.one_working_per_symbol_side): ask for fewer, or set it to false`,
      );
    }
    for (let i = 1; i < group.length; i++) group[i].arrivalTsUs = Math.max(group[i].arrivalTsUs, group[i - 1].arrivalTsUs + spacingUs);
    group[group.length - 1].arrivalTsUs = Math.min(group[group.length - 1].arrivalTsUs, closeUs - 1);
    for (let i = group.length - 2; i >= 0; i--) group[i].arrivalTsUs = Math.min(group[i].arrivalTsUs, group[i + 1].arrivalTsUs - spacingUs);
  }
}
