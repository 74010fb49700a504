/**
 * Column mapping for the columnar formats (CSV and Parquet): the tape's column names
 * (quotes ts,bid,ask,bid_size,ask_size; trades ts,price,size[,exchange][,eligible]) and, when a
 * file names them otherwise, `--columns ts=time,bid=bid_px,…` (tape name = file name). Names
 * match case-insensitively; other columns are ignored; messages name the FILE's column.
 */
import { InputError } from '../../core/errors.ts';

export const QUOTE_COLUMNS = ['ts', 'bid', 'ask', 'bid_size', 'ask_size'] as const;
export const TRADE_COLUMNS = ['ts', 'price', 'size'] as const;
export const TRADE_OPTIONAL = ['exchange', 'eligible'] as const;

/** Tape column → file column (lower case). */
export type ColumnMap = Readonly<Record<string, string>>;

const KNOWN: readonly string[] = [...QUOTE_COLUMNS, ...TRADE_COLUMNS, ...TRADE_OPTIONAL];

/** `ts=time,bid=bid_px` (or several such strings) → a ColumnMap; unknown tape names are bad input. */
export function parseColumnMap(specs: string | readonly string[] | undefined): ColumnMap {
  const map: Record<string, string> = {};
  const list = typeof specs === 'string' ? [specs] : (specs ?? []);
  for (const pair of list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Za-z_]+)=(.+)$/.exec(pair);
    const key = m?.[1].toLowerCase();
    if (!m || !KNOWN.includes(key!)) throw new InputError(`--columns ${pair}: expected TAPE=FILE with TAPE one of ${[...new Set(KNOWN)].join(', ')}`);
    map[key!] = m[2].trim().toLowerCase();
  }
  return map;
}

/** Where each wanted column is in a file whose columns are `header`, and the file's name for it. */
export interface ResolvedColumns {
  /** Index in the header per wanted column (required, then optional); undefined when absent. */
  index: (number | undefined)[];
  /** The file's name for each wanted column (for messages). */
  names: string[];
}

/**
 * Resolve `required` and `optional` tape columns against a header; a missing required one is an
 * InputError naming the file, row 1 and the file's column name.
 */
export function resolveColumns(file: string, header: readonly string[], required: readonly string[], optional: readonly string[], map: ColumnMap): ResolvedColumns {
  const position = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!position.has(key)) position.set(key, i);
  });
  const wanted = [...required, ...optional];
  const names = wanted.map((c) => map[c] ?? c);
  const index = names.map((n) => position.get(n));
  required.forEach((_, c) => {
    if (index[c] === undefined) {
      const need = `${names.slice(0, required.length).join(',')}${optional.length ? `[,${names.slice(required.length).join('][,')}]` : ''}`;
      throw new InputError(`${file}: row 1: field "${names[c]}": missing from the header (have: ${header.join(',')}; need: ${need})`);
    }
  });
  return { index, names };
}
