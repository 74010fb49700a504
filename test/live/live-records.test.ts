/**
 * What a live run writes besides the records: the tape of what it saw (sorted, split by New York
 * day, eligibility as the Alpaca ingest reads it, REST quotes only when newer), fills that beat a
 * shutdown cancel folded into the records, and the start-of-run reconciliation (our prefix only,
 * canceled, read back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconcileOpenOrders } from '../../src/live/reconcile.ts';
import { TapeRecorder } from '../../src/live/tape-recorder.ts';
import { loadSymbolDay } from '../../src/data/tape/tape.ts';
import { FakeAlpaca, SEC, T0 } from './live-fakes.ts';

describe('TapeRecorder', () => {
  it('writes what was seen as a tape: sorted by time (stable), REST quotes only when newer, trades with eligibility', () => {
    const rec = new TapeRecorder();
    rec.quote('UVXY', T0 + 2 * SEC, 15.24, 15.31, 4, 6);
    rec.quote('UVXY', T0, 15.23, 15.32, 3, 5);
    rec.quote('UVXY', T0 + 1 * SEC, 15.0, 15.5, 1, 1, true); // REST, older than the newest seen: dropped
    rec.quote('UVXY', T0 + 3 * SEC, 15.25, 15.3, 2, 2, true); // REST, newer: kept
    rec.quote('UVXY', T0 + 4 * SEC, 0, 15.3, 2, 2); // one-sided: not a quote the tape keeps
    rec.trade('UVXY', T0 + 1.5 * SEC, 15.3, 100, 'V', ['@']);
    rec.trade('UVXY', T0 + 0.5 * SEC, 15.29, 20, 'D', ['@']);
    rec.trade('UVXY', T0 + 2.5 * SEC, 15.27, 7, 'N', ['@', 'Z']);
    const dir = mkdtempSync(join(tmpdir(), 'live-tape-'));
    try {
      expect(rec.write(dir)).toEqual([{ symbol: 'UVXY', day: '2024-03-05' }]);
      const tape = loadSymbolDay(dir, 'UVXY', '2024-03-05');
      expect([...tape.quotes.ts].map((t) => (t - T0) / SEC)).toEqual([0, 2, 3]);
      expect([...tape.quotes.bid]).toEqual([15.23, 15.24, 15.25]);
      expect([...tape.quotes.askSize]).toEqual([5, 6, 2]);
      expect([...tape.trades.ts].map((t) => (t - T0) / SEC)).toEqual([0.5, 1.5, 2.5]);
      expect([...tape.trades.exchange].map((c) => String.fromCharCode(c))).toEqual(['D', 'V', 'N']);
      expect([...tape.trades.eligible]).toEqual([0, 1, 0]);
      expect(rec.quoteCount).toBe(3);
      expect(rec.tradeCount).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('splits by New York day', () => {
    const rec = new TapeRecorder();
    rec.quote('ABC', T0, 10, 10.01, 1, 1);
    rec.quote('ABC', T0 + 24 * 3600 * SEC, 11, 11.01, 1, 1);
    expect(rec.symbolDays().map((d) => `${d.symbol} ${d.day} ${d.quotes.length}`)).toEqual(['ABC 2024-03-05 1', 'ABC 2024-03-06 1']);
  });
});

describe('reconcileOpenOrders', () => {
  it('cancels only open orders with our prefix, reads them back, and reports how each ended', async () => {
    const api = new FakeAlpaca();
    const mine = await api.trading.submitLimit({ clientOrderId: 'll-old-p1-1', symbol: 'UVXY', side: 'buy', qty: 100, limitPrice: 15.2, timeInForce: 'day' });
    await api.trading.submitLimit({ clientOrderId: 'someone-else-1', symbol: 'UVXY', side: 'sell', qty: 5, limitPrice: 16, timeInForce: 'day' });
    const partly = await api.trading.submitLimit({ clientOrderId: 'll-old-p2-3', symbol: 'ABC', side: 'sell', qty: 50, limitPrice: 50, timeInForce: 'day' });
    api.fill('ll-old-p2-3', 20, 50);
    api.calls.length = 0;
    const result = await reconcileOpenOrders(api.trading, { prefix: 'll-', retry: { attempts: 2, minDelayMs: 0, maxDelayMs: 0 }, waitMs: 1000, pause: async () => {} });
    expect(result).toEqual([
      { clientOrderId: 'll-old-p1-1', orderId: mine.id, symbol: 'UVXY', side: 'buy', qty: 100, filledQty: 0, status: 'canceled' },
      { clientOrderId: 'll-old-p2-3', orderId: partly.id, symbol: 'ABC', side: 'sell', qty: 50, filledQty: 20, status: 'canceled' },
    ]);
    expect(api.calls).toEqual(['list-open', `cancel ${mine.id}`, `cancel ${partly.id}`, `get ${mine.id}`, `get ${partly.id}`]);
    expect(api.byClientId('someone-else-1')!.status).toBe('accepted');
  });

  it('nothing of ours open: one list call, nothing else', async () => {
    const api = new FakeAlpaca();
    expect(await reconcileOpenOrders(api.trading, { prefix: 'll-', retry: { attempts: 1, minDelayMs: 0, maxDelayMs: 0 }, waitMs: 0 })).toEqual([]);
    expect(api.calls).toEqual(['list-open']);
  });
});
