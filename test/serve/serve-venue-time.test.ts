/**
 * serve stamps each trade update with the venue's own time of the event (as Alpaca does: the
 * timestamp is when the venue acted), not when its broker heard of it over the response channel —
 * so a run through serve observes the entry and response latencies apart, and a fill's time is the
 * venue's (what calibrate's intensity likelihood matches to the quote). Speed 0: time moves only
 * through POST /admin/advance, so every time below is exact. Buy and sell.
 */
import { describe, expect, it } from 'vitest';
import { SEC, startTestServe, T0, tearDownEachTest, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;
const { tradeUpdates } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

const MS = 1000;
const latency = { entry: { ms: 30 }, cancel: { ms: 20 }, response: { ms: 40 } };

describe('serve: trade updates carry the venue time', () => {
  for (const [side, limitPrice, fillUs] of [['buy', 10.0, T0 + 2 * SEC], ['sell', 10.01, T0 + 7 * SEC]] as const) {
    it(`${side}: 'new' at the venue arrival (sent + entry), 'fill' at the quote or print that filled it — not 40 ms later when the broker heard`, async () => {
      t = await startTestServe({ sim: { fill_model: 'through', latency } });
      const updates = await tradeUpdates(t);
      await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 100, side, limitPrice, timeInForce: 'day', clientOrderId: `${side}-0` });
      await t.advance(12_000);
      await updates.until((u) => u.some((x) => x.event === 'fill'), 'the fill');
      expect(updates.items.map((u) => [u.event, u.timestamp!.getTime() * MS - T0])).toEqual([
        ['new', 30 * MS],
        ['fill', fillUs - T0],
      ]);
    });
  }

  it('a cancel: canceled at the venue time (cancel sent + cancel latency)', async () => {
    t = await startTestServe({ sim: { fill_model: 'through', latency } });
    const updates = await tradeUpdates(t);
    const order = await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 9.5, timeInForce: 'day', clientOrderId: 'c-0' });
    await t.advance(1000);
    await t.alpaca.trading.orders.deleteOrderByOrderID({ orderId: order.id! });
    await t.advance(1000);
    await updates.until((u) => u.some((x) => x.event === 'canceled'), 'the cancel');
    expect(updates.items.map((u) => [u.event, u.timestamp!.getTime() * MS - T0])).toEqual([
      ['new', 30 * MS],
      ['pending_cancel', 1000 * MS],
      ['canceled', 1020 * MS],
    ]);
  });
});
