/**
 * Every kind of bad input stops the ingest with an InputError naming file, row and field, and
 * leaves no output file behind; with skipBadRows the rows are dropped and counted by reason.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { ingest, type IngestFormat } from '../../../src/data/ingest/ingest.ts';
import { formatSummary } from '../../../src/data/ingest/summary.ts';
import { loadSymbolDay, makeQuoteColumns, makeTradeColumns, tapePath } from '../../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../../src/data/tape/write.ts';

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-bad-'));
  out = join(dir, 'tape');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

function writeInput(name: string, text: string): string {
  const file = join(dir, name);
  if (name.endsWith('.zip')) writeFileSync(file, zipSync({ [name.replace(/\.zip$/, '.csv')]: strToU8(text) }));
  else writeFileSync(file, text);
  return file;
}

const Q_HEAD = 'ts,bid,ask,bid_size,ask_size';
const Q1 = '1381152600,182.50,182.53,300,200';
const Q2 = '1381152601,182.51,182.53,100,200';
const T_HEAD = 'ts,price,size,exchange';
const T1 = '1381152600,182.52,100,N';
const VQ = ['34200000,1825000,300,0,0,N,1,0', '34200000,0,0,1825300,200,N,1,0'];
const VT = ['34200100,1825200,100,N,1,0'];
const AQ = (extra: object = {}) => ({ t: '2013-10-07T13:30:00Z', bp: 182.5, bs: 3, ap: 182.53, as: 2, ...extra });
const AT = (extra: object = {}) => ({ t: '2013-10-07T13:30:00.5Z', p: 182.52, s: 100, x: 'N', c: ['@'], ...extra });

interface Case {
  name: string;
  format: IngestFormat;
  quotes: [string, string];
  trades?: [string, string];
  day?: string;
  /** Which input is bad, the row and field the message must name. */
  bad: 'quotes' | 'trades';
  row: string;
  field: string;
  reason: string;
}

const json = (v: unknown) => JSON.stringify(v, null, 1);
const cases: Case[] = [
  // CSV
  { name: 'csv unsorted ts', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q2, Q1].join('\n')], bad: 'quotes', row: '3', field: 'ts', reason: 'unsorted' },
  { name: 'csv zero bid', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1, '1381152601,0,182.53,100,200'].join('\n')], bad: 'quotes', row: '3', field: 'bid', reason: 'bad_price' },
  { name: 'csv negative ask', format: 'csv', quotes: ['q.csv', [Q_HEAD, '1381152600,182.50,-182.53,300,200', Q2].join('\n')], bad: 'quotes', row: '2', field: 'ask', reason: 'bad_price' },
  { name: 'csv NaN bid', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1, '1381152601,NaN,182.53,100,200'].join('\n')], bad: 'quotes', row: '3', field: 'bid', reason: 'bad_price' },
  { name: 'csv fractional size', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1, '1381152601,182.51,182.53,1.5,200'].join('\n')], bad: 'quotes', row: '3', field: 'bid_size', reason: 'bad_size' },
  { name: 'csv short row', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1, '1381152601,182.51'].join('\n')], bad: 'quotes', row: '3', field: 'ask', reason: 'missing_field' },
  { name: 'csv bad time', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1, 'soon,182.51,182.53,1,1'].join('\n')], bad: 'quotes', row: '3', field: 'ts', reason: 'bad_time' },
  { name: 'csv wrong day', format: 'csv', day: '2013-10-07', quotes: ['q.csv', [Q_HEAD, Q1, '1381239000,182.51,182.53,1,1'].join('\n')], bad: 'quotes', row: '3', field: 'ts', reason: 'wrong_day' },
  { name: 'csv trade size 0', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1].join('\n')], trades: ['t.csv', [T_HEAD, T1, '1381152601,182.52,0,N'].join('\n')], bad: 'trades', row: '3', field: 'size', reason: 'bad_size' },
  { name: 'csv trade bad exchange', format: 'csv', quotes: ['q.csv', [Q_HEAD, Q1].join('\n')], trades: ['t.csv', [T_HEAD, '1381152601,182.52,10,NY', T1].join('\n')], bad: 'trades', row: '2', field: 'exchange', reason: 'bad_exchange' },
  // vendor (zipped, no header)
  { name: 'vendor unsorted time', format: 'vendor', quotes: ['ibm_20131007_quote.zip', [...VQ, '34199999,1825100,100,0,0,N,1,0'].join('\n')], bad: 'quotes', row: '3', field: 'time', reason: 'unsorted' },
  { name: 'vendor negative price', format: 'vendor', quotes: ['ibm_20131007_quote.zip', [VQ[0], '34200001,0,0,-5,100,N,1,0'].join('\n')], bad: 'quotes', row: '2', field: 'ask_price', reason: 'bad_price' },
  { name: 'vendor missing field', format: 'vendor', quotes: ['ibm_20131007_quote.zip', [...VQ, '34200002,1825100,100,0,0,N,1'].join('\n')], bad: 'quotes', row: '3', field: 'suspicious', reason: 'missing_field' },
  { name: 'vendor bad flag', format: 'vendor', quotes: ['ibm_20131007_quote.zip', [...VQ, '34200002,1825100,100,0,0,N,1,2'].join('\n')], bad: 'quotes', row: '3', field: 'suspicious', reason: 'bad_flag' },
  { name: 'vendor trade zero price', format: 'vendor', quotes: ['ibm_20131007_quote.zip', VQ.join('\n')], trades: ['ibm_20131007_trade.zip', [...VT, '34200200,0,100,N,1,0'].join('\n')], bad: 'trades', row: '2', field: 'price', reason: 'bad_price' },
  { name: 'vendor trade bad condition', format: 'vendor', quotes: ['ibm_20131007_quote.zip', VQ.join('\n')], trades: ['ibm_20131007_trade.zip', [...VT, '34200200,1825200,100,N,zz,0'].join('\n')], bad: 'trades', row: '2', field: 'condition', reason: 'bad_condition' },
  // Alpaca pages (rows = position in the page's array)
  { name: 'alpaca zero bid', format: 'alpaca', quotes: ['q.json', json({ quotes: { IBM: [AQ(), AQ({ t: '2013-10-07T13:30:01Z', bp: 0 })] } })], bad: 'quotes', row: '2', field: 'bp', reason: 'bad_price' },
  { name: 'alpaca unsorted', format: 'alpaca', quotes: ['q.json', json({ quotes: { IBM: [AQ({ t: '2013-10-07T13:30:05Z' }), AQ()] } })], bad: 'quotes', row: '2', field: 't', reason: 'unsorted' },
  { name: 'alpaca missing size', format: 'alpaca', quotes: ['q.json', json({ quotes: { IBM: [AQ({ as: undefined })] } })], bad: 'quotes', row: '1', field: 'as', reason: 'missing_field' },
  { name: 'alpaca NaN trade price', format: 'alpaca', quotes: ['q.json', json({ quotes: { IBM: [AQ()] } })], trades: ['t.json', json({ trades: { IBM: [AT(), AT({ p: 'abc' })] } })], bad: 'trades', row: '2', field: 'p', reason: 'bad_price' },
  { name: 'alpaca malformed row', format: 'alpaca', quotes: ['q.json', json({ quotes: { IBM: [AQ(), 42] } })], bad: 'quotes', row: '2', field: '(row)', reason: 'malformed' },
];

async function run(c: Case, skipBadRows = false) {
  const quotes = writeInput(c.quotes[0], c.quotes[1]);
  const trades = c.trades ? writeInput(c.trades[0], c.trades[1]) : undefined;
  return {
    file: c.bad === 'quotes' ? quotes : trades!,
    promise: ingest({ format: c.format, symbol: c.format === 'csv' ? 'IBM' : undefined, quotes: [quotes], trades: trades ? [trades] : [], out, day: c.day, skipBadRows }),
  };
}

describe('bad input stops the ingest, naming file, row and field; nothing is written', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { file, promise } = await run(c);
      const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message.startsWith(`${file}: row ${c.row}: field "${c.field}": `)).toBe(true);
      expect(filesUnder(out)).toEqual([]);
    });
  }

  it('a missing header column names row 1 and the column', async () => {
    const q = writeInput('q.csv', 'ts,bid,ask,bid_size\n1381152600,1,2,3\n');
    await expect(ingest({ format: 'csv', symbol: 'X', quotes: [q], out })).rejects.toThrow(`${q}: row 1: field "ask_size": missing from the header`);
    expect(filesUnder(out)).toEqual([]);
  });

  it('broken CSV quoting and broken JSON name the row', async () => {
    const q = writeInput('q.csv', `${Q_HEAD}\n${Q1}\n"1381152601,1,2,3,4\n`);
    await expect(ingest({ format: 'csv', symbol: 'X', quotes: [q], out })).rejects.toThrow(new RegExp(`^${q}: row 3: field "#\\d+": malformed CSV`));
    const j = writeInput('q.json', '{\n "quotes": {\n  "IBM": [ { "t": 1 }, ]\n }\n}');
    await expect(ingest({ format: 'alpaca', quotes: [j], out })).rejects.toThrow(new RegExp(`^${j}: row 3: field "\\(json\\)": not valid JSON`));
    expect(filesUnder(out)).toEqual([]);
  });

  it('a failed ingest leaves an existing tape of the same day untouched', async () => {
    writeSymbolDay(out, { symbol: 'IBM', day: '2013-10-07', quotes: makeQuoteColumns([[1, 9, 10]]), trades: makeTradeColumns([]) });
    const q = writeInput('q.csv', [Q_HEAD, Q2, Q1].join('\n'));
    await expect(ingest({ format: 'csv', symbol: 'IBM', quotes: [q], out })).rejects.toThrow(InputError);
    expect(Array.from(loadSymbolDay(out, 'IBM', '2013-10-07').quotes.bid)).toEqual([9]);
    expect(filesUnder(out).sort()).toEqual(['2013-10-07.quotes.arrow', '2013-10-07.trades.arrow']);
  });
});

describe('--skip-bad-rows drops and counts bad rows by reason', () => {
  it('csv: keeps the good rows, counts each reason, shows the first example', async () => {
    const q = writeInput(
      'q.csv',
      [Q_HEAD, Q1, '1381152601,0,182.53,100,200', '1381152599,182.5,182.53,1,1', Q2, '1381152602,abc,1,1,1', '1381152603,182.52,182.53,1,1'].join('\n'),
    );
    const summary = await ingest({ format: 'csv', symbol: 'IBM', quotes: [q], out, skipBadRows: true });
    expect(summary.badRows.total).toBe(3);
    expect(summary.badRows.byReason).toEqual({ bad_price: 2, unsorted: 1 });
    expect(summary.badRows.examples.bad_price).toBe(`${q}: row 3: field "bid": expected a price > 0, got "0"`);
    expect(summary.quotes).toMatchObject({ rowsIn: 6, rowsOut: 3 });
    expect(Array.from(loadSymbolDay(out, 'IBM', '2013-10-07').quotes.bid)).toEqual([182.5, 182.51, 182.52]);
    expect(formatSummary(summary)).toContain('bad rows skipped: 3 — bad_price 2, unsorted 1');
  });

  it('all rows bad → nothing to write, still an error and no file', async () => {
    const q = writeInput('q.csv', [Q_HEAD, '1381152601,0,182.53,100,200'].join('\n'));
    await expect(ingest({ format: 'csv', symbol: 'IBM', quotes: [q], out, skipBadRows: true })).rejects.toThrow(/no quotes left to write \(1 rows read, 1 bad\)/);
    expect(filesUnder(out)).toEqual([]);
  });
});

describe('the CLI', () => {
  const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/ladderlab.mjs');
  it('exits 2 with the message on stderr and writes nothing', async () => {
    const q = writeInput('q.csv', [Q_HEAD, Q2, Q1].join('\n'));
    const res = await promisify(execFile)(process.execPath, [bin, 'ingest', '--format', 'csv', '--symbol', 'IBM', '--quotes', q, '--out', out]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`ladderlab: ${q}: row 3: field "ts": `);
    expect(filesUnder(out)).toEqual([]);
  });

  it('writes the tape and prints the summary, or JSON with --json', async () => {
    const q = writeInput('q.csv', [Q_HEAD, Q1, Q2].join('\n'));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'ingest', '--format', 'csv', '--symbol', 'IBM', '--quotes', q, '--out', out, '--json']);
    const summary = JSON.parse(stdout);
    expect(summary.days.map((d: { day: string; quotes: number }) => [d.day, d.quotes])).toEqual([['2013-10-07', 2]]);
    expect(existsSync(tapePath(out, 'IBM', '2013-10-07', 'trades'))).toBe(true);
  });
});
