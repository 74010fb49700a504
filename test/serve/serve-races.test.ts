/**
 * `serve` with venue latency (entry and cancel 100 ms, `through` fills): the races a live client
 * must survive, produced by SimMarket itself rather than by fault switches — a fill that beats a
 * cancel, a replace overtaken by a full fill (the replacement is rejected) or by a partial fill
 * (the replacement is shrunk so the pair never over-fills). Buy side at the ask drop (T0+2 s),
 * sell side at the bid rise (T0+10 s).
 */
import type { streaming } from '@alpacahq/alpaca-trade-api';
import { describe, expect, it } from 'vitest';
import { checkBodies, Recorder, SEC, startTestServe, T0, tearDownEachTest, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;
const { cleanups } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

const LATENCY = { sim: { fill_model: 'through', latency: { entry: { ms: 100 }, cancel: { ms: 100 } } } };

async function withStream(): Promise<Recorder<streaming.TradeUpdate>> {
  t = await startTestServe(LATENCY);
  const rec = new Recorder<streaming.TradeUpdate>();
  const stream = t.alpaca.trading.stream({ url: t.srv.tradingStreamUrl, reconnect: false, pingIntervalMs: 0 });
  cleanups.push(() => stream.disconnect());
  stream.onTradeUpdate((u) => rec.push(u));
  const listening = new Promise((resolve) => stream.on('subscription', resolve));
  stream.subscribeTradeUpdates();
  stream.connect();
  await listening;
  return rec;
}

const line = (u: streaming.TradeUpdate) => `${u.event} ${u.order.clientOrderId} ${u.order.status}${u.qty ? ` ${u.qty}@${u.price}` : ''}`;

describe('serve races with venue latency', () => {
  it('buy: the ask drop fills the order while its cancel is in flight — the fill stands, the order ends filled', async () => {
    const rec = await withStream();
    const orders = t!.alpaca.trading.orders;
    const order = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 10.0, timeInForce: 'day', clientOrderId: 'b' });
    await t!.advance(1950);
    await orders.deleteOrderByOrderID({ orderId: order.id! });
    expect((await orders.getOrderByOrderID({ orderId: order.id! })).status).toBe('pending_cancel');
    await t!.advance(200);
    const done = await orders.getOrderByOrderID({ orderId: order.id! });
    expect(done).toMatchObject({ status: 'filled', filledQty: '100', filledAvgPrice: '10' });
    expect(done.filledAt).toEqual(new Date((T0 + 2 * SEC) / 1000));
    await rec.until((u) => u.some((x) => x.event === 'fill'), 'fill');
    expect(rec.items.map(line)).toEqual(['new b new', 'pending_cancel b pending_cancel', 'fill b filled 100@10']);
    checkBodies(t!.captured);
  });

  it('buy: a replace overtaken by a full fill — the old order fills, the replacement is rejected', async () => {
    const rec = await withStream();
    const orders = t!.alpaca.trading.orders;
    const old = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 10.0, timeInForce: 'day', clientOrderId: 'r0' });
    await t!.advance(1950);
    const replacement = await orders.patchOrderByOrderId({ orderId: old.id!, patchOrderRequest: { limitPrice: '9.99', clientOrderId: 'r1' } });
    await t!.advance(200);
    expect(await orders.getOrderByOrderID({ orderId: old.id! })).toMatchObject({ status: 'filled', filledQty: '100' });
    expect(await orders.getOrderByOrderID({ orderId: replacement.id! })).toMatchObject({ status: 'rejected', filledQty: '0', replaces: old.id });
    await rec.until((u) => u.some((x) => x.event === 'rejected'), 'rejected');
    expect(rec.items.map(line)).toEqual(['new r0 new', 'pending_replace r0 pending_replace', 'fill r0 filled 100@10', 'rejected r1 rejected']);
  });

  it('buy: a replace overtaken by a partial fill (200 of 300) — the replacement works only the 100 left', async () => {
    const rec = await withStream();
    const orders = t!.alpaca.trading.orders;
    const old = await orders.limit({ symbol: 'XYZ', qty: 300, side: 'buy', limitPrice: 10.0, timeInForce: 'day', clientOrderId: 'p0' });
    await t!.advance(1950);
    const replacement = await orders.patchOrderByOrderId({ orderId: old.id!, patchOrderRequest: { limitPrice: '9.98', clientOrderId: 'p1' } });
    expect(replacement.qty).toBe('300');
    await t!.advance(300);
    expect(await orders.getOrderByOrderID({ orderId: old.id! })).toMatchObject({ status: 'replaced', filledQty: '200', replacedBy: replacement.id });
    expect(await orders.getOrderByOrderID({ orderId: replacement.id! })).toMatchObject({ status: 'new', qty: '100', limitPrice: '9.98' });
    await rec.until((u) => u.some((x) => x.event === 'new' && x.order.clientOrderId === 'p1'), 'replacement new');
    expect(rec.items.map(line)).toEqual([
      'new p0 new',
      'pending_replace p0 pending_replace',
      'partial_fill p0 pending_replace 200@10',
      'replaced p0 replaced',
      'new p1 new',
    ]);
  });

  it('buy: a replacement canceled while the old order is still pending_replace stays canceled and never works', async () => {
    await withStream();
    const orders = t!.alpaca.trading.orders;
    const old = await orders.limit({ symbol: 'XYZ', qty: 300, side: 'buy', limitPrice: 10.0, timeInForce: 'day', clientOrderId: 'c0' });
    await t!.advance(1950);
    // 10.01 would fill at the T0+5 s ask (10.01 × 300) if the canceled replacement were routed.
    const replacement = await orders.patchOrderByOrderId({ orderId: old.id!, patchOrderRequest: { limitPrice: '10.01', clientOrderId: 'c1' } });
    await orders.deleteOrderByOrderID({ orderId: replacement.id! });
    await t!.advance(4000);
    expect(await orders.getOrderByOrderID({ orderId: old.id! })).toMatchObject({ status: 'replaced', filledQty: '200' });
    expect(await orders.getOrderByOrderID({ orderId: replacement.id! })).toMatchObject({ status: 'canceled', filledQty: '0' });
  });

  it('sell: the bid rise fills a resting sell while its cancel is in flight', async () => {
    const rec = await withStream();
    const orders = t!.alpaca.trading.orders;
    const order = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'sell', limitPrice: 10.02, timeInForce: 'day', clientOrderId: 's' });
    // The 10.03 print at T0+7 s would fill it first: start the race after it with a fresh order.
    await orders.deleteOrderByOrderID({ orderId: order.id! });
    await t!.advance(8000);
    const late = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'sell', limitPrice: 10.02, timeInForce: 'day', clientOrderId: 's2' });
    await t!.advance(1950);
    await orders.deleteOrderByOrderID({ orderId: late.id! });
    await t!.advance(200);
    const done = await orders.getOrderByOrderID({ orderId: late.id! });
    expect(done).toMatchObject({ status: 'filled', filledQty: '100', filledAvgPrice: '10.02' });
    expect(done.filledAt).toEqual(new Date((T0 + 10 * SEC) / 1000));
    await rec.until((u) => u.some((x) => x.event === 'fill'), 'fill');
    expect(rec.items.filter((u) => u.order.clientOrderId === 's2').map(line)).toEqual(['new s2 new', 'pending_cancel s2 pending_cancel', 'fill s2 filled 100@10.02']);
  });
});
