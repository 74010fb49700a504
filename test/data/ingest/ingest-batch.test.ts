/**
 * Whole folders and globs in one ingest: files sorted into quotes/trades by name, grouped per
 * symbol-day (vendor) or per symbol (csv), progress over files, and a bad file naming file, row
 * and field (exit 2) with the symbol-days before it written whole.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { expandInputs, ingestBatch, planJobs, symbolOfFileName } from '../../../src/data/ingest/batch.ts';
import { listTapes, loadSymbolDay } from '../../../src/data/tape/tape.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-batch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const OPEN_MS = 34_200_000;
function vendorZip(name: string, rows: string[]): string {
  const file = join(dir, 'ticks', name);
  mkdirSync(join(dir, 'ticks'), { recursive: true });
  writeFileSync(file, zipSync({ [name.replace(/\.zip$/, '.csv')]: strToU8(rows.join('\n')) }));
  return file;
}
const quoteRows = (bid: number) => [`${OPEN_MS},${bid},100,0,0,N,1,0`, `${OPEN_MS},0,0,${bid + 100},200,N,1,0`];

describe('ingest --in FOLDER|GLOB', () => {
  it('vendor: a folder becomes one ingest per symbol-day, quote and trade zips paired by name; other files ignored', async () => {
    vendorZip('ibm_20131007_quote.zip', quoteRows(1_825_000));
    vendorZip('ibm_20131007_trade.zip', [`${OPEN_MS + 1},1825000,100,N,1,0`]);
    vendorZip('ibm_20131008_quote.zip', quoteRows(1_830_000));
    vendorZip('ibm_20131007_minute_quote.zip', ['not ticks']);
    writeFileSync(join(dir, 'ticks', 'README.md'), 'notes');
    const files = expandInputs([join(dir, 'ticks')], 'vendor');
    expect(files.map((f) => f.slice(dir.length + 7))).toEqual(['ibm_20131007_quote.zip', 'ibm_20131007_trade.zip', 'ibm_20131008_quote.zip']);
    const seen: string[] = [];
    const out = join(dir, 'tape');
    const summaries = await ingestBatch({ format: 'vendor', out }, [join(dir, 'ticks')], (done, total) => seen.push(`${done}/${total}`));
    expect(summaries.map((s) => [s.symbol, s.days[0].day, s.days[0].quotes, s.days[0].trades])).toEqual([
      ['IBM', '2013-10-07', 1, 1],
      ['IBM', '2013-10-08', 1, 0],
    ]);
    expect(seen).toEqual(['0/3', '2/3', '2/3', '3/3']);
    expect(loadSymbolDay(out, 'IBM', '2013-10-08').quotes.bid[0]).toBe(183);
  });

  it('csv: a glob groups files by the symbol in their names and reads each symbol’s files in order', async () => {
    const q = (name: string, rows: string[]) => writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(rows.join('\n')) : rows.join('\n'));
    q('IBM_2013-10-07.quotes.csv', ['ts,bid,ask,bid_size,ask_size', '1381152600,182.5,182.53,1,1']);
    q('IBM_2013-10-08.quotes.csv.gz', ['ts,bid,ask,bid_size,ask_size', '1381239000,183.5,183.53,1,1']);
    q('IBM_2013-10-07.trades.csv', ['ts,price,size', '1381152601,182.52,5']);
    q('BRK.B.quotes.csv', ['ts,bid,ask,bid_size,ask_size', '1381152600,110.5,110.6,1,1']);
    expect(['IBM_2013-10-07.quotes.csv', 'BRK.B.quotes.csv', 'AAPL-x.quotes.csv'].map(symbolOfFileName)).toEqual(['IBM', 'BRK', 'AAPL-X']);
    const jobs = planJobs('csv', expandInputs([join(dir, '*.csv*')], 'csv'));
    expect(jobs.map((j) => [j.symbol, j.quotes.length, j.trades.length])).toEqual([['BRK', 1, 0], ['IBM', 2, 1]]);
    const out = join(dir, 'tape');
    await ingestBatch({ format: 'csv', out }, [join(dir, '*.csv*')]);
    expect(listTapes(out).map((t) => `${t.symbol} ${t.day}`)).toEqual(['BRK 2013-10-07', 'IBM 2013-10-07', 'IBM 2013-10-08']);
  });

  it('a bad file stops the batch naming file, row and field (exit 2); the symbol-days before it are whole', async () => {
    vendorZip('aaa_20131007_quote.zip', quoteRows(1_000_000));
    const bad = vendorZip('bbb_20131007_quote.zip', [...quoteRows(1_000_000), `${OPEN_MS + 5},-1,100,0,0,N,1,0`]);
    const out = join(dir, 'tape');
    const err = await ingestBatch({ format: 'vendor', out }, [join(dir, 'ticks')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as Error).message).toBe(`${bad}: row 3: field "bid_price": expected deci-cents ≥ 0, got "-1"`);
    expect(listTapes(out).map((t) => t.symbol)).toEqual(['AAA']);
  });

  it('names a path that does not exist, a glob that matches nothing, trades without quotes', () => {
    expect(() => expandInputs([join(dir, 'nope')], 'csv')).toThrow(`--in ${join(dir, 'nope')}: no such file or folder`);
    expect(() => expandInputs([join(dir, '*.parquet')], 'parquet')).toThrow(`--in ${join(dir, '*.parquet')}: matches no parquet file`);
    expect(() => planJobs('csv', ['x/IBM.trades.csv'])).toThrow('x/IBM.trades.csv: trades without quotes for IBM');
    expect(() => planJobs('csv', ['x/IBM.csv'])).toThrow('x/IBM.csv: cannot tell quotes from trades by the name');
  });
});
