/**
 * Shared pieces of the `serve` tests: a small tape written to a temp directory, a server on an
 * ephemeral loopback port at speed 0 (virtual time moves only through POST /admin/advance, so
 * nothing depends on wall time), real SDK clients pointed at it, and a checker that validates
 * every REST body the server sent against the SDK's own generated model checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alpaca, marketData, trading, type streaming } from '@alpacahq/alpaca-trade-api';
import { afterEach, expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { startServe, type RunningServe } from '../../src/serve/server.ts';
import { makeQuoteColumns, makeTradeColumns, type QuoteRow, type TradeRow } from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';

/** 2024-03-05 10:00:00 New York (EST) in epoch µs — inside the regular session. */
export const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000;
export const DAY = '2024-03-05';
export const SEC = 1_000_000;
export const KEYS = { keyId: 'PKTESTKEY', secret: 'test-secret-not-real' };

/**
 * XYZ: ask comes down to 10.00 at T0+2 s (200 shares), the bid goes up to 10.02 at T0+10 s.
 * ABC: a quiet second symbol. Prints include an off-exchange (D) one and an ineligible one.
 */
export const XYZ_QUOTES: QuoteRow[] = [
  [T0 - 60 * SEC, 10.0, 10.05, 300, 400],
  [T0 + 2 * SEC, 9.99, 10.0, 500, 200],
  [T0 + 5 * SEC, 9.99, 10.01, 500, 300],
  [T0 + 10 * SEC, 10.02, 10.04, 100, 100],
  [T0 + 20 * SEC, 10.01, 10.03, 100, 100],
];
export const XYZ_TRADES: TradeRow[] = [
  [T0 - 30 * SEC, 10.02, 100, 'N'],
  [T0 + 3 * SEC, 10.0, 100, 'N'],
  [T0 + 4 * SEC, 9.98, 50, 'D'],
  { tsUs: T0 + 6 * SEC, price: 10.01, size: 70, exchange: 'P', eligible: false },
  [T0 + 7 * SEC, 10.03, 200, 'P'],
];
export const ABC_QUOTES: QuoteRow[] = [
  [T0 - 10 * SEC, 50.0, 50.02, 1000, 800],
  [T0 + 8 * SEC, 50.01, 50.03, 900, 700],
];
export const ABC_TRADES: TradeRow[] = [[T0 - 5 * SEC, 50.01, 300, 'Q']];

export function writeTestTapes(): string {
  const dir = mkdtempSync(join(tmpdir(), 'serve-'));
  writeSymbolDay(dir, { symbol: 'XYZ', day: DAY, quotes: makeQuoteColumns(XYZ_QUOTES), trades: makeTradeColumns(XYZ_TRADES) });
  writeSymbolDay(dir, { symbol: 'ABC', day: DAY, quotes: makeQuoteColumns(ABC_QUOTES), trades: makeTradeColumns(ABC_TRADES) });
  return dir;
}

export interface Captured {
  method: string;
  path: string;
  status: number;
  body: string;
}

export interface TestServe {
  srv: RunningServe;
  dir: string;
  /** Every REST answer the SDK received (validated by `checkBodies`). */
  captured: Captured[];
  /** The facade, pointed at the server by a middleware that rewrites Alpaca's hosts. */
  alpaca: Alpaca;
  /** The generated API classes on their own Configuration with basePath. */
  orders: trading.OrdersApi;
  stocks: marketData.StockApi;
  admin: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  advance: (ms: number) => Promise<void>;
  close: () => Promise<void>;
}

function captureMiddleware(captured: Captured[]): trading.Middleware {
  return {
    async post({ url, init, response }) {
      const u = new URL(url);
      captured.push({ method: (init.method ?? 'GET').toUpperCase(), path: u.pathname, status: response.status, body: await response.clone().text() });
      return undefined;
    },
  };
}

export async function startTestServe(raw: Record<string, unknown> = {}, options: { startUs?: number; dir?: string } = {}): Promise<TestServe> {
  const dir = options.dir ?? writeTestTapes();
  const config = parseConfig({ sim: { fill_model: 'through' }, ...raw, serve: { speed: 0, ...(raw.serve as object) } });
  const srv = await startServe({ dir, config, keys: KEYS, port: 0, startUs: options.startUs ?? T0 });
  const captured: Captured[] = [];
  const capture = captureMiddleware(captured);
  const rewrite: trading.Middleware = {
    async pre({ url, init }) {
      return { url: url.replace(/^https:\/\/(paper-api|data)\.alpaca\.markets/, srv.baseUrl), init };
    },
  };
  const alpaca = new Alpaca({ ...KEYS, timeoutMs: 0, rateLimit: false, retry: false, middleware: [rewrite, capture] });
  const common = { ...KEYS, basePath: srv.baseUrl, timeoutMs: 0, middleware: [capture] };
  const orders = new trading.OrdersApi(new trading.Configuration(common));
  const stocks = new marketData.StockApi(new marketData.Configuration(common));
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${srv.baseUrl}${path}`, {
      method,
      headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secret, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const advance = async (ms: number) => {
    const r = await admin('POST', '/admin/advance', { ms });
    expect(r.status).toBe(200);
  };
  const close = async () => {
    await srv.close();
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  };
  return { srv, dir, captured, alpaca, orders, stocks, admin, advance, close };
}

// ── body validation with the SDK's model checks ──────────────────────────────────────────────

function validDate(d: unknown): boolean {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

export function checkOrder(json: unknown): trading.Order {
  const o = trading.OrderFromJSON(json);
  expect(trading.instanceOfOrder(o), JSON.stringify(json)).toBe(true);
  expect(trading.instanceOfOrderStatus(o.status)).toBe(true);
  expect(trading.instanceOfTimeInForce(o.timeInForce)).toBe(true);
  expect(trading.instanceOfOrderType(o.type)).toBe(true);
  expect(trading.instanceOfOrderSide(o.side)).toBe(true);
  expect(trading.instanceOfOrderClass(o.orderClass)).toBe(true);
  expect(trading.instanceOfAssetClass(o.assetClass)).toBe(true);
  for (const key of ['createdAt', 'updatedAt', 'submittedAt', 'filledAt', 'canceledAt', 'expiredAt', 'failedAt', 'replacedAt'] as const) {
    if (o[key] !== undefined) expect(validDate(o[key]), key).toBe(true);
  }
  return o;
}

function checkQuote(q: unknown): void {
  const m = marketData.StockQuoteFromJSON(q);
  expect(marketData.instanceOfStockQuote(m), JSON.stringify(q)).toBe(true);
  expect(marketData.instanceOfStockTape(m.z)).toBe(true);
  expect(validDate(m.t)).toBe(true);
}

function checkTrade(t: unknown): void {
  const m = marketData.StockTradeFromJSON(t);
  expect(marketData.instanceOfStockTrade(m), JSON.stringify(t)).toBe(true);
  expect(marketData.instanceOfStockTape(m.z)).toBe(true);
  expect(validDate(m.t)).toBe(true);
}

/** Validate one REST body by its route; returns the route's name (for counting). */
export function checkBody(c: Captured): string {
  const json = c.body === '' ? undefined : JSON.parse(c.body);
  if (c.status === 204) {
    expect(c.body).toBe('');
    return 'no content';
  }
  if (c.status >= 400) {
    expect(trading.instanceOfModelError(trading.ModelErrorFromJSON(json)), c.body).toBe(true);
    expect(typeof json.code).toBe('number');
    return 'error';
  }
  const p = c.path;
  if (p === '/v2/orders' && c.method === 'GET') {
    (json as unknown[]).forEach(checkOrder);
    return 'order list';
  }
  if (p === '/v2/orders' && c.method === 'DELETE') {
    for (const e of json as { id: string; status: number; body: unknown }[]) checkOrder(e.body);
    return 'cancel all';
  }
  if (p === '/v2/orders' || p.startsWith('/v2/orders/') || p === '/v2/orders:by_client_order_id') {
    checkOrder(json);
    return 'order';
  }
  if (p === '/v2/account') {
    const a = trading.AccountFromJSON(json);
    expect(trading.instanceOfAccount(a)).toBe(true);
    expect(trading.instanceOfAccountStatus(a.status)).toBe(true);
    return 'account';
  }
  if (p === '/v2/clock') {
    const k = trading.LegacyClockFromJSON(json);
    expect(trading.instanceOfLegacyClock(k)).toBe(true);
    for (const d of [k.timestamp, k.nextOpen, k.nextClose]) expect(validDate(d)).toBe(true);
    return 'clock';
  }
  if (p === '/v2/calendar') {
    for (const day of json as unknown[]) expect(trading.instanceOfLegacyCalendarDay(trading.LegacyCalendarDayFromJSON(day))).toBe(true);
    return 'calendar';
  }
  if (p === '/v2/positions' || p.startsWith('/v2/positions/')) {
    for (const pos of Array.isArray(json) ? json : [json]) {
      const m = trading.PositionFromJSON(pos);
      expect(trading.instanceOfPosition(m), JSON.stringify(pos)).toBe(true);
      expect(trading.instanceOfExchangeForPosition(m.exchange)).toBe(true);
    }
    return 'positions';
  }
  if (p === '/v2/stocks/quotes/latest') {
    const r = marketData.StockLatestQuotesRespFromJSON(json);
    expect(marketData.instanceOfStockLatestQuotesResp(r)).toBe(true);
    Object.values(json.quotes).forEach(checkQuote);
    return 'latest quotes';
  }
  if (p === '/v2/stocks/trades/latest') {
    const r = marketData.StockLatestTradesRespFromJSON(json);
    expect(marketData.instanceOfStockLatestTradesResp(r)).toBe(true);
    Object.values(json.trades).forEach(checkTrade);
    return 'latest trades';
  }
  if (/^\/v2\/stocks\/[^/]+\/quotes\/latest$/.test(p)) {
    expect(marketData.instanceOfStockLatestQuotesRespSingle(marketData.StockLatestQuotesRespSingleFromJSON(json))).toBe(true);
    checkQuote(json.quote);
    return 'latest quote';
  }
  if (/^\/v2\/stocks\/[^/]+\/trades\/latest$/.test(p)) {
    expect(marketData.instanceOfStockLatestTradesRespSingle(marketData.StockLatestTradesRespSingleFromJSON(json))).toBe(true);
    checkTrade(json.trade);
    return 'latest trade';
  }
  if (p === '/v2/stocks/quotes') {
    expect(marketData.instanceOfStockQuotesResp(marketData.StockQuotesRespFromJSON(json))).toBe(true);
    for (const rows of Object.values(json.quotes) as unknown[][]) rows.forEach(checkQuote);
    return 'quotes';
  }
  if (p === '/v2/stocks/trades') {
    expect(marketData.instanceOfStockTradesResp(marketData.StockTradesRespFromJSON(json))).toBe(true);
    for (const rows of Object.values(json.trades) as unknown[][]) rows.forEach(checkTrade);
    return 'trades';
  }
  if (/^\/v2\/stocks\/[^/]+\/quotes$/.test(p)) {
    expect(marketData.instanceOfStockQuotesRespSingle(marketData.StockQuotesRespSingleFromJSON(json))).toBe(true);
    (json.quotes as unknown[]).forEach(checkQuote);
    return 'symbol quotes';
  }
  if (/^\/v2\/stocks\/[^/]+\/trades$/.test(p)) {
    expect(marketData.instanceOfStockTradesRespSingle(marketData.StockTradesRespSingleFromJSON(json))).toBe(true);
    (json.trades as unknown[]).forEach(checkTrade);
    return 'symbol trades';
  }
  throw new Error(`no model check for ${c.method} ${p}`);
}

/** Validate every captured body; returns how many of each route were checked. */
export function checkBodies(captured: readonly Captured[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of captured) {
    const name = checkBody(c);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * Items arriving from a socket, with waits that resolve on arrival (no polling, no sleeps); the
 * timeout only turns a hang into a readable failure.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters: { predicate: (items: T[]) => boolean; resolve: () => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(this.items)) return true;
      w.resolve();
      return false;
    });
  }

  until(predicate: (items: T[]) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (predicate(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.items).slice(0, 1500)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }
}

/**
 * The SDK's trading stream on `ts`, authenticated and subscribed to trade_updates before this
 * resolves; every update lands in the returned recorder. `onClose` gets the disconnect (the
 * test's afterEach runs it).
 */
export async function subscribeTradeUpdates(ts: TestServe, onClose: (disconnect: () => void) => void): Promise<Recorder<streaming.TradeUpdate>> {
  const rec = new Recorder<streaming.TradeUpdate>();
  const stream = ts.alpaca.trading.stream({ url: ts.srv.tradingStreamUrl, reconnect: false, pingIntervalMs: 0 });
  onClose(() => stream.disconnect());
  stream.onTradeUpdate((u) => rec.push(u));
  const listening = new Promise<unknown>((resolve) => stream.on('subscription', resolve));
  stream.subscribeTradeUpdates();
  stream.connect();
  expect(await stream.waitForAuthentication(5000)).toBe(true);
  expect(await listening).toEqual(['trade_updates']);
  return rec;
}

/**
 * A serve test file's teardown, registered once at its top: after each test, the cleanups its tests
 * pushed (client sockets, temporary directories) run first, then `closeServe` — clients go before
 * the server they talk to. Returns that cleanup list, and `tradeUpdates`: subscribeTradeUpdates
 * with its socket put on the list.
 */
export function tearDownEachTest(closeServe: () => Promise<void>): {
  cleanups: (() => void)[];
  tradeUpdates: (ts: TestServe) => Promise<Recorder<streaming.TradeUpdate>>;
} {
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) c();
    await closeServe();
  });
  return { cleanups, tradeUpdates: (ts) => subscribeTradeUpdates(ts, (disconnect) => cleanups.push(disconnect)) };
}
