/**
 * Where `serve` must answer as Alpaca does for a rehearsal to mean something, each through the
 * SDK or a raw socket: a PATCH that changes nothing is refused 403 (no new order); execution ids
 * are UUIDs, one per fill; order ids never repeat across a restart (same seed, same tape); GET
 * /v2/assets/{symbol}; a body over 1 MiB gets 413, not a reset; the wash-trade rule; the trading
 * stream's binary JSON and msgpack frames.
 */
import { connect } from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { trading, type streaming } from '@alpacahq/alpaca-trade-api';
import { KEYS, Recorder, startTestServe, writeTestTapes, type TestServe } from './serve-helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const serves: TestServe[] = [];
const streams: { disconnect(): void }[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) s.disconnect();
  for (const t of serves.splice(0)) await t.close();
});

async function serve(raw: Record<string, unknown> = {}, dir?: string): Promise<TestServe> {
  const t = await startTestServe(raw, { dir });
  serves.push(t);
  return t;
}

const err = (p: Promise<unknown>) => p.then(() => null, (e) => ({ status: e.status, code: e.code, message: e.message }));

describe('serve: Alpaca conformance', () => {
  it('PATCH with no change → 403 and no new order; a real change still replaces', async () => {
    const t = await serve();
    const orders = t.alpaca.trading.orders;
    const o = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 9.5, timeInForce: 'day' });
    await t.advance(1);
    expect(await err(t.orders.patchOrderByOrderId({ orderId: o.id!, patchOrderRequest: {} }))).toEqual({ status: 403, code: 40310000, message: 'no changes to the order were requested' });
    expect(await err(t.orders.patchOrderByOrderId({ orderId: o.id!, patchOrderRequest: { limitPrice: '9.5', qty: '100' } }))).toMatchObject({ status: 403, code: 40310000 });
    expect(await t.orders.getAllOrders({ status: 'all' })).toHaveLength(1);
    const moved = await t.orders.patchOrderByOrderId({ orderId: o.id!, patchOrderRequest: { limitPrice: '9.6' } });
    expect(moved).toMatchObject({ replaces: o.id, limitPrice: '9.6' });
    expect(await t.orders.getAllOrders({ status: 'all' })).toHaveLength(2);
  });

  it('execution ids are UUIDs, distinct per fill (a sell filled in two prints)', async () => {
    const t = await serve();
    const rec = new Recorder<streaming.TradeUpdate>();
    const stream = t.alpaca.trading.stream({ url: t.srv.tradingStreamUrl, reconnect: false, pingIntervalMs: 0 });
    streams.push(stream);
    stream.onTradeUpdate((u) => rec.push(u));
    const listening = new Promise<unknown>((resolve) => stream.on('subscription', resolve));
    stream.subscribeTradeUpdates();
    stream.connect();
    expect(await stream.waitForAuthentication(5000)).toBe(true);
    await listening;
    // Sell 250 at 10.02: the 10.03 print (200) at T0+7 s and the bid at 10.02 at T0+10 s fill it in parts.
    await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 250, side: 'sell', limitPrice: 10.02, timeInForce: 'day' });
    await t.advance(11_000);
    await rec.until((u) => u.filter((x) => x.event === 'fill' || x.event === 'partial_fill').length >= 2, 'two fills');
    const fills = rec.items.filter((u) => u.event === 'fill' || u.event === 'partial_fill');
    for (const f of fills) expect(f.executionId).toMatch(UUID);
    expect(new Set(fills.map((f) => f.executionId)).size).toBe(fills.length);
  });

  it('order ids are salted per server start: the same seed, tape and order give different ids after a restart', async () => {
    const dir = writeTestTapes();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = await serve({ seed: 42 }, dir);
      const o = await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 1, side: 'buy', limitPrice: 9, timeInForce: 'day' });
      expect(o.id).toMatch(UUID);
      ids.push(o.id!, o.clientOrderId!);
      await t.close();
      serves.pop();
    }
    expect(new Set(ids).size).toBe(4);
  });

  it('GET /v2/assets/{symbol}: an active tradable US equity for a tape symbol, 404 otherwise (SDK)', async () => {
    const t = await serve();
    const assets = new trading.AssetsApi(new trading.Configuration({ ...KEYS, basePath: t.srv.baseUrl }));
    const xyz = await assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'XYZ' });
    expect(xyz).toMatchObject({ symbol: 'XYZ', status: 'active', tradable: true, fractionable: false });
    expect(xyz.id).toMatch(UUID);
    expect(await err(assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'NOPE' }))).toMatchObject({ status: 404 });
  });

  it('wash-trade rule: an order that could trade against our own opposite order → 422 "potential wash trade detected"; one that cannot is taken (SDK)', async () => {
    const t = await serve();
    const orders = t.alpaca.trading.orders;
    await orders.limit({ symbol: 'XYZ', qty: 100, side: 'sell', limitPrice: 10.2, timeInForce: 'day' });
    expect(await err(orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 10.2, timeInForce: 'day' }))).toEqual({ status: 422, code: 42210000, message: 'potential wash trade detected. use complex orders' });
    expect(await err(orders.market({ symbol: 'XYZ', qty: 100, side: 'buy', timeInForce: 'day' }))).toMatchObject({ status: 422 });
    // Below our own offer: cannot meet it — taken. Then a sell at or under that bid is refused.
    const bid = await orders.limit({ symbol: 'XYZ', qty: 100, side: 'buy', limitPrice: 9.9, timeInForce: 'day' });
    expect(bid.status).toBe('accepted');
    expect(await err(orders.limit({ symbol: 'XYZ', qty: 10, side: 'sell', limitPrice: 9.85, timeInForce: 'day' }))).toMatchObject({ status: 422, message: 'potential wash trade detected. use complex orders' });
    // Another symbol is not affected.
    expect((await orders.limit({ symbol: 'ABC', qty: 10, side: 'buy', limitPrice: 49, timeInForce: 'day' })).status).toBe('accepted');
  });

  it.each([
    ['JSON in binary frames (as Alpaca paper)', false],
    ['msgpack both ways (Content-Type: application/msgpack)', true],
  ] as const)('trading stream: %s — authorize, listen, then a trade update, over a raw socket', async (_label, msgpack) => {
    const t = await serve();
    const ws = new WebSocket(t.srv.tradingStreamUrl, msgpack ? { headers: { 'Content-Type': 'application/msgpack' } } : {});
    const frames: { binary: boolean; message: Record<string, unknown> }[] = [];
    ws.on('message', (data, isBinary) => frames.push({ binary: isBinary, message: (msgpack ? decode(data as Buffer) : JSON.parse(String(data))) as Record<string, unknown> }));
    await new Promise((resolve) => ws.on('open', resolve));
    streams.push({ disconnect: () => ws.terminate() });
    const send = (m: unknown) => ws.send(msgpack ? encode(m) : JSON.stringify(m));
    send({ action: 'authenticate', data: { key_id: KEYS.keyId, secret_key: KEYS.secret } });
    send({ action: 'listen', data: { streams: ['trade_updates'] } });
    const until = async (n: number) => {
      for (let i = 0; i < 500 && frames.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(2);
    await t.alpaca.trading.orders.limit({ symbol: 'XYZ', qty: 10, side: 'buy', limitPrice: 9, timeInForce: 'day' });
    await until(3);
    expect(frames.every((f) => f.binary)).toBe(true);
    expect(frames.map((f) => f.message.stream)).toEqual(['authorization', 'listening', 'trade_updates']);
    expect(frames[0].message.data).toMatchObject({ status: 'authorized' });
    expect(frames[2].message.data).toMatchObject({ event: 'new', order: { symbol: 'XYZ', qty: '10' } });
  });

  it('a body over 1 MiB → 413 with Alpaca’s error body, over a raw socket (no connection reset)', async () => {
    const t = await serve();
    const body = JSON.stringify({ symbol: 'XYZ', pad: 'x'.repeat((1 << 20) + 10) });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(t.srv.port, '127.0.0.1', () => {
        socket.write(
          `POST /v2/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAPCA-API-KEY-ID: ${KEYS.keyId}\r\nAPCA-API-SECRET-KEY: ${KEYS.secret}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`,
        );
        socket.end(body);
      });
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 40010000, message: expect.stringMatching(/too large/) });
  });
});
