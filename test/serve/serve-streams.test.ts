/**
 * `serve`'s two WebSocket streams and its key checks, over real sockets: the SDK's market-data
 * stream (msgpack) and trading stream (JSON), the raw market-data protocol (handshake frames,
 * Alpaca's error codes, the msgpack timestamp extension, the JSON variant), and wrong keys on
 * REST and both streams.
 */
import { decode, decodeTimestampToTimeSpec, encode, EXT_TIMESTAMP, ExtensionCodec } from '@msgpack/msgpack';
import { Alpaca, AuthError, PermissionError, type streaming } from '@alpacahq/alpaca-trade-api';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { checkBodies, KEYS, Recorder, SEC, startTestServe, T0, tearDownEachTest, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;
const { cleanups } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

/** T0 + offset as the stream's RFC 3339 (9 digits). */
const raw = (offsetSec: number) => `${new Date((T0 + offsetSec * SEC) / 1000).toISOString().slice(0, 19)}.000000000Z`;

/** A raw protocol client: every message decoded (msgpack timestamps as {sec, nsec}). */
function rawClient(url: string, json = false): { ws: WebSocket; messages: Recorder<unknown>; send: (m: unknown) => void; closed: Promise<number> } {
  const codec = new ExtensionCodec();
  codec.register({ type: EXT_TIMESTAMP, encode: () => null, decode: (data) => decodeTimestampToTimeSpec(data) });
  const ws = new WebSocket(url, json ? {} : { headers: { 'Content-Type': 'application/msgpack' } });
  const messages = new Recorder<unknown>();
  ws.on('message', (data, isBinary) => messages.push(isBinary ? decode(data as Buffer, { extensionCodec: codec }) : JSON.parse(String(data))));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  cleanups.push(() => ws.terminate());
  return { ws, messages, send: (m) => ws.send(json ? JSON.stringify(m) : encode(m)), closed };
}

describe('serve: market-data stream through the SDK', () => {
  it('authenticates, confirms the subscription, then streams quotes and trades in time order with exact timestamps', async () => {
    t = await startTestServe();
    const stream = t.alpaca.marketData.stockStream({ feed: 'sip', url: t.srv.dataStreamUrl('sip'), reconnect: false, pingIntervalMs: 0 });
    cleanups.push(() => stream.disconnect());
    const quotes = new Recorder<streaming.StreamQuote>();
    const trades = new Recorder<streaming.StreamTrade>();
    const order: string[] = [];
    stream.onQuote((q) => (order.push(`q ${q.symbol} ${q.timestampRaw}`), quotes.push(q)));
    stream.onTrade((x) => (order.push(`t ${x.symbol} ${x.timestampRaw}`), trades.push(x)));
    const subscribed = new Promise<unknown>((resolve) => stream.on('subscription', resolve));
    stream.subscribeForQuotes(['XYZ']);
    stream.subscribeForTrades(['XYZ', 'ABC']);
    stream.connect();
    expect(await stream.waitForAuthentication(5000)).toBe(true);
    expect(await subscribed).toMatchObject({ quotes: ['XYZ'], trades: ['XYZ', 'ABC'], bars: [] });

    await t.advance(10_000);
    await quotes.until((q) => q.length === 3, 'three quotes');
    await trades.until((x) => x.length === 4, 'four trades');
    expect(quotes.items.map((q) => [q.symbol, q.timestampRaw, q.bidPrice, q.askPrice, q.bidSize, q.askSize, q.conditions, q.tape])).toEqual([
      ['XYZ', raw(2), 9.99, 10.0, 500, 200, ['R'], 'A'],
      ['XYZ', raw(5), 9.99, 10.01, 500, 300, ['R'], 'A'],
      ['XYZ', raw(10), 10.02, 10.04, 100, 100, ['R'], 'A'],
    ]);
    expect(quotes.items[0].timestamp).toEqual(new Date((T0 + 2 * SEC) / 1000));
    // Trade ids are row numbers in the symbol-day; the off-exchange print keeps ['@'] (x = D tells),
    // the ineligible exchange print carries ['Z'].
    expect(trades.items.map((x) => [x.symbol, x.timestampRaw, x.price, x.size, x.exchange, x.conditions, x.id])).toEqual([
      ['XYZ', raw(3), 10.0, 100, 'N', ['@'], 2],
      ['XYZ', raw(4), 9.98, 50, 'D', ['@'], 3],
      ['XYZ', raw(6), 10.01, 70, 'P', ['Z'], 4],
      ['XYZ', raw(7), 10.03, 200, 'P', ['@'], 5],
    ]);
    expect(order.map((s) => s.slice(0, 1))).toEqual(['q', 't', 't', 'q', 't', 't', 'q']);
  });
});

describe('serve: market-data stream protocol (raw)', () => {
  it('msgpack: connected → errors before auth → authenticated → 403 on a second auth → subscription → data arrays with ns timestamps', async () => {
    t = await startTestServe();
    const c = rawClient(t.srv.dataStreamUrl('iex'));
    await c.messages.until((m) => m.length === 1, 'connected');
    expect(c.messages.items[0]).toEqual([{ T: 'success', msg: 'connected' }]);
    c.send({ action: 'subscribe', quotes: ['XYZ'] });
    await c.messages.until((m) => m.length === 2, 'not authenticated');
    expect(c.messages.items[1]).toEqual([{ T: 'error', code: 401, msg: 'not authenticated' }]);
    c.ws.send(Buffer.from([0xc1])); // never-used msgpack byte
    await c.messages.until((m) => m.length === 3, 'invalid syntax');
    expect(c.messages.items[2]).toEqual([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    c.send({ action: 'auth', key: KEYS.keyId, secret: KEYS.secret });
    await c.messages.until((m) => m.length === 4, 'authenticated');
    expect(c.messages.items[3]).toEqual([{ T: 'success', msg: 'authenticated' }]);
    c.send({ action: 'auth', key: KEYS.keyId, secret: KEYS.secret });
    c.send({ action: 'subscribe', quotes: ['XYZ'], trades: ['ABC'] });
    await c.messages.until((m) => m.length === 6, 'subscription');
    expect(c.messages.items[4]).toEqual([{ T: 'error', code: 403, msg: 'already authenticated' }]);
    expect(c.messages.items[5]).toEqual([
      { T: 'subscription', trades: ['ABC'], quotes: ['XYZ'], bars: [], updatedBars: [], dailyBars: [], statuses: [], lulds: [], corrections: ['ABC'], cancelErrors: ['ABC'] },
    ]);

    await t.advance(5000);
    await c.messages.until((m) => m.length === 7, 'data');
    expect(c.messages.items[6]).toEqual([
      { T: 'q', S: 'XYZ', bx: '', bp: 9.99, bs: 500, ax: '', ap: 10.0, as: 200, c: ['R'], z: 'A', t: { sec: T0 / SEC + 2, nsec: 0 } },
      { T: 'q', S: 'XYZ', bx: '', bp: 9.99, bs: 500, ax: '', ap: 10.01, as: 300, c: ['R'], z: 'A', t: { sec: T0 / SEC + 5, nsec: 0 } },
    ]);

    // One connection per key (Alpaca's rule): a second one is refused with 406 after auth.
    const second = rawClient(t.srv.dataStreamUrl('sip'));
    await second.messages.until((m) => m.length === 1, 'connected');
    second.send({ action: 'auth', key: KEYS.keyId, secret: KEYS.secret });
    await second.messages.until((m) => m.length === 2, '406');
    expect(second.messages.items[1]).toEqual([{ T: 'error', code: 406, msg: 'connection limit exceeded' }]);
    expect(await second.closed).toBe(1008);
  });

  it('JSON when the client does not ask for msgpack: RFC 3339 times with 9 digits', async () => {
    t = await startTestServe();
    const c = rawClient(t.srv.dataStreamUrl('sip'), true);
    await c.messages.until((m) => m.length === 1, 'connected');
    expect(c.messages.items[0]).toEqual([{ T: 'success', msg: 'connected' }]);
    c.send({ action: 'auth', key: KEYS.keyId, secret: KEYS.secret });
    c.send({ action: 'subscribe', trades: ['XYZ'] });
    await c.messages.until((m) => m.length === 3, 'handshake');
    await t.advance(3000);
    await c.messages.until((m) => m.length === 4, 'trade');
    expect(c.messages.items[3]).toEqual([{ T: 't', S: 'XYZ', i: 2, x: 'N', p: 10.0, s: 100, c: ['@'], z: 'A', t: '2024-03-05T15:00:03.000000000Z' }]);
  });

  it('an unknown stream path is refused with HTTP 404', async () => {
    t = await startTestServe();
    const ws = new WebSocket(`ws://127.0.0.1:${t.srv.port}/v2/nasdaq`);
    ws.on('error', () => undefined);
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      }),
    );
    expect(status).toBe(404);
  });
});

describe('serve: wrong keys are refused everywhere', () => {
  it('REST: no headers → 401, wrong secret → 403 (SDK PermissionError), admin too', async () => {
    t = await startTestServe();
    const none = await fetch(`${t.srv.baseUrl}/v2/account`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 40110000, message: 'request is not authorized' });
    const wrong = new Alpaca({ keyId: KEYS.keyId, secret: 'wrong', timeoutMs: 0, rateLimit: false, retry: false, middleware: [{ pre: async ({ url, init }) => ({ url: url.replace(/^https:\/\/paper-api\.alpaca\.markets/, t!.srv.baseUrl), init }) }] });
    const err = await wrong.trading.account.getAccount().catch((e) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toMatchObject({ status: 403, code: 40310000 });
    expect(err).not.toBeInstanceOf(AuthError);
    const admin = await fetch(`${t.srv.baseUrl}/admin/faults`, { method: 'POST', headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': 'x' }, body: '{}' });
    expect(admin.status).toBe(403);
  });

  it('market-data stream: error 402 "auth failed" and the socket is closed; trading stream: unauthorized', async () => {
    t = await startTestServe();
    const bad = new Alpaca({ keyId: KEYS.keyId, secret: 'wrong' });
    const data = bad.marketData.stockStream({ feed: 'sip', url: t.srv.dataStreamUrl('sip'), reconnect: false, pingIntervalMs: 0 });
    cleanups.push(() => data.disconnect());
    const errors: string[] = [];
    data.onError((e) => errors.push(e));
    data.connect();
    expect(await data.whenAuthenticated()).toMatchObject({ authenticated: false, status: 'server_rejected', code: 402, message: 'auth failed' });
    expect(errors).toContain('auth failed');

    const trading = bad.trading.stream({ url: t.srv.tradingStreamUrl, reconnect: false, pingIntervalMs: 0 });
    cleanups.push(() => trading.disconnect());
    trading.connect();
    expect(await trading.whenAuthenticated()).toMatchObject({ authenticated: false, status: 'server_rejected' });

    const c = rawClient(t.srv.dataStreamUrl('sip'));
    await c.messages.until((m) => m.length === 1, 'connected');
    c.send({ action: 'auth', key: 'nobody', secret: KEYS.secret });
    await c.messages.until((m) => m.length === 2, 'auth failed');
    expect(c.messages.items[1]).toEqual([{ T: 'error', code: 402, msg: 'auth failed' }]);
    expect(await c.closed).toBe(1008);
    checkBodies(t.captured);
  });
});
