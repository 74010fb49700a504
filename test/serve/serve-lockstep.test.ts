/**
 * `serve --speed lockstep` (src/serve/lockstep.ts): virtual time moves only on POST
 * /admin/lockstep, to min(until_us, the next due tape row or venue event), and only once the
 * client reports it received every stream message sent. Driven over real sockets by the SDK's
 * market-data stream, with the counts checked at each step.
 */
import { describe, expect, it } from 'vitest';
import type { streaming } from '@alpacahq/alpaca-trade-api';
import { KEYS, Recorder, SEC, startTestServe, T0, tearDownEachTest, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;
const { cleanups } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

interface Answer {
  now_us: number;
  advanced: boolean;
  sent: { trade_updates: number; market_data: number };
}

async function step(untilUs: number | null, received: { trade_updates: number; market_data: number }): Promise<Answer> {
  const r = await t!.admin('POST', '/admin/lockstep', { until_us: untilUs, received });
  expect(r.status).toBe(200);
  return r.body as Answer;
}

describe('serve: lockstep clock', () => {
  it('a hold caps every step at at_us; reached once a caught-up client asks there; DELETE releases', async () => {
    t = await startTestServe({ serve: { speed: 'lockstep' } });
    const none = { trade_updates: 0, market_data: 0 };
    const holdUs = T0 + 7 * SEC + 500;
    expect((await t.admin('POST', '/admin/lockstep/hold', { at_us: holdUs })).body).toEqual({ at_us: holdUs, reached: false });
    expect((await t.admin('POST', '/admin/lockstep/hold', { at_us: 'soon' })).status).toBe(422);
    for (let k = 0; k < 10 && (await step(T0 + 60 * SEC, none)).now_us < holdUs; k++);
    expect(await step(T0 + 60 * SEC, none)).toMatchObject({ now_us: holdUs, advanced: false });
    expect((await t.admin('GET', '/admin/lockstep/hold')).body).toEqual({ at_us: holdUs, reached: true });
    expect((await t.admin('DELETE', '/admin/lockstep/hold')).body).toEqual({ at_us: null, reached: false });
    expect(await step(T0 + 8 * SEC, none)).toMatchObject({ now_us: T0 + 8 * SEC, advanced: true });
  });

  it('refused (422) unless the server runs at --speed lockstep', async () => {
    t = await startTestServe();
    const r = await t.admin('POST', '/admin/lockstep', { until_us: T0 + SEC, received: { trade_updates: 0, market_data: 0 } });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body)).toMatch(/not running at --speed lockstep/);
  });

  it('moves to the next tape row or the client timer, whichever is first; never while the client is behind; a buy fills at the row time', async () => {
    t = await startTestServe({ serve: { speed: 'lockstep' } });
    const stream = t.alpaca.marketData.stockStream({ feed: 'sip', url: t.srv.dataStreamUrl('sip'), reconnect: false, pingIntervalMs: 0 });
    cleanups.push(() => stream.disconnect());
    const quotes = new Recorder<streaming.StreamQuote>();
    stream.onQuote((q) => quotes.push(q));
    const subscribed = new Promise<unknown>((resolve) => stream.on('subscription', resolve));
    stream.subscribeForQuotes(['XYZ']);
    stream.connect();
    expect(await stream.waitForAuthentication(5000)).toBe(true);
    await subscribed;
    const none = { trade_updates: 0, market_data: 0 };

    // No wall pacing: time stands still until asked.
    expect((await t.admin('GET', '/admin/status')).body).toMatchObject({ now_us: T0, speed: 'lockstep' });
    // until_us before the next row (XYZ quote at T0+2 s): time moves to the client's timer.
    expect(await step(T0 + 1 * SEC, none)).toEqual({ now_us: T0 + 1 * SEC, advanced: true, sent: none });
    // No limit: to the next row, which is sent (one quote).
    expect(await step(null, none)).toEqual({ now_us: T0 + 2 * SEC, advanced: true, sent: { trade_updates: 0, market_data: 1 } });
    // The client says it has not received it yet: nothing moves.
    expect(await step(null, none)).toEqual({ now_us: T0 + 2 * SEC, advanced: false, sent: { trade_updates: 0, market_data: 1 } });
    await quotes.until((q) => q.length === 1, 'the quote at T0+2 s');
    expect(quotes.items[0].askPrice).toBe(10.0);

    // A buy at 10.01 (the ask is 10.00): accepted now, filled at the same virtual time (T0+2 s).
    const order = (await t.admin('POST', '/v2/orders', { symbol: 'XYZ', qty: '100', side: 'buy', type: 'limit', limit_price: '10.01', time_in_force: 'day' })).body as { id: string; status: string };
    expect(order.status).toBe('accepted');
    expect((await t.admin('GET', `/v2/orders/${order.id}`)).body).toMatchObject({ status: 'filled', filled_at: '2024-03-05T15:00:02.000000Z', filled_avg_price: '10' });
    // Client caught up: the next stops are XYZ's prints at T0+3 s and T0+4 s (not sent: only quotes
    // are subscribed), then its quote at T0+5 s.
    expect(await step(T0 + 4 * SEC, { trade_updates: 0, market_data: 1 })).toEqual({ now_us: T0 + 3 * SEC, advanced: true, sent: { trade_updates: 0, market_data: 1 } });
    expect(await step(T0 + 4 * SEC, { trade_updates: 0, market_data: 1 })).toEqual({ now_us: T0 + 4 * SEC, advanced: true, sent: { trade_updates: 0, market_data: 1 } });
    expect(await step(null, { trade_updates: 0, market_data: 1 })).toEqual({ now_us: T0 + 5 * SEC, advanced: true, sent: { trade_updates: 0, market_data: 2 } });
    // An until_us in the past moves nothing.
    await quotes.until((q) => q.length === 2, 'the quote at T0+5 s');
    expect(await step(T0, { trade_updates: 0, market_data: 2 })).toEqual({ now_us: T0 + 5 * SEC, advanced: false, sent: { trade_updates: 0, market_data: 2 } });
  });

  it('a sell resting at 10.02 fills on the print at 10.03 (T0+7 s): the step stops at the fill time and counts the trade updates sent', async () => {
    t = await startTestServe({ serve: { speed: 'lockstep' } });
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(t.srv.tradingStreamUrl);
    cleanups.push(() => ws.terminate());
    const updates = new Recorder<{ event: string; timestamp: string }>();
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.stream === 'trade_updates') updates.push(m.data);
    });
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: KEYS.keyId, secret_key: KEYS.secret } }));
    ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    await new Promise((r) => setTimeout(r, 50));
    const sell = await t.admin('POST', '/v2/orders', { symbol: 'XYZ', qty: '100', side: 'sell', type: 'limit', limit_price: '10.02', time_in_force: 'day' });
    expect(sell.status).toBe(200);
    await updates.until((u) => u.length === 1, 'the new ack');
    const acks = updates.items.length;
    // XYZ has an open order: its rows are stops (T0+2, +3, +4, +5, +6) until the print at 10.03 (T0+7 s).
    let answer = await step(null, { trade_updates: acks, market_data: 0 });
    expect(answer.now_us).toBe(T0 + 2 * SEC);
    while (answer.sent.trade_updates === acks) answer = await step(null, { trade_updates: acks, market_data: 0 });
    expect(answer.now_us).toBe(T0 + 7 * SEC);
    expect(answer.sent.trade_updates).toBe(acks + 1);
    await updates.until((u) => u.length === acks + 1, 'the fill');
    expect(updates.items.at(-1)).toMatchObject({ event: 'fill', timestamp: '2024-03-05T15:00:07.000000Z' });
  });
});
