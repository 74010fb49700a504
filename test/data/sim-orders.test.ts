/** Parent orders: CSV parsing with file/line/field errors, and seeded generation. */
import { describe, expect, it } from 'vitest';
import { regularSession } from '../../src/core/calendar.ts';
import { parseConfig } from '../../src/config.ts';
import { InputError } from '../../src/core/errors.ts';
import { formatIsoUtcUs, generateParentOrders, parseIsoUtcUs, parseParentOrdersCsv } from '../../src/data/orders.ts';

const T = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000;

describe('orders CSV', () => {
  it('reads ts (µs exact), symbol, side, qty; ids from the line or the file', () => {
    const csv = 'ts,symbol,side,qty\n2024-03-05T15:00:00Z,AAPL,buy,100\n\n2024-03-05T15:00:01.000250Z,MSFT,SELL,300\n';
    expect(parseParentOrdersCsv(csv, 'o.csv')).toEqual([
      { clientOrderId: 'o2', symbol: 'AAPL', side: 'buy', qty: 100, arrivalTsUs: T, line: 2 },
      { clientOrderId: 'o4', symbol: 'MSFT', side: 'sell', qty: 300, arrivalTsUs: T + 1_000_250, line: 4 },
    ]);
    const withIds = 'symbol,qty,side,ts,client_order_id\nAAPL,5,buy,2024-03-05T15:00:00+00:00,mine-1\n';
    expect(parseParentOrdersCsv(withIds, 'o.csv')[0]).toMatchObject({ clientOrderId: 'mine-1', qty: 5, arrivalTsUs: T });
  });

  const bad: [string, string][] = [
    ['ts,symbol,side,qty\n2024-03-05 10:00:00,AAPL,buy,100\n', 'o.csv: line 2, field "ts": "2024-03-05 10:00:00" is not an ISO 8601 UTC time'],
    ['ts,symbol,side,qty\n2024-03-05T15:00:00-05:00,AAPL,buy,100\n', 'o.csv: line 2, field "ts"'],
    ['ts,symbol,side,qty\n2024-02-30T15:00:00Z,AAPL,buy,100\n', 'o.csv: line 2, field "ts"'],
    ['ts,symbol,side,qty\n2024-03-05T15:00:00Z,AAPL,hold,100\n', 'o.csv: line 2, field "side": "hold" is not buy or sell'],
    ['ts,symbol,side,qty\n2024-03-05T15:00:00Z,AAPL,buy,100\n2024-03-05T15:00:00Z,AAPL,buy,1.5\n', 'o.csv: line 3, field "qty": "1.5" is not a positive whole number'],
    ['ts,symbol,side,qty\n2024-03-05T15:00:00Z,AAPL,buy,\n', 'o.csv: line 2, field "qty"'],
    ['ts,symbol,side,qty\n2024-03-05T15:00:00Z,A/B,buy,1\n', 'o.csv: line 2, field "symbol"'],
    ['ts,symbol,qty\n2024-03-05T15:00:00Z,AAPL,1\n', 'o.csv: line 1: missing column "side"'],
    ['ts,symbol,side,qty,price\n', 'o.csv: line 1: unknown column "price"'],
    ['ts,symbol,side,qty\n2024-03-05T15:00:00Z,AAPL,buy\n', 'o.csv: line 2: invalid CSV'],
    ['ts,symbol,side,qty\n', 'o.csv: no orders'],
    ['ts,symbol,side,qty,client_order_id\n2024-03-05T15:00:00Z,AAPL,buy,1,x\n2024-03-05T15:00:00Z,AAPL,buy,1,x\n', 'o.csv: line 3, field "client_order_id": x repeats line 2'],
  ];
  for (const [csv, message] of bad) {
    it(`rejects: ${message}`, () => {
      expect(() => parseParentOrdersCsv(csv, 'o.csv')).toThrow(InputError);
      expect(() => parseParentOrdersCsv(csv, 'o.csv')).toThrow(message);
    });
  }

  it('ISO round trip to the µs', () => {
    expect(parseIsoUtcUs('2024-03-05T15:00:00.5Z')).toBe(T + 500_000);
    expect(formatIsoUtcUs(T + 1_000_250)).toBe('2024-03-05T15:00:01.000250Z');
    expect(formatIsoUtcUs(T)).toBe('2024-03-05T15:00:00.000Z');
  });
});

describe('generated orders', () => {
  const tapes = [
    { symbol: 'AAA', day: '2024-03-05' },
    { symbol: 'BBB', day: '2024-03-05' },
    { symbol: 'AAA', day: '2024-03-06' },
  ];
  const orders = parseConfig({ orders: { qty_min: 100, qty_max: 500, qty_lot: 200 } }).orders;

  it('N orders in the regular sessions, both sides, sizes from the config lots, sorted, seeded', () => {
    const a = generateParentOrders({ count: 400, seed: 3, orders, tapes });
    expect(a).toHaveLength(400);
    expect(a[0].clientOrderId).toBe('g001');
    expect(new Set(a.map((p) => p.qty))).toEqual(new Set([100, 300, 500]));
    expect(new Set(a.map((p) => p.side))).toEqual(new Set(['buy', 'sell']));
    expect(new Set(a.map((p) => p.symbol))).toEqual(new Set(['AAA', 'BBB']));
    const s1 = regularSession('2024-03-05');
    const s2 = regularSession('2024-03-06');
    for (const p of a) {
      const inside = (p.arrivalTsUs >= s1.openUs && p.arrivalTsUs < s1.closeUs) || (p.arrivalTsUs >= s2.openUs && p.arrivalTsUs < s2.closeUs);
      expect(inside).toBe(true);
    }
    for (let i = 1; i < a.length; i++) expect(a[i].arrivalTsUs).toBeGreaterThanOrEqual(a[i - 1].arrivalTsUs);
    expect(generateParentOrders({ count: 400, seed: 3, orders, tapes })).toEqual(a);
    expect(generateParentOrders({ count: 400, seed: 4, orders, tapes })).not.toEqual(a);
  });

  it('spacingUs: a symbol + side never has two parents closer than the spacing on a day; already spaced drafts keep their arrival', () => {
    const one = [{ symbol: 'AAA', day: '2024-03-05' }];
    const spacingUs = 200e6; // the default worst-case duration, 120 + 4·5 + 60 s
    const free = generateParentOrders({ count: 200, seed: 3, orders, tapes: one });
    const spaced = generateParentOrders({ count: 200, seed: 3, orders, tapes: one, spacingUs });
    const { openUs, closeUs } = regularSession('2024-03-05');
    for (const side of ['buy', 'sell'] as const) {
      const a = free.filter((p) => p.side === side).map((p) => p.arrivalTsUs);
      const b = spaced.filter((p) => p.side === side).map((p) => p.arrivalTsUs);
      expect(b).toHaveLength(a.length); // same parents per side, same count
      const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]);
      expect(Math.min(...gaps(a))).toBeLessThan(spacingUs); // the free draw collides …
      expect(Math.min(...gaps(b))).toBeGreaterThanOrEqual(spacingUs); // … the spaced one never does
      expect(b[0]).toBeGreaterThanOrEqual(openUs);
      expect(b[b.length - 1]).toBeLessThan(closeUs);
    }
    // quantities and sides are the seed's draws, untouched
    expect(spaced.map((p) => [p.side, p.qty]).sort()).toEqual(free.map((p) => [p.side, p.qty]).sort());
    // a parent already spaced from its neighbours keeps its drawn arrival exactly
    const few = generateParentOrders({ count: 4, seed: 3, orders, tapes: one });
    expect(generateParentOrders({ count: 4, seed: 3, orders, tapes: one, spacingUs: 1 })).toEqual(few);
  });

  it('spacingUs: more parents than a day can hold apart is an input error naming the symbol, side, day and key', () => {
    const one = [{ symbol: 'AAA', day: '2024-03-05' }];
    // 6.5 h = 23,400 s holds floor((23,400 s − 1 µs) / 200 s) + 1 = 117 parents per side
    expect(() => generateParentOrders({ count: 400, seed: 3, orders, tapes: one, spacingUs: 200e6 })).toThrow(
      /--orders 400: \d+ (buy|sell) parents for AAA on 2024-03-05, but only 117 fit 200 s apart .*risk\.one_working_per_symbol_side/,
    );
  });

  it('orders.symbols restricts the draw; unknown symbols and empty data are input errors', () => {
    const only = parseConfig({ orders: { symbols: ['BBB'] } }).orders;
    expect(new Set(generateParentOrders({ count: 50, seed: 1, orders: only, tapes }).map((p) => p.symbol))).toEqual(new Set(['BBB']));
    const missing = parseConfig({ orders: { symbols: ['ZZZ'] } }).orders;
    expect(() => generateParentOrders({ count: 5, seed: 1, orders: missing, tapes })).toThrow("'orders.symbols': ZZZ has no tape");
    expect(() => generateParentOrders({ count: 5, seed: 1, orders, tapes: [] })).toThrow(InputError);
  });
});
