/**
 * The live adapter's edges: the SDK-backed REST calls (bodies as Alpaca wants them, answers
 * parsed to numbers and µs) against the SDK's own mockFetch, the retry policy (what is retried,
 * how often), key redaction, and which endpoints a run may use.
 */
import { ApiError, FetchError, NotFoundError, RateLimitError, ValidationError } from '@alpacahq/alpaca-trade-api';
import { mockFetch, type MockRequest } from '@alpacahq/alpaca-trade-api/testing';
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config.ts';
import { InputError } from '../../src/core/errors.ts';
import { rfc3339ToUs, sdkDataRest, tradeUpdateTsUs, sdkTradingRest, type SdkOptions } from '../../src/live/alpaca-api.ts';
import { keysFromEnv, LIVE_TRADING_URL, PAPER_TRADING_URL, resolveEndpoints } from '../../src/live/endpoints.ts';
import { Redactor } from '../../src/live/redact.ts';
import { isRetryable, withRetry } from '../../src/live/retry.ts';

const KEYS = { keyId: 'PKUNITTEST', secret: 'unit-secret-Zq9' };

function orderJson(over: Record<string, unknown> = {}) {
  return {
    id: 'ord-1',
    client_order_id: 'll-x-o1-1',
    symbol: 'UVXY',
    side: 'buy',
    type: 'limit',
    time_in_force: 'day',
    qty: '100',
    filled_qty: '40',
    filled_avg_price: '15.25',
    limit_price: '15.28',
    status: 'partially_filled',
    notional: null,
    created_at: '2024-03-05T15:00:00.123456Z',
    ...over,
  };
}

function sdk(fetchApi: SdkOptions['fetchApi']): SdkOptions {
  return {
    endpoints: {
      tradingUrl: 'http://127.0.0.1:9',
      dataUrl: 'http://127.0.0.1:9',
      tradingStreamUrl: 'ws://127.0.0.1:9/stream',
      dataStreamUrl: 'ws://127.0.0.1:9/v2/iex',
      liveMoney: false,
      loopback: true,
    },
    keys: KEYS,
    feed: 'iex',
    requestTimeoutMs: 5000,
    reconnectAttempts: 0,
    reconnectMs: 100,
    fetchApi,
  };
}

describe('trade update stamps', () => {
  it('keep the frame text\'s µs when the SDK\'s Date is the same ms; else the Date; NaN when neither', () => {
    const ms = Date.UTC(2024, 2, 5, 15, 0, 0, 30);
    expect(tradeUpdateTsUs('2024-03-05T15:00:00.030417Z', new Date(ms))).toBe(ms * 1000 + 417);
    expect(tradeUpdateTsUs('2024-03-05T15:00:00.030417000Z', new Date(ms))).toBe(ms * 1000 + 417);
    expect(tradeUpdateTsUs('2024-03-05T15:00:00.031999Z', new Date(ms))).toBe(ms * 1000); // another frame's text
    expect(tradeUpdateTsUs(null, new Date(ms))).toBe(ms * 1000);
    expect(tradeUpdateTsUs('2024-03-05T15:00:00.030417Z', undefined)).toBe(ms * 1000 + 417);
    expect(tradeUpdateTsUs(null, undefined)).toBeNaN();
  });
});

describe('SDK-backed REST', () => {
  it('submits a limit order with string fields, exact price and our client order id; parses the answer', async () => {
    const seen: MockRequest[] = [];
    const rest = sdkTradingRest(
      sdk(
        mockFetch([
          {
            method: 'POST',
            path: '/v2/orders',
            respond: (r) => {
              seen.push(r);
              return orderJson();
            },
          },
        ]),
      ),
    );
    const order = await rest.submitLimit({ clientOrderId: 'll-x-o1-1', symbol: 'UVXY', side: 'buy', qty: 100, limitPrice: 0.1 + 15.18, timeInForce: 'day' });
    const body = JSON.parse(String(seen[0].init?.body));
    expect(body).toEqual({ symbol: 'UVXY', qty: '100', side: 'buy', type: 'limit', time_in_force: 'day', limit_price: '15.28', client_order_id: 'll-x-o1-1' });
    const headers = new Headers(seen[0].init?.headers as Record<string, string>);
    expect(headers.get('APCA-API-KEY-ID')).toBe(KEYS.keyId);
    expect(order).toEqual({
      id: 'ord-1',
      clientOrderId: 'll-x-o1-1',
      symbol: 'UVXY',
      side: 'buy',
      status: 'partially_filled',
      qty: 100,
      filledQty: 40,
      filledAvgPrice: 15.25,
      limitPrice: 15.28,
    });
  });

  it('GET by client order id: the order, or null on 404; DELETE answers 204; open orders listed with status=open', async () => {
    const queries: string[] = [];
    const rest = sdkTradingRest(
      sdk(
        mockFetch([
          {
            method: 'GET',
            path: '/v2/orders:by_client_order_id',
            respond: (r) => {
              const id = r.url.searchParams.get('client_order_id')!;
              queries.push(id);
              return id === 'known' ? orderJson({ client_order_id: 'known', status: 'new', filled_qty: '0', filled_avg_price: null }) : new Response(JSON.stringify({ code: 40410000, message: 'order not found' }), { status: 404 });
            },
          },
          { method: 'DELETE', path: '/v2/orders/ord-1', status: 204 },
          { method: 'GET', path: '/v2/orders', respond: (r) => new Response(JSON.stringify(r.url.searchParams.get('status') === 'open' ? [orderJson()] : []), { status: 200 }) },
        ]),
      ),
    );
    expect(await rest.getByClientOrderId('known')).toMatchObject({ clientOrderId: 'known', status: 'new', filledQty: 0, filledAvgPrice: null });
    expect(await rest.getByClientOrderId('missing')).toBeNull();
    expect(queries).toEqual(['known', 'missing']);
    await expect(rest.cancel('ord-1')).resolves.toBeUndefined();
    expect((await rest.listOpen()).map((o) => o.id)).toEqual(['ord-1']);
  });

  it('reads the clock and the latest quote with µs times (raw body, not the millisecond Date)', async () => {
    const opts = sdk(
      mockFetch([
        { method: 'GET', path: '/v2/clock', body: { timestamp: '2024-03-05T10:00:00.250000-05:00', is_open: true, next_open: '2024-03-06T09:30:00-05:00', next_close: '2024-03-05T16:00:00-05:00' } },
        {
          method: 'GET',
          path: '/v2/stocks/UVXY/quotes/latest',
          respond: (r) => {
            expect(r.url.searchParams.get('feed')).toBe('iex');
            return { symbol: 'UVXY', quote: { t: '2024-03-05T15:00:01.123456789Z', bp: 15.23, bs: 3, bx: 'V', ap: 15.32, as: 5, ax: 'V', c: ['R'], z: 'B' } };
          },
        },
        { method: 'GET', path: '/v2/stocks/NONE/quotes/latest', status: 404, body: { code: 40410000, message: 'not found' } },
      ]),
    );
    const clock = await sdkTradingRest(opts).clock();
    expect(clock).toEqual({
      timestampUs: Date.UTC(2024, 2, 5, 15, 0, 0, 250) * 1000,
      isOpen: true,
      nextOpenUs: Date.UTC(2024, 2, 6, 14, 30) * 1000,
      nextCloseUs: Date.UTC(2024, 2, 5, 21, 0) * 1000,
    });
    const data = sdkDataRest(opts);
    expect(await data.latestQuote('UVXY')).toEqual({ tsUs: Date.UTC(2024, 2, 5, 15, 0, 1) * 1000 + 123456, bid: 15.23, ask: 15.32, bidSize: 3, askSize: 5 });
    expect(await data.latestQuote('NONE')).toBeNull();
  });

  it('rfc3339ToUs keeps µs, truncates ns, honours offsets', () => {
    expect(rfc3339ToUs('2024-03-05T15:00:00Z')).toBe(Date.UTC(2024, 2, 5, 15) * 1000);
    expect(rfc3339ToUs('2024-03-05T15:00:00.000001999Z')).toBe(Date.UTC(2024, 2, 5, 15) * 1000 + 1);
    expect(rfc3339ToUs('2024-03-05T10:00:00.5-05:00')).toBe(Date.UTC(2024, 2, 5, 15) * 1000 + 500_000);
    expect(rfc3339ToUs('yesterday')).toBeNaN();
  });
});

describe('retry policy', () => {
  const res = (status: number) => new Response('{}', { status });
  it('retries 429, 408, 5xx and network failures; not 4xx answers', () => {
    expect(isRetryable(new RateLimitError(res(429), 429, 42910000, 'slow down'))).toBe(true);
    expect(isRetryable(new ApiError(res(500), 500, 50010000, 'boom'))).toBe(true);
    expect(isRetryable(new ApiError(res(503), 503, 0, 'unavailable'))).toBe(true);
    expect(isRetryable(new ApiError(res(408), 408, 0, 'timeout'))).toBe(true);
    expect(isRetryable(new FetchError(new Error('ECONNRESET'), 'failed'))).toBe(true);
    expect(isRetryable(new ValidationError(res(422), 422, 42210000, 'bad price'))).toBe(false);
    expect(isRetryable(new NotFoundError(res(404), 404, 40410000, 'nope'))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });

  it('withRetry: a 429 then a 500 then success takes 3 attempts; a 422 is not retried; attempts are capped', async () => {
    const policy = { attempts: 4, minDelayMs: 0, maxDelayMs: 0 };
    const errors = [new RateLimitError(res(429), 429, 0, 'a'), new ApiError(res(500), 500, 0, 'b')];
    const notices: number[] = [];
    let calls = 0;
    const value = await withRetry(
      'x',
      async () => {
        calls++;
        const e = errors.shift();
        if (e) throw e;
        return 'ok';
      },
      policy,
      (n) => notices.push(n.attempt),
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(notices).toEqual([1, 2]);

    calls = 0;
    await expect(
      withRetry('y', async () => {
        calls++;
        throw new ValidationError(res(422), 422, 0, 'bad');
      }, policy),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      withRetry('z', async () => {
        calls++;
        throw new ApiError(res(502), 502, 0, 'gateway');
      }, policy),
    ).rejects.toMatchObject({ status: 502 });
    expect(calls).toBe(4);
  });
});

describe('Redactor', () => {
  it('removes the secret and the key id from any text and error, and header echoes', () => {
    const r = new Redactor(KEYS);
    expect(r.text(`auth ${KEYS.keyId}:${KEYS.secret} failed`)).toBe('auth [key id]:[secret] failed');
    expect(r.text('APCA-API-SECRET-KEY: abc123 sent')).toBe('APCA-API-SECRET-KEY: [redacted] sent');
    const err = new ApiError(new Response('{}', { status: 403 }), 403, 0, `forbidden for ${KEYS.secret}`);
    expect(r.error(err)).toBe('ApiError 403: forbidden for [secret]');
  });
});

describe('endpoints', () => {
  const live = defaultConfig().live;

  it('paper by default, streams derived: Alpaca paper REST + stream, data host, iex stream', () => {
    const e = resolveEndpoints(live, KEYS, { liveMoney: false });
    expect(e).toEqual({
      tradingUrl: PAPER_TRADING_URL,
      dataUrl: 'https://data.alpaca.markets',
      tradingStreamUrl: 'wss://paper-api.alpaca.markets/stream',
      dataStreamUrl: 'wss://stream.data.alpaca.markets/v2/iex',
      liveMoney: false,
      loopback: false,
    });
  });

  it('a loopback server: ws:// streams on the same host, speed 50 allowed', () => {
    const cfg = parseConfig({ live: { trading_url: 'http://127.0.0.1:8765', data_url: 'http://127.0.0.1:8765/', feed: 'sip', speed: 50 } }).live;
    expect(resolveEndpoints(cfg, KEYS, { liveMoney: false })).toMatchObject({
      tradingUrl: 'http://127.0.0.1:8765',
      dataUrl: 'http://127.0.0.1:8765',
      tradingStreamUrl: 'ws://127.0.0.1:8765/stream',
      dataStreamUrl: 'ws://127.0.0.1:8765/v2/sip',
      loopback: true,
    });
  });

  it('real money needs the flag AND live keys; the live host without the flag is refused; speed ≠ 1 against Alpaca is refused', () => {
    const liveKeys = { keyId: 'AKLIVE', secret: 's' };
    expect(resolveEndpoints(live, liveKeys, { liveMoney: true })).toMatchObject({ tradingUrl: LIVE_TRADING_URL, tradingStreamUrl: 'wss://api.alpaca.markets/stream', liveMoney: true });
    expect(() => resolveEndpoints(live, KEYS, { liveMoney: true })).toThrow(/not a live key/);
    expect(() => resolveEndpoints(live, liveKeys, { liveMoney: false })).toThrow(/is a live key/);
    const toLive = parseConfig({ live: { trading_url: LIVE_TRADING_URL } }).live;
    expect(() => resolveEndpoints(toLive, liveKeys, { liveMoney: false })).toThrow(/real-money host: add --live-money/);
    const fast = parseConfig({ live: { speed: 10 } }).live;
    expect(() => resolveEndpoints(fast, KEYS, { liveMoney: false })).toThrow(InputError);
  });

  it('amend replace and the lockstep clock: loopback only (Alpaca would give a qty-less PATCH the original qty, Alpaca-API#165)', () => {
    const replace = parseConfig({ live: { amend: 'replace' } }).live;
    expect(() => resolveEndpoints(replace, KEYS, { liveMoney: false })).toThrow(/live.amend replace is only for a loopback rehearsal server: .*Alpaca-API#165/);
    const lockstep = parseConfig({ live: { clock: 'lockstep' } }).live;
    expect(() => resolveEndpoints(lockstep, KEYS, { liveMoney: false })).toThrow(/live.clock lockstep is only for a loopback rehearsal server/);
    const local = parseConfig({ live: { amend: 'replace', clock: 'lockstep', trading_url: 'http://127.0.0.1:8765', data_url: 'http://127.0.0.1:8765' } }).live;
    expect(resolveEndpoints(local, KEYS, { liveMoney: false })).toMatchObject({ loopback: true });
  });

  it('keys only from the environment, naming what is missing', () => {
    expect(keysFromEnv({ APCA_API_KEY_ID: 'PK1', APCA_API_SECRET_KEY: 's' })).toEqual({ keyId: 'PK1', secret: 's' });
    expect(() => keysFromEnv({ APCA_API_KEY_ID: 'PK1' })).toThrow(/set APCA_API_SECRET_KEY$/);
  });
});
