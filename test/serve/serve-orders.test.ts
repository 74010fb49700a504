/**
 * `serve` driven by the real SDK over real sockets: the order round trip (submit, get, get by
 * client order id, replace, fill, cancel, 404/422), the trading stream's trade_updates with
 * execution ids, positions and account, buy and sell. Speed 0: virtual time moves only through
 * POST /admin/advance, so every fill time and price below is exact. Every REST body the SDK
 * received is validated against the SDK's generated model checks.
 */
import { NotFoundError, ValidationError, type streaming } from '@alpacahq/alpaca-trade-api';
import { describe, expect, it } from 'vitest';
import { checkBodies, checkOrder, SEC, startTestServe, T0, tearDownEachTest, type TestServe } from './serve-helpers.ts';
import { rfc3339Micros } from '../../src/serve/wire.ts';

let t: TestServe | undefined;
const { tradeUpdates } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

const summary = (u: streaming.TradeUpdate) => `${u.event}:${u.order.clientOrderId}:${u.order.status}`;

describe('serve: order round trip through the SDK', () => {
  it('buy: submit, get, get by client id, replace, fill at the new limit; stream has every step with execution ids', async () => {
    t = await startTestServe();
    const updates = await tradeUpdates(t);
    const orders = t.alpaca.trading.orders;

    const submitted = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 9.99, timeInForce: 'day', clientOrderId: 'p1-0' });
    expect(submitted).toMatchObject({ clientOrderId: 'p1-0', symbol: 'XYZ', qty: '100', side: 'buy', type: 'limit', limitPrice: '9.99', status: 'accepted', filledQty: '0', notional: null });
    expect(submitted.createdAt).toEqual(new Date(T0 / 1000));

    const got = await orders.getOrderByOrderID({ orderId: submitted.id! });
    expect(got.status).toBe('new');
    const byClient = await orders.getOrderByClientOrderId({ clientOrderId: 'p1-0' });
    expect(byClient.id).toBe(submitted.id);

    const replacement = await orders.patchOrderByOrderId({ orderId: submitted.id!, patchOrderRequest: { limitPrice: '10', clientOrderId: 'p1-1' } });
    expect(replacement).toMatchObject({ clientOrderId: 'p1-1', replaces: submitted.id, limitPrice: '10', qty: '100', status: 'accepted' });
    expect(replacement.id).not.toBe(submitted.id);
    const old = await orders.getOrderByOrderID({ orderId: submitted.id! });
    expect(old).toMatchObject({ status: 'replaced', replacedBy: replacement.id });
    expect((await orders.getOrderByOrderID({ orderId: replacement.id! })).status).toBe('new');

    // T0+2 s: ask 10.00 (200 shares) reaches the new limit: 100 fill at 10.00.
    await t.advance(2000);
    const filled = await orders.getOrderByOrderID({ orderId: replacement.id! });
    expect(filled).toMatchObject({ status: 'filled', filledQty: '100', filledAvgPrice: '10' });
    expect(filled.filledAt).toEqual(new Date((T0 + 2 * SEC) / 1000));

    await updates.until((u) => u.some((x) => x.event === 'fill'), 'the fill');
    expect(updates.items.map(summary)).toEqual([
      'new:p1-0:new',
      'pending_replace:p1-0:pending_replace',
      'replaced:p1-0:replaced',
      'new:p1-1:new',
      'fill:p1-1:filled',
    ]);
    const fill = updates.items[4];
    expect(fill).toMatchObject({ price: '10', qty: '100', positionQty: '100' });
    expect(fill.executionId).toMatch(/\S/);
    expect(fill.timestamp).toEqual(new Date((T0 + 2 * SEC) / 1000));
    const execIds = updates.items.map((u) => u.executionId);
    expect(new Set(execIds).size).toBe(execIds.length);

    const [position] = await t.alpaca.trading.positions.getAllOpenPositions();
    expect(position).toMatchObject({ symbol: 'XYZ', qty: '100', side: 'long', avgEntryPrice: '10', costBasis: '1000' });
    const account = await t.alpaca.trading.account.getAccount();
    expect(account).toMatchObject({ cash: '99000', status: 'ACTIVE', currency: 'USD' });

    const all = await orders.getAllOrders({ status: 'all', direction: 'asc' });
    expect(all.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['p1-0', 'replaced'],
      ['p1-1', 'filled'],
    ]);
    const counts = checkBodies(t.captured);
    expect(counts).toMatchObject({ order: 7, positions: 1, account: 1, 'order list': 1 });
  });

  it('sell: rests above the bid, cancel → pending_cancel → canceled (204); a second cancel is 422; unknown ids are 404', async () => {
    t = await startTestServe();
    const updates = await tradeUpdates(t);
    const orders = t.alpaca.trading.orders;
    const sell = await orders.limit({ symbol: 'XYZ', qty: 60, side: 'sell', limitPrice: 10.05, timeInForce: 'day', clientOrderId: 's1-0' });
    expect(sell.status).toBe('accepted');
    await t.advance(1000);
    expect((await orders.getOrderByOrderID({ orderId: sell.id! })).status).toBe('new');

    await expect(orders.deleteOrderByOrderID({ orderId: sell.id! })).resolves.toBeUndefined();
    const canceled = await orders.getOrderByOrderID({ orderId: sell.id! });
    expect(canceled).toMatchObject({ status: 'canceled', filledQty: '0' });
    expect(canceled.canceledAt).toEqual(new Date((T0 + SEC) / 1000));
    await updates.until((u) => u.some((x) => x.event === 'canceled'), 'canceled');
    expect(updates.items.map(summary)).toEqual(['new:s1-0:new', 'pending_cancel:s1-0:pending_cancel', 'canceled:s1-0:canceled']);

    const again = await orders.deleteOrderByOrderID({ orderId: sell.id! }).catch((e) => e);
    expect(again).toBeInstanceOf(ValidationError);
    expect(again).toMatchObject({ status: 422, code: 42210000, message: 'order is already in "canceled" state' });

    const missing = await orders.getOrderByOrderID({ orderId: '00000000-0000-4000-8000-000000000000' }).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 40410000 });
    await expect(orders.deleteOrderByOrderID({ orderId: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(orders.getOrderByClientOrderId({ clientOrderId: 'never-sent' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(orders.patchOrderByOrderId({ orderId: sell.id!, patchOrderRequest: { qty: '10' } })).rejects.toMatchObject({ status: 422 });

    expect(checkBodies(t.captured)).toMatchObject({ order: 3, 'no content': 1, error: 5 });
  });

  it('sell: a resting sell fills on a print through its limit; market orders take the far touch (buy at the ask, sell at the bid)', async () => {
    t = await startTestServe();
    const orders = t.alpaca.trading.orders;
    const buyMkt = await orders.market({ symbol: 'XYZ', qty: 50, side: 'buy', timeInForce: 'day', clientOrderId: 'm-buy' });
    const sellMkt = await orders.market({ symbol: 'XYZ', qty: 30, side: 'sell', timeInForce: 'day', clientOrderId: 'm-sell' });
    expect(await orders.getOrderByOrderID({ orderId: buyMkt.id! })).toMatchObject({ status: 'filled', filledAvgPrice: '10.05', filledQty: '50', type: 'market', limitPrice: undefined });
    expect(await orders.getOrderByOrderID({ orderId: sellMkt.id! })).toMatchObject({ status: 'filled', filledAvgPrice: '10', filledQty: '30' });

    // Sell 100 at 10.02: no bid reaches it before T0+10 s, but the eligible print at 10.03 (200
    // shares, T0+7 s) trades through it; the ineligible 10.01 print at T0+6 s does nothing.
    const sell = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'sell', limitPrice: 10.02, timeInForce: 'day', clientOrderId: 's2' });
    await t.advance(6999);
    expect((await orders.getOrderByOrderID({ orderId: sell.id! })).status).toBe('new');
    await t.advance(1);
    const done = await orders.getOrderByOrderID({ orderId: sell.id! });
    expect(done).toMatchObject({ status: 'filled', filledQty: '100', filledAvgPrice: '10.02' });
    expect(done.filledAt).toEqual(new Date((T0 + 7 * SEC) / 1000));

    // 50 bought at 10.05, 130 sold (30 at 10.00, 100 at 10.02): short 80; cash = 100000 − 502.5 + 300 + 1002.
    const [position] = await t.alpaca.trading.positions.getAllOpenPositions();
    expect(position).toMatchObject({ symbol: 'XYZ', qty: '-80', side: 'short', avgEntryPrice: '10.02' });
    expect((await t.alpaca.trading.account.getAccount()).cash).toBe('100799.5');
    checkBodies(t.captured);
  });

  it('rejects what Alpaca rejects: unknown symbol, fractional qty, sub-penny price, duplicate client order id, unsupported types', async () => {
    t = await startTestServe();
    const orders = t.alpaca.trading.orders;
    const err = (p: Promise<unknown>) => p.then(() => null, (e) => ({ status: e.status, code: e.code, message: e.message }));
    expect(await err(orders.limit({ symbol: 'NOPE', qty: 1, side: 'buy', limitPrice: 1, timeInForce: 'day' }))).toEqual({ status: 422, code: 40010001, message: 'asset "NOPE" not found' });
    expect(await err(orders.limit({ symbol: 'XYZ', qty: 1.5, side: 'buy', limitPrice: 9, timeInForce: 'day' }))).toMatchObject({ status: 422, code: 40010001 });
    expect(await err(orders.limit({ symbol: 'XYZ', qty: 1, side: 'sell', limitPrice: 10.005, timeInForce: 'day' }))).toMatchObject({ status: 422, code: 42210000 });
    await orders.limit({ symbol: 'XYZ', qty: 1, side: 'buy', limitPrice: 9, timeInForce: 'day', clientOrderId: 'dup' });
    expect(await err(orders.limit({ symbol: 'XYZ', qty: 1, side: 'buy', limitPrice: 9, timeInForce: 'day', clientOrderId: 'dup' }))).toEqual({ status: 422, code: 40010001, message: 'client_order_id must be unique' });
    expect(await err(orders.stop({ symbol: 'XYZ', qty: 1, side: 'sell', stopPrice: 9, timeInForce: 'day' }))).toMatchObject({ status: 422, code: 40010001 });
    expect(await err(orders.limit({ symbol: 'XYZ', qty: 100_000, side: 'buy', limitPrice: 10, timeInForce: 'day' }))).toEqual({ status: 403, code: 40310000, message: 'insufficient buying power' });
    expect(checkBodies(t.captured)).toMatchObject({ error: 6, order: 1 });
  });

  it('clock, calendar and the day-order close: open at 10:00, closed after 16:00 with day orders expired', async () => {
    t = await startTestServe({}, { startUs: T0 + 5 * 3600 * SEC + 59 * 60 * SEC }); // 15:59
    const updates = await tradeUpdates(t);
    const clock = await t.alpaca.trading.clock.legacyClock();
    expect(clock).toMatchObject({ isOpen: true });
    expect(clock.nextClose).toEqual(new Date(Date.UTC(2024, 2, 5, 21, 0, 0)));
    expect(clock.nextOpen).toEqual(new Date(Date.UTC(2024, 2, 6, 14, 30, 0)));
    const order = await t.alpaca.trading.orders.limit({ symbol: 'ABC', qty: 10, side: 'buy', limitPrice: 49.5, timeInForce: 'day', clientOrderId: 'late' });
    await t.advance(60_000);
    const after = await t.alpaca.trading.clock.legacyClock();
    expect(after.isOpen).toBe(false);
    const expired = await t.alpaca.trading.orders.getOrderByOrderID({ orderId: order.id! });
    expect(expired.status).toBe('expired');
    expect(expired.expiredAt).toEqual(new Date(Date.UTC(2024, 2, 5, 21, 0, 0)));
    await updates.until((u) => u.some((x) => x.event === 'expired'), 'expired');
    const calendar = await t.alpaca.trading.calendar.legacyCalendar({ start: new Date('2024-03-08'), end: new Date('2024-03-11') });
    expect(calendar.map((d) => [d.date.toISOString().slice(0, 10), d.open, d.close])).toEqual([
      ['2024-03-08', '09:30', '16:00'],
      ['2024-03-11', '09:30', '16:00'],
    ]);
    expect(rfc3339Micros(T0)).toBe('2024-03-05T15:00:00.000000Z');
    expect(checkBodies(t.captured)).toMatchObject({ clock: 2, calendar: 1 });
  });

  it('every order body validates with OrderFromJSON / instanceOfOrder, including replaced and rejected ones', async () => {
    t = await startTestServe();
    const o = await t.orders.postOrderRaw({ postOrderRequest: { symbol: 'ABC', qty: '5', side: 'buy', type: 'limit', timeInForce: 'day', limitPrice: '50' } });
    const raw = (await o.raw.clone().json()) as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(expect.arrayContaining(['id', 'client_order_id', 'notional', 'time_in_force', 'type', 'status', 'filled_qty', 'asset_id']));
    checkOrder(raw);
  });
});
