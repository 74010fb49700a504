import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alpacaTradeEligible } from '../../../src/data/ingest/alpaca.ts';
import { ingest } from '../../../src/data/ingest/ingest.ts';
import { loadSymbolDay } from '../../../src/data/tape/tape.ts';

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-alpaca-'));
  out = join(dir, 'tape');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, value: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};
const us = (iso: string) => Date.parse(iso) * 1000;
const q = (t: string, bp: number, ap: number, bs = 1, as = 2) => ({ t, bp, bs, bx: 'V', ap, as, ax: 'V', c: ['R'], z: 'C' });
const tr = (t: string, p: number, s: number, x: string, c: string[]) => ({ t, p, s, x, i: 1, c, z: 'C' });

describe('Alpaca JSON pages', () => {
  it('reads multi-symbol pages in order, picks --symbol, keeps ns-precision times to the µs', async () => {
    const p1 = write('q1.json', {
      quotes: { AAPL: [q('2024-03-01T14:30:00.000000001Z', 179.5, 179.52)], MSFT: [q('2024-03-01T14:30:00.123456789Z', 415.1, 415.12, 3, 4)] },
      next_page_token: 'abc',
    });
    const p2 = write('q2.json', { quotes: { MSFT: [q('2024-03-01T14:30:01Z', 415.11, 415.12)] }, next_page_token: null });
    const t1 = write('t1.json', {
      trades: {
        MSFT: [
          tr('2024-03-01T14:30:00.5Z', 415.11, 100, 'Q', ['@']),
          tr('2024-03-01T14:30:00.6Z', 415.115, 50, 'D', ['@']),
          tr('2024-03-01T14:30:00.7Z', 415.1, 300, 'N', ['@', 'F', 'I']),
          tr('2024-03-01T14:30:00.8Z', 415.2, 900, 'Q', ['@', 'W']), // average price
        ],
      },
      next_page_token: null,
    });
    const summary = await ingest({ format: 'alpaca', symbol: 'MSFT', quotes: [p1, p2], trades: [t1], out, quoteSizeMultiplier: 100 });
    expect(summary.symbol).toBe('MSFT');
    const tape = loadSymbolDay(out, 'MSFT', '2024-03-01');
    expect(Array.from(tape.quotes.ts)).toEqual([us('2024-03-01T14:30:00.123Z') + 456, us('2024-03-01T14:30:01Z')]);
    expect(Array.from(tape.quotes.bid)).toEqual([415.1, 415.11]);
    expect(Array.from(tape.quotes.bidSize)).toEqual([300, 100]);
    expect(Array.from(tape.quotes.askSize)).toEqual([400, 200]);
    expect(Array.from(tape.trades.eligible)).toEqual([1, 0, 1, 0]);
    expect(Array.from(tape.trades.exchange)).toEqual([81, 68, 78, 81]);
    expect([summary.trades.offExchange, summary.trades.specialCondition]).toEqual([1, 1]);
  });

  it('stores quote sizes in shares whatever the date: round lots ×100 before 2025-11-03 (New York), shares from then on', async () => {
    const pages = write('lots.json', {
      quotes: {
        XYZ: [
          q('2025-11-03T04:59:59.999999Z', 10, 10.01, 3, 5), // 23:59:59.999999 on Nov 2 in New York: lots
          q('2025-11-03T05:00:00Z', 10, 10.01, 3, 5), // midnight Nov 3 New York: shares
          q('2025-11-03T14:30:00Z', 10, 10.01, 250, 1),
        ],
      },
    });
    await ingest({ format: 'alpaca', quotes: [pages], out });
    const nov2 = loadSymbolDay(out, 'XYZ', '2025-11-02').quotes;
    const nov3 = loadSymbolDay(out, 'XYZ', '2025-11-03').quotes;
    expect([Array.from(nov2.bidSize), Array.from(nov2.askSize)]).toEqual([[300], [500]]);
    expect([Array.from(nov3.bidSize), Array.from(nov3.askSize)]).toEqual([[3, 250], [5, 1]]);
    // an explicit multiplier applies to every row (a source that already sends shares: 1)
    await ingest({ format: 'alpaca', quotes: [pages], out, quoteSizeMultiplier: 1 });
    expect(Array.from(loadSymbolDay(out, 'XYZ', '2025-11-02').quotes.bidSize)).toEqual([3]);
  });

  it('takes the single-symbol form and an array of pages; infers the only symbol', async () => {
    const pages = write('pages.json', [
      { symbol: 'IBM', quotes: [q('2024-03-01T14:30:00Z', 185, 185.02)], next_page_token: 'x' },
      { symbol: 'IBM', quotes: [q('2024-03-01T14:30:02Z', 185.01, 185.02)], next_page_token: null },
    ]);
    const summary = await ingest({ format: 'alpaca', quotes: [pages], out });
    expect(summary.symbol).toBe('IBM');
    expect(Array.from(loadSymbolDay(out, 'IBM', '2024-03-01').quotes.bid)).toEqual([185, 185.01]);
  });

  it('eligibility by exchange and conditions', () => {
    expect(alpacaTradeEligible(81, ['@'])).toBe(true);
    expect(alpacaTradeEligible(81, ['@', 'T'])).toBe(true);
    expect(alpacaTradeEligible(81, undefined)).toBe(true);
    expect(alpacaTradeEligible(68, ['@'])).toBe(false);
    expect(alpacaTradeEligible(78, ['@', 'O'])).toBe(false); // opening print
    expect(alpacaTradeEligible(78, ['@', '4'])).toBe(false); // derivatively priced
  });
});
