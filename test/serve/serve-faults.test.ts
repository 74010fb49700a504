/**
 * Every `serve` fault switch, observed from the client side through the real SDK: submit errors
 * (429/500, with and without the order placed), delayed cancel acks, fills overtaking cancels,
 * duplicated and reordered trade updates, a closed market, a stalled and a dropped data stream.
 *
 * "Nothing arrived yet" is checked with a barrier: the trading stream keeps order, so once a
 * later update (a barrier order's `new`) has arrived, anything sent before it has too.
 */
import { ApiError, NotFoundError, RateLimitError, type streaming } from '@alpacahq/alpaca-trade-api';
import { describe, expect, it } from 'vitest';
import { checkBodies, Recorder, SEC, startTestServe, T0, tearDownEachTest, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;
const { cleanups, tradeUpdates } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

const events = (rec: Recorder<streaming.TradeUpdate>) => rec.items.map((u) => `${u.event}:${u.order.clientOrderId}`);

let barriers = 0;
/** Submit a far-away order and wait for its `new`: every update sent before it has now arrived. */
async function barrier(ts: TestServe, rec: Recorder<streaming.TradeUpdate>): Promise<void> {
  const id = `barrier-${++barriers}`;
  await ts.alpaca.trading.orders.limit({ symbol: 'ABC', qty: 1, side: 'buy', limitPrice: 1, timeInForce: 'day', clientOrderId: id });
  await rec.until((u) => u.some((x) => x.event === 'new' && x.order.clientOrderId === id), id);
}

const restingSell = (ts: TestServe, clientOrderId: string) =>
  ts.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 100, side: 'sell', limitPrice: 10.5, timeInForce: 'day', clientOrderId });

describe('serve faults: submit errors', () => {
  it('429 without placing (from config): RateLimitError, and the order does not exist; the next submit works', async () => {
    t = await startTestServe({ serve: { faults: { submit_errors: 1, submit_error_status: 429 } } });
    const orders = t.alpaca.trading.orders;
    const err = await orders.limit({ symbol: 'XYZ', qty: 10, side: 'buy', limitPrice: 9.5, timeInForce: 'day', clientOrderId: 'lost-1' }).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 42910000 });
    await expect(orders.getOrderByClientOrderId({ clientOrderId: 'lost-1' })).rejects.toBeInstanceOf(NotFoundError);
    const retried = await orders.limit({ symbol: 'XYZ', qty: 10, side: 'buy', limitPrice: 9.5, timeInForce: 'day', clientOrderId: 'lost-1' });
    expect(retried.status).toBe('accepted');
    checkBodies(t.captured);
  });

  it('500 after placing (admin): the answer is lost but GET by client order id finds the working order', async () => {
    t = await startTestServe();
    const set = await t.admin('POST', '/admin/faults', { submit_errors: 1, submit_error_status: 500, submit_error_accept: true });
    expect(set).toMatchObject({ status: 200, body: { submit_errors: 1, submit_error_status: 500, submit_error_accept: true } });
    const err = await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 10, side: 'buy', limitPrice: 9.5, timeInForce: 'day', clientOrderId: 'ghost' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 500, code: 50010000 });
    const found = await t.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: 'ghost' });
    expect(found).toMatchObject({ status: 'new', qty: '10', limitPrice: '9.5' });
    expect((await t.admin('GET', '/admin/faults')).body).toMatchObject({ submit_errors: 0 });
    checkBodies(t.captured);
  });
});

describe('serve faults: cancels', () => {
  it('cancel_ack_delay_ms: REST says canceled at once; the `canceled` update arrives only after 5 virtual seconds', async () => {
    t = await startTestServe({ serve: { faults: { cancel_ack_delay_ms: 5000 } } });
    const rec = await tradeUpdates(t);
    const order = await restingSell(t, 'slow-cancel');
    await t.alpaca.trading.orders.deleteOrderByOrderID({ orderId: order.id! });
    expect((await t.alpaca.trading.orders.getOrderByOrderID({ orderId: order.id! })).status).toBe('canceled');
    await barrier(t, rec);
    expect(events(rec)).toEqual(['new:slow-cancel', 'pending_cancel:slow-cancel', 'new:barrier-1']);
    await t.advance(4999);
    await barrier(t, rec);
    expect(events(rec)).not.toContain('canceled:slow-cancel');
    await t.advance(1);
    await rec.until((u) => u.some((x) => x.event === 'canceled'), 'canceled');
    const canceled = rec.items.find((u) => u.event === 'canceled')!;
    expect(canceled.timestamp).toEqual(new Date(T0 / 1000));
    expect(canceled.order.status).toBe('canceled');
  });

  it('fill_after_cancel: a full fill at the limit overtakes the cancel; a partial one (40) leaves the rest canceled', async () => {
    t = await startTestServe({ serve: { faults: { fill_after_cancel: 1 } } });
    const rec = await tradeUpdates(t);
    const orders = t.alpaca.trading.orders;
    const full = await restingSell(t, 'race-full');
    await orders.deleteOrderByOrderID({ orderId: full.id! });
    expect(await orders.getOrderByOrderID({ orderId: full.id! })).toMatchObject({ status: 'filled', filledQty: '100', filledAvgPrice: '10.5' });
    await rec.until((u) => u.some((x) => x.event === 'fill'), 'fill');
    expect(events(rec)).toEqual(['new:race-full', 'pending_cancel:race-full', 'fill:race-full']);
    expect(rec.items[2]).toMatchObject({ price: '10.5', qty: '100', positionQty: '-100' });

    await t.admin('POST', '/admin/faults', { fill_after_cancel: 1, fill_after_cancel_qty: 40 });
    const partial = await restingSell(t, 'race-part');
    await orders.deleteOrderByOrderID({ orderId: partial.id! });
    expect(await orders.getOrderByOrderID({ orderId: partial.id! })).toMatchObject({ status: 'canceled', filledQty: '40' });
    await rec.until((u) => u.some((x) => x.event === 'canceled'), 'canceled');
    expect(events(rec).slice(3)).toEqual(['new:race-part', 'pending_cancel:race-part', 'partial_fill:race-part', 'canceled:race-part']);
    expect(rec.items[5]).toMatchObject({ qty: '40', positionQty: '-140' });
  });
});

describe('serve faults: trade update delivery', () => {
  it('duplicate_trade_updates: the next 2 updates arrive twice with the same execution id', async () => {
    t = await startTestServe({ serve: { faults: { duplicate_trade_updates: 2 } } });
    const rec = await tradeUpdates(t);
    await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 10.05, timeInForce: 'day', clientOrderId: 'dup' });
    await barrier(t, rec);
    expect(events(rec)).toEqual(['new:dup', 'new:dup', 'fill:dup', 'fill:dup', 'new:barrier-' + barriers]);
    expect(rec.items[2].executionId).toBe(rec.items[3].executionId);
    expect(rec.items[0].executionId).toBe(rec.items[1].executionId);
    expect(rec.items[2]).toMatchObject({ price: '10.05', qty: '100' });
  });

  it('reorder_trade_updates: the fill arrives before the new that preceded it', async () => {
    t = await startTestServe({ serve: { faults: { reorder_trade_updates: 1 } } });
    const rec = await tradeUpdates(t);
    await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 100, side: 'sell', limitPrice: 10.0, timeInForce: 'day', clientOrderId: 'swap' });
    await barrier(t, rec);
    expect(events(rec)).toEqual(['fill:swap', 'new:swap', 'new:barrier-' + barriers]);
  });
});

describe('serve faults: market hours and the data stream', () => {
  it('market_closed_until 10:00:05: clock closed, orders held as accepted; at 10:00:05 the clock opens and they go out', async () => {
    t = await startTestServe();
    const rec = await tradeUpdates(t);
    await t.admin('POST', '/admin/faults', { market_closed_until: '10:00:05' });
    const clock = await t.alpaca.trading.clock.legacyClock();
    expect(clock).toMatchObject({ isOpen: false, nextOpen: new Date((T0 + 5 * SEC) / 1000) });
    const order = await restingSell(t, 'held');
    await t.advance(4999);
    expect((await t.alpaca.trading.orders.getOrderByOrderID({ orderId: order.id! })).status).toBe('accepted');
    await t.advance(1);
    expect((await t.alpaca.trading.orders.getOrderByOrderID({ orderId: order.id! })).status).toBe('new');
    expect((await t.alpaca.trading.clock.legacyClock()).isOpen).toBe(true);
    await rec.until((u) => u.length === 1, 'new');
    expect(events(rec)).toEqual(['new:held']);
    expect(rec.items[0].timestamp).toEqual(new Date((T0 + 5 * SEC) / 1000));
    checkBodies(t.captured);
  });

  it('data_stream_stall: quotes during the stall never arrive; after it they resume', async () => {
    t = await startTestServe();
    const stream = t.alpaca.marketData.stockStream({ feed: 'sip', url: t.srv.dataStreamUrl('sip'), reconnect: false, pingIntervalMs: 0 });
    cleanups.push(() => stream.disconnect());
    const quotes = new Recorder<streaming.StreamQuote>();
    stream.onQuote((q) => quotes.push(q));
    const subscribed = new Promise((resolve) => stream.on('subscription', resolve));
    stream.subscribeForQuotes(['XYZ']);
    stream.connect();
    await subscribed;
    await t.admin('POST', '/admin/faults', { data_stream_stall: true });
    await t.advance(3000);
    await t.admin('POST', '/admin/faults', { data_stream_stall: false });
    await t.advance(2000);
    await quotes.until((q) => q.length >= 1, 'a quote after the stall');
    expect(quotes.items.map((q) => [q.timestamp.getTime() * 1000 - T0, q.askPrice])).toEqual([[5 * SEC, 10.01]]);
  });

  it('drop: the admin endpoint cuts the data socket; the SDK reconnects, re-subscribes and gets data again', async () => {
    t = await startTestServe();
    const stream = t.alpaca.marketData.stockStream({
      feed: 'sip',
      url: t.srv.dataStreamUrl('sip'),
      pingIntervalMs: 0,
      initialReconnectMs: 1,
      reconnectJitter: 0,
      maxReconnectAttempts: 3,
    });
    cleanups.push(() => stream.disconnect());
    const quotes = new Recorder<streaming.StreamQuote>();
    const lifecycle = new Recorder<string>();
    stream.onQuote((q) => quotes.push(q));
    stream.onStateChange((s) => lifecycle.push(s));
    stream.onReconnected(() => lifecycle.push('reconnected'));
    const subscribed = new Promise((resolve) => stream.once('subscription', resolve));
    stream.subscribeForQuotes(['XYZ']);
    stream.connect();
    await subscribed;
    const resubscribed = new Promise((resolve) => stream.once('subscription', resolve));
    expect(await t.admin('POST', '/admin/drop-data-stream')).toEqual({ status: 200, body: { dropped: 1 } });
    await lifecycle.until((s) => s.includes('reconnected'), 'reconnect');
    await resubscribed;
    expect(lifecycle.items.slice(0, 4)).toEqual(['connecting', 'connected', 'authenticated', 'disconnected']);
    await t.advance(2000);
    await quotes.until((q) => q.length === 1, 'a quote after reconnecting');
    expect(quotes.items[0]).toMatchObject({ symbol: 'XYZ', bidPrice: 9.99, askPrice: 10.0 });
  });

  it('the admin endpoint refuses bad fault settings with 422 and names the key', async () => {
    t = await startTestServe();
    const bad = await t.admin('POST', '/admin/faults', { submit_error_status: 418 });
    expect(bad.status).toBe(422);
    expect((bad.body as { message: string }).message).toMatch(/submit_error_status/);
    const unknown = await t.admin('POST', '/admin/faults', { drop_everything: true });
    expect(unknown.status).toBe(422);
    expect((unknown.body as { message: string }).message).toMatch(/drop_everything/);
    const when = await t.admin('POST', '/admin/faults', { market_closed_until: 'soon' });
    expect(when).toMatchObject({ status: 422, body: { code: 40010001 } });
    expect((await t.admin('DELETE', '/admin/faults')).body).toMatchObject({ submit_errors: 0, market_closed_until: null });
  });
});
