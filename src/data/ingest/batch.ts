/**
 * Whole folders and globs in one ingest (`ladderlab ingest --in DIR|GLOB…`): the inputs are
 * expanded (folders recursively, globs by tinyglobby; sorted by path), each file is sorted into
 * quotes or trades by its name (`quote` / `trade` in it), and grouped into ingests:
 *   vendor          one per symbol-day, the quote and trade zips paired by <symbol>_<YYYYMMDD>;
 *   csv, parquet    one per symbol (--symbol, or the file name up to its first `_`, else its first
 *                   `.`: IBM_2013-10-07.quotes.csv.gz → IBM), the files read in path order and
 *                   cut into New York days;
 *   alpaca          one, the pages in path order (the symbol comes from the pages).
 * Each ingest is checked and written on its own (ingest.ts: nothing of it is written unless all
 * its rows are good); a bad file stops the batch there with exit 2, naming file, row and field,
 * and leaves the symbol-days written before it in place (each complete).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../../core/errors.ts';
import { ingest, type IngestFormat, type IngestOptions } from './ingest.ts';
import type { IngestSummary } from './summary.ts';
import { vendorFileInfo } from './vendor.ts';

/** File names each format reads from a folder. */
const FORMAT_FILES: Record<IngestFormat, RegExp> = {
  vendor: /^[A-Za-z0-9.-]+_\d{8}_(quote|trade)\.zip$/i,
  csv: /\.csv(\.gz|\.zip)?$/i,
  parquet: /\.parquet$/i,
  alpaca: /\.json(\.gz|\.zip)?$/i,
};

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

/** Files, folders (recursively, the format's files only) and globs → sorted, distinct paths. */
export function expandInputs(patterns: readonly string[], format: IngestFormat): string[] {
  const found = new Set<string>();
  for (const pattern of patterns) {
    let files: string[];
    if (isDynamicPattern(pattern)) files = globSync(pattern, { onlyFiles: true, absolute: false, expandDirectories: false });
    else if (existsSync(pattern) && statSync(pattern).isDirectory()) {
      files = [];
      walk(pattern, files);
      files = files.filter((f) => FORMAT_FILES[format].test(basename(f)));
    } else if (existsSync(pattern)) files = [pattern];
    else throw new InputError(`--in ${pattern}: no such file or folder`);
    if (files.length === 0) throw new InputError(`--in ${pattern}: matches no ${format} file`);
    for (const f of files) found.add(f);
  }
  return [...found].sort();
}

/** quotes or trades by the file's name. */
export function kindOf(file: string): 'quotes' | 'trades' {
  const name = basename(file).toLowerCase();
  const q = name.includes('quote'), t = name.includes('trade');
  if (q === t) throw new InputError(`${file}: cannot tell quotes from trades by the name (put "quote" or "trade" in it, or pass it with --quotes/--trades)`);
  return q ? 'quotes' : 'trades';
}

/** The symbol a csv/parquet file name gives: up to the first `_`, else the first `.`. */
export function symbolOfFileName(file: string): string {
  const name = basename(file);
  const cut = name.includes('_') ? name.indexOf('_') : name.indexOf('.');
  return (cut > 0 ? name.slice(0, cut) : name).toUpperCase();
}

export interface BatchJob {
  symbol?: string;
  day?: string;
  quotes: string[];
  trades: string[];
}

/** Group files into ingests (see the header). */
export function planJobs(format: IngestFormat, files: readonly string[], symbol?: string): BatchJob[] {
  const jobs = new Map<string, BatchJob>();
  const jobOf = (key: string, init: Omit<BatchJob, 'quotes' | 'trades'>): BatchJob => {
    let job = jobs.get(key);
    if (!job) jobs.set(key, (job = { ...init, quotes: [], trades: [] }));
    return job;
  };
  for (const file of files) {
    const kind = kindOf(file);
    if (format === 'vendor') {
      const info = vendorFileInfo(file);
      if (!info.symbol || !info.day) throw new InputError(`${file}: cannot tell the symbol and day from the name (expected <symbol>_<YYYYMMDD>_quote.zip)`);
      jobOf(`${info.symbol} ${info.day}`, { symbol: info.symbol, day: info.day })[kind].push(file);
    } else if (format === 'alpaca') jobOf('', { symbol })[kind].push(file);
    else {
      const s = symbol ?? symbolOfFileName(file);
      jobOf(s, { symbol: s })[kind].push(file);
    }
  }
  const list = [...jobs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, job]) => job);
  for (const job of list) {
    if (job.quotes.length === 0) throw new InputError(`${job.trades[0]}: trades without quotes${job.symbol ? ` for ${job.symbol}${job.day ? ` on ${job.day}` : ''}` : ''} (every symbol-day needs a quotes file)`);
    if (format === 'vendor' && (job.quotes.length > 1 || job.trades.length > 1)) throw new InputError(`${job.quotes[0]}: more than one quotes or trades zip for ${job.symbol} on ${job.day}`);
  }
  return list;
}

/**
 * Ingest every job of a batch in order; `onFile(done, total, file)` after each input file's
 * job starts (for a progress bar over files).
 */
export async function ingestBatch(
  base: Omit<IngestOptions, 'quotes' | 'trades'>,
  inputs: readonly string[],
  onFile?: (done: number, total: number, file: string) => void,
): Promise<IngestSummary[]> {
  const files = expandInputs(inputs, base.format);
  const jobs = planJobs(base.format, files, base.symbol);
  const summaries: IngestSummary[] = [];
  let done = 0;
  for (const job of jobs) {
    onFile?.(done, files.length, job.quotes[0]);
    summaries.push(await ingest({ ...base, symbol: job.symbol, day: job.day ?? base.day, quotes: job.quotes, trades: job.trades }));
    done += job.quotes.length + job.trades.length;
    onFile?.(done, files.length, job.quotes[0]);
  }
  return summaries;
}
