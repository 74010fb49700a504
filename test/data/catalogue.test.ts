/**
 * The data catalogue: selection by symbol and New York date range (one function for backtest,
 * sweep, report and serve), `data ls` coverage figures, what serve replays, and generated parents
 * spread over the selected symbol-days (orders.count_per).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nyDay, nyLocalToUtcUs } from '../../src/core/calendar.ts';
import { InputError } from '../../src/core/errors.ts';
import { parseConfig } from '../../src/config.ts';
import { makeTickTable } from '../../src/engine/ticks.ts';
import { formatCoverage, parseSelection, replaySelection, selectSymbolDays, symbolDayCoverage } from '../../src/data/catalogue.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { makeQuoteColumns, makeTradeColumns, type SymbolDay } from '../../src/data/tape/tape.ts';
import { writeSymbolDays } from '../../src/data/tape/write.ts';

const at = (day: string, hh: number, mm: number) => nyLocalToUtcUs(day, (hh * 60 + mm) * 60_000);

/**
 * AAA on two days, BBB on one: 09:00 (pre-market, 10 ticks wide), then in the session spreads of
 * 1, 2, 2 ticks, a locked and a crossed quote (not counted in the median).
 */
function day(symbol: string, d: string, bid: number): SymbolDay {
  return {
    symbol,
    day: d,
    quotes: makeQuoteColumns([
      [at(d, 9, 0), bid, bid + 0.1],
      [at(d, 9, 31), bid, bid + 0.01],
      [at(d, 10, 0), bid, bid + 0.02],
      [at(d, 10, 1), bid + 0.02, bid + 0.02], // locked
      [at(d, 10, 2), bid + 0.03, bid + 0.02], // crossed
      [at(d, 11, 0), bid, bid + 0.02],
    ]),
    trades: makeTradeColumns([[at(d, 10, 0), bid + 0.01, 100]]),
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
  writeSymbolDays(dir, [day('AAA', '2024-03-05', 10), day('AAA', '2024-03-06', 10), day('BBB', '2024-03-06', 20)]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('selection', () => {
  it('by symbol (any case, comma-separated) and inclusive New York date range', () => {
    const pick = (s: Parameters<typeof parseSelection>[0]) => selectSymbolDays(dir, parseSelection(s)).map((t) => `${t.symbol} ${t.day}`);
    expect(pick({})).toEqual(['AAA 2024-03-05', 'AAA 2024-03-06', 'BBB 2024-03-06']);
    expect(pick({ symbols: 'bbb' })).toEqual(['BBB 2024-03-06']);
    expect(pick({ from: '2024-03-06' })).toEqual(['AAA 2024-03-06', 'BBB 2024-03-06']);
    expect(pick({ to: '2024-03-05' })).toEqual(['AAA 2024-03-05']);
    expect(pick({ symbols: 'AAA,BBB', from: '2024-03-05', to: '2024-03-05' })).toEqual(['AAA 2024-03-05']);
  });

  it('bad flags, unknown symbols and empty selections are InputErrors naming the flag', () => {
    expect(() => parseSelection({ from: '2024-3-5' })).toThrow('--from 2024-3-5: expected a New York date YYYY-MM-DD');
    expect(() => parseSelection({ from: '2024-03-06', to: '2024-03-05' })).toThrow('--to 2024-03-05 is before --from 2024-03-06');
    expect(() => parseSelection({ symbols: 'A/B' })).toThrow(InputError);
    expect(() => selectSymbolDays(dir, parseSelection({ symbols: 'ZZZ' }), 'D')).toThrow('--symbols ZZZ: no tape for ZZZ in D (it holds AAA, BBB)');
    expect(() => selectSymbolDays(dir, parseSelection({ symbols: 'BBB', to: '2024-03-05' }), 'D')).toThrow(
      '--data D: no symbol-day matches --symbols BBB --to 2024-03-05 (the data spans 2024-03-05 … 2024-03-06)',
    );
  });

  it('serve replays the earliest selected day (or --day) with the selected symbols of that day', () => {
    expect(replaySelection(dir, parseSelection({}))).toEqual({ day: '2024-03-05', symbols: ['AAA'] });
    expect(replaySelection(dir, parseSelection({ from: '2024-03-06' }))).toEqual({ day: '2024-03-06', symbols: ['AAA', 'BBB'] });
    expect(replaySelection(dir, parseSelection({ symbols: 'BBB' }))).toEqual({ day: '2024-03-06', symbols: ['BBB'] });
    expect(replaySelection(dir, parseSelection({}), '2024-03-06')).toEqual({ day: '2024-03-06', symbols: ['AAA', 'BBB'] });
  });
});

describe('coverage (data ls)', () => {
  it('rows, median regular-session spread in ticks over usable quotes, locked and crossed', () => {
    const c = symbolDayCoverage(dir, { symbol: 'AAA', day: '2024-03-05' }, makeTickTable());
    // session spreads 1, 2, 2 ticks (the 09:00 quote is before the open; locked/crossed skipped)
    expect(c).toEqual({ symbol: 'AAA', day: '2024-03-05', quotes: 6, trades: 1, medianSpreadTicks: 2, locked: 1, crossed: 1 });
    // a $0.005 tick override doubles the spread in ticks
    const half = makeTickTable([{ symbol: 'AAA', tick: 0.005 }]);
    expect(symbolDayCoverage(dir, { symbol: 'AAA', day: '2024-03-05' }, half).medianSpreadTicks).toBe(4);
  });

  it('the table has a line per symbol-day and totals', () => {
    const rows = selectSymbolDays(dir).map((r) => symbolDayCoverage(dir, r, makeTickTable()));
    expect(formatCoverage(rows).split('\n')).toEqual([
      'symbol     day         quotes  trades  median spread (ticks)  locked  crossed',
      'AAA        2024-03-05       6       1                      2       1        1',
      'AAA        2024-03-06       6       1                      2       1        1',
      'BBB        2024-03-06       6       1                      2       1        1',
      '2 symbols  2 days          18       3                              3        3',
      '',
    ]);
  });

  it('ladderlab data ls prints JSON for the selection and exits 2 on an empty one', async () => {
    const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/ladderlab.mjs');
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [bin, 'data', 'ls', '--data', dir, '--symbols', 'BBB', '--json']);
    expect(JSON.parse(stdout)).toEqual([{ symbol: 'BBB', day: '2024-03-06', quotes: 6, trades: 1, medianSpreadTicks: 2, locked: 1, crossed: 1 }]);
    const bad = await run(process.execPath, [bin, 'data', 'ls', '--data', dir, '--from', '2024-04-01']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no symbol-day matches --from 2024-04-01');
  });
});

describe('generated parents over the selected symbol-days (orders.count_per)', () => {
  const tapes = [
    { symbol: 'AAA', day: '2024-03-05' },
    { symbol: 'AAA', day: '2024-03-06' },
    { symbol: 'BBB', day: '2024-03-06' },
  ];
  const perDay = (parents: { symbol: string; arrivalTsUs: number }[]) => {
    const n: Record<string, number> = {};
    for (const p of parents) n[`${p.symbol} ${nyDay(p.arrivalTsUs)}`] = (n[`${p.symbol} ${nyDay(p.arrivalTsUs)}`] ?? 0) + 1;
    return n;
  };

  it('symbol_day: N on each selected symbol-day, buys and sells, sorted by arrival', () => {
    const orders = parseConfig({ orders: { count_per: 'symbol_day' } }).orders;
    const parents = generateParentOrders({ count: 7, seed: 1, orders, tapes });
    expect(perDay(parents)).toEqual({ 'AAA 2024-03-05': 7, 'AAA 2024-03-06': 7, 'BBB 2024-03-06': 7 });
    expect(parents.map((p) => p.clientOrderId).slice(0, 2)).toEqual(['g01', 'g02']);
    expect(parents.some((p) => p.side === 'buy') && parents.some((p) => p.side === 'sell')).toBe(true);
    expect(parents.every((p, i) => i === 0 || parents[i - 1].arrivalTsUs <= p.arrivalTsUs)).toBe(true);
  });

  it('hour: N per regular-session hour of each symbol-day (6.5 h → 13 for N = 2)', () => {
    const orders = parseConfig({ orders: { count_per: 'hour' } }).orders;
    const parents = generateParentOrders({ count: 2, seed: 1, orders, tapes });
    expect(perDay(parents)).toEqual({ 'AAA 2024-03-05': 13, 'AAA 2024-03-06': 13, 'BBB 2024-03-06': 13 });
  });

  it('run (the default): N in all, unchanged from before', () => {
    const orders = parseConfig({}).orders;
    const parents = generateParentOrders({ count: 30, seed: 1, orders, tapes });
    expect(parents).toHaveLength(30);
    expect(Object.values(perDay(parents)).reduce((a, b) => a + b, 0)).toBe(30);
  });
});
