/**
 * Downloading through the SDK into the tape (`ingest --from alpaca`) against
 * `ladderlab serve`: a tape served and downloaded again is byte-identical — timestamps to the µs,
 * prices, sizes, exchange codes and eligible flags (which travel as reconstructed conditions) —
 * for a small hand-built tape with several pages, and for the real IBM 2013-10-07 day when the
 * licensed data is present.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.ts';
import { startServe, type RunningServe } from '../../../src/serve/server.ts';
import { downloadAlpaca, downloadWindowMs, type DownloadedPage } from '../../../src/data/ingest/alpaca-download.ts';
import { readVendorSymbolDay } from '../../../src/data/ingest/vendor.ts';
import { tapePath } from '../../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../../src/data/tape/write.ts';
import { DAY, KEYS, T0, writeTestTapes } from '../../serve/serve-helpers.ts';

const VENDOR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/equity-ticks');
const hasVendorData = existsSync(join(VENDOR, 'ibm_20131007_quote.zip'));
if (!hasVendorData) console.warn(`SKIP alpaca-ingest-serve (IBM part): ${VENDOR} not found (licensed tick data lives outside the repo)`);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serveLookAhead(dir: string, startUs?: number): Promise<RunningServe> {
  const srv = await startServe({ dir, config: parseConfig({ serve: { speed: 0, history_look_ahead: true } }), keys: KEYS, port: 0, startUs });
  cleanups.push(() => srv.close());
  return srv;
}

function expectSameFiles(a: string, b: string, symbol: string, day: string): void {
  for (const kind of ['quotes', 'trades'] as const) {
    const original = readFileSync(tapePath(a, symbol, day, kind));
    const copy = readFileSync(tapePath(b, symbol, day, kind));
    expect(copy.length, `${symbol} ${kind} size`).toBe(original.length);
    expect(copy.equals(original), `${symbol} ${kind} bytes`).toBe(true);
  }
}

describe('ingest --from alpaca against serve', () => {
  it('round-trips a two-symbol tape byte for byte over 2-row pages', async () => {
    const source = writeTestTapes();
    cleanups.push(() => rmSync(source, { recursive: true, force: true }));
    const srv = await serveLookAhead(source, T0);
    const out = tempDir('alpaca-copy-');
    const pages: DownloadedPage[] = [];
    // serve sends quote sizes in shares whatever the date (Alpaca: round lots before 2025-11-03);
    // its test tape ends at 10:00, far before the day's close: kept with allowPartial, warned.
    const warnings: string[] = [];
    const options = { symbols: ['XYZ', 'ABC'], start: DAY, end: DAY, feed: 'sip' as const, out, keys: KEYS, baseUrl: srv.baseUrl, pageLimit: 2, quoteSizeMultiplier: 1 };
    await expect(downloadAlpaca(options)).rejects.toThrow(
      `XYZ: the download from ${srv.baseUrl} ends at 2024-03-05T15:00:20.000000000Z, 6.0 h before the requested end 2024-03-05T21:00:00.000Z (5 quotes); nothing written (pass --allow-partial to keep it)`,
    );
    expect(existsSync(join(out, 'XYZ'))).toBe(false);
    const result = await downloadAlpaca({ ...options, allowPartial: true, onWarning: (m) => warnings.push(m), onPage: (p) => pages.push(p) });
    expect(result.empty).toEqual([]);
    expect(result.partial).toEqual(['XYZ', 'ABC']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^XYZ: the download .* \(5 quotes\); kept as it is \(--allow-partial\)$/);
    // XYZ: 5 quotes (3 pages), 5 trades (3 pages); ABC: 2 quotes (1 page), 1 trade (1 page).
    expect(pages.map((p) => `${p.symbol} ${p.kind} ${p.page}:${p.rows}`)).toEqual([
      'XYZ quotes 1:2', 'XYZ quotes 2:2', 'XYZ quotes 3:1',
      'XYZ trades 1:2', 'XYZ trades 2:2', 'XYZ trades 3:1',
      'ABC quotes 1:2', 'ABC trades 1:1',
    ]);
    expect(result.pages).toBe(8);
    expect(result.summaries.map((s) => [s.symbol, s.days.map((d) => [d.day, d.quotes, d.trades, d.eligibleTrades])])).toEqual([
      ['XYZ', [[DAY, 5, 5, 3]]],
      ['ABC', [[DAY, 2, 1, 1]]],
    ]);
    expectSameFiles(source, out, 'XYZ', DAY);
    expectSameFiles(source, out, 'ABC', DAY);
  });

  it('the command: downloads through --base-url with keys from the environment; a symbol with no data is reported, not written', async () => {
    const source = writeTestTapes();
    cleanups.push(() => rmSync(source, { recursive: true, force: true }));
    const srv = await serveLookAhead(source, T0);
    const out = tempDir('alpaca-cli-');
    const child = spawn(process.execPath, ['bin/ladderlab.mjs', 'ingest', '--from', 'alpaca', '--symbols', 'XYZ,NOPE', '--start', DAY, '--base-url', srv.baseUrl, '--out', out, '--page-limit', '3', '--quote-size-multiplier', '1', '--allow-partial'], {
      env: { ...process.env, APCA_API_KEY_ID: KEYS.keyId, APCA_API_SECRET_KEY: KEYS.secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(stderr).toMatch(/^WARNING: XYZ: the download from .* kept as it is \(--allow-partial\)\n$/);
    expect(code).toBe(0);
    expect(stdout).toContain('NOPE: no quotes between 2024-03-05 and 2024-03-05 (nothing written)');
    expect(stdout).toContain('6 pages downloaded');
    expectSameFiles(source, out, 'XYZ', DAY);
    expect(existsSync(join(out, 'NOPE'))).toBe(false);
  });

  it('wrong keys are bad input naming the server; dates become New York day bounds', async () => {
    const source = writeTestTapes();
    cleanups.push(() => rmSync(source, { recursive: true, force: true }));
    const srv = await serveLookAhead(source, T0);
    const out = tempDir('alpaca-bad-');
    await expect(downloadAlpaca({ symbols: ['XYZ'], start: DAY, end: DAY, feed: 'sip', out, keys: { keyId: KEYS.keyId, secret: 'wrong' }, baseUrl: srv.baseUrl })).rejects.toThrow(
      `${srv.baseUrl}: the key pair was refused (HTTP 403: forbidden)`,
    );
    expect(downloadWindowMs('2024-03-05', '2024-03-06')).toEqual({ startMs: Date.UTC(2024, 2, 5, 5), endMs: Date.UTC(2024, 2, 7, 5) - 1, day: undefined });
    expect(downloadWindowMs('2024-03-05T15:00:00Z', '2024-03-05T16:00:00.5Z')).toEqual({ startMs: T0 / 1000, endMs: T0 / 1000 + 3_600_500, day: DAY });
    expect(() => downloadWindowMs('2024-03-05 10:00', DAY)).toThrow(/RFC 3339 time with a zone/);
  });
});

describe.skipIf(!hasVendorData)('ingest --from alpaca against serve: the real IBM 2013-10-07 tape', () => {
  it('the whole vendor day (quotes and trades, every eligible flag) comes back byte-identical', async () => {
    const { symbolDay } = await readVendorSymbolDay({ quotesFile: join(VENDOR, 'ibm_20131007_quote.zip'), tradesFile: join(VENDOR, 'ibm_20131007_trade.zip') });
    const source = tempDir('ibm-serve-');
    writeSymbolDay(source, symbolDay);
    const srv = await serveLookAhead(source);
    const out = tempDir('ibm-copy-');
    const result = await downloadAlpaca({ symbols: ['IBM'], start: '2013-10-07', end: '2013-10-07', feed: 'sip', out, keys: KEYS, baseUrl: srv.baseUrl, quoteSizeMultiplier: 1 });
    expect(result.partial).toEqual([]); // the day's quotes run to 20:00, past the 16:00 close
    const day = result.summaries[0].days[0];
    expect([day.day, day.quotes, day.trades]).toEqual(['2013-10-07', symbolDay.quotes.length, symbolDay.trades.length]);
    expect(result.summaries[0].trades.offExchange + result.summaries[0].trades.specialCondition).toBe(symbolDay.trades.length - day.eligibleTrades);
    expectSameFiles(source, out, 'IBM', '2013-10-07');
  });
});
