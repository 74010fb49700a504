/**
 * `serve`'s REST routes, Alpaca's paths and bodies (ALPACA-NOTES.md), over the Venue interface.
 * Trading and market data share one host here (their paths do not overlap), so one base URL
 * serves both SDK configurations.
 *
 *   GET  /v2/account · /v2/clock · /v2/calendar · /v2/positions[/{symbol}]
 *   GET  /v2/orders · POST /v2/orders · DELETE /v2/orders (cancel all, 207)
 *   GET  /v2/orders/{id} · PATCH /v2/orders/{id} (replace) · DELETE /v2/orders/{id} (204)
 *   GET  /v2/orders:by_client_order_id?client_order_id=… · GET /v2/assets/{symbol}
 *   GET  /v2/stocks/{quotes,trades}?symbols=…  · /v2/stocks/{symbol}/{quotes,trades}   (paginated)
 *   GET  /v2/stocks/{quotes,trades}/latest?symbols=… · /v2/stocks/{symbol}/{quotes,trades}/latest
 *   admin (same keys): GET /admin/status · GET|POST|DELETE /admin/faults · POST /admin/advance {ms}
 *                      · POST /admin/drop-data-stream · POST /admin/lockstep · GET|POST|DELETE
 *                      /admin/lockstep/hold (lockstep.ts)
 * Every request must carry the configured key pair: none → 401, wrong → 403. Each request first
 * settles the venue at the current virtual time (due acks and fills are applied before answering).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { addDays, isValidDay } from '../core/calendar.ts';
import { EARLY_CLOSE_MS, isTradingDay, nextTradingDay, regularCloseMs } from '../core/exchange-calendar.ts';
import type { KeyCheck } from './auth.ts';
import { AlpacaError, ALPACA_CODES, invalid, notFound } from './errors.ts';
import { historyPage, type HistoryKind } from './history.ts';
import { assetId, isOpen, orderJson, type OrderRecord } from './orders.ts';
import type { QuoteColumns, TradeColumns } from '../data/tape/tape.ts';
import type { Venue } from './venue.ts';
import { quoteJson, rfc3339Micros, tradeJson } from './wire.ts';
import { lockstepStep, type LockstepHold, type StreamCounts } from './lockstep.ts';
import { intParam, isRecord, parseNewOrder, parseReplace, readBody, symbolsParam, timeParam } from './rest-parse.ts';


export interface RestContext {
  venue: Venue;
  keys: KeyCheck;
  /** Cut every market-data socket; returns how many were cut. */
  dropDataStream: () => number;
  /** Stream messages sent on the open connections (lockstep.ts compares them with the client's). */
  streamCounts: () => StreamCounts;
  /** The lockstep hold (lockstep.ts): virtual time stops there until released. */
  hold: LockstepHold;
}

const DEFAULT_HISTORY_LIMIT = 1000;
const MAX_HISTORY_LIMIT = 10_000;
const DEFAULT_ORDER_LIMIT = 50;
const MAX_ORDER_LIMIT = 500;
const HISTORY_FEEDS = new Set(['iex', 'sip', 'otc', 'boats', 'delayed_sip']);

type Json = unknown;
interface Answer {
  status: number;
  body?: Json;
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  body: () => Promise<unknown>;
}

type Handler = (ctx: RestContext, req: Request, params: string[]) => Answer | Promise<Answer>;

const ok = (body: Json): Answer => ({ status: 200, body });

// ── handlers ─────────────────────────────────────────────────────────────────────────────────

function mustOrder(venue: Venue, id: string): OrderRecord {
  const order = venue.getOrder(id);
  if (!order) throw notFound('order not found');
  return order;
}

const getAccount: Handler = ({ venue }) => ok(venue.accountJson());

const getClock: Handler = ({ venue }) => {
  const c = venue.marketClock();
  return ok({ timestamp: rfc3339Micros(c.nowUs), is_open: c.isOpen, next_open: rfc3339Micros(c.nextOpenUs), next_close: rfc3339Micros(c.nextCloseUs) });
};

/**
 * NYSE trading days between start and end (exchange-calendar.ts: no holidays or special closures):
 * regular 09:30–16:00 (13:00 on an early-close day), extended 04:00–20:00; settlement the next trading day.
 */
const getCalendar: Handler = ({ venue }, { query }) => {
  const start = query.get('start') || venue.day;
  const end = query.get('end') || addDays(start, 30);
  for (const [name, day] of [['start', start], ['end', end]] as const) {
    if (!isValidDay(day.slice(0, 10))) throw invalid(`${name}: expected YYYY-MM-DD`);
  }
  const days: Record<string, string>[] = [];
  for (let d = start.slice(0, 10); d <= end.slice(0, 10) && days.length < 400; d = addDays(d, 1)) {
    if (!isTradingDay(d)) continue;
    const close = regularCloseMs(d) === EARLY_CLOSE_MS ? '13:00' : '16:00';
    days.push({ date: d, open: '09:30', close, session_open: '0400', session_close: '2000', settlement_date: nextTradingDay(d) });
  }
  return ok(days);
};

const getPositions: Handler = ({ venue }) => ok(venue.positionsJson());

const getPosition: Handler = ({ venue }, _req, [symbol]) => {
  const position = venue.positionsJson().find((p) => p.symbol === symbol.toUpperCase() || p.asset_id === symbol);
  if (!position) throw notFound('position does not exist');
  return ok(position);
};

const listOrders: Handler = ({ venue }, { query }) => {
  const status = query.get('status') ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all') throw invalid('status must be open, closed or all');
  const limit = intParam(query, 'limit', DEFAULT_ORDER_LIMIT, MAX_ORDER_LIMIT);
  const direction = query.get('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') throw invalid('direction must be asc or desc');
  const after = timeParam(query, 'after');
  const until = timeParam(query, 'until');
  const symbols = query.get('symbols') ? new Set(symbolsParam(query)) : null;
  const side = query.get('side');
  let orders = venue.orders().filter((o) => {
    if (status === 'open' && !isOpen(o)) return false;
    if (status === 'closed' && isOpen(o)) return false;
    if (after !== undefined && !(o.submittedAtUs > after)) return false;
    if (until !== undefined && !(o.submittedAtUs <= until)) return false;
    if (symbols && !symbols.has(o.symbol)) return false;
    if (side && o.side !== side) return false;
    return true;
  });
  if (direction === 'desc') orders = [...orders].reverse();
  return ok(orders.slice(0, limit).map(orderJson));
};

const submitOrder: Handler = async ({ venue }, req) => {
  const order = parseNewOrder(await req.body());
  const fault = venue.faults.takeSubmitError();
  if (fault) {
    if (fault.accept) venue.submitOrder(order);
    throw fault.status === 429
      ? new AlpacaError(429, ALPACA_CODES.rateLimited, 'rate limit exceeded')
      : new AlpacaError(500, ALPACA_CODES.internal, 'internal server error');
  }
  return ok(orderJson(venue.submitOrder(order)));
};

const cancelAll: Handler = ({ venue }) => {
  const asked = venue.cancelAllOrders();
  return { status: 207, body: asked.map((o) => ({ id: o.id, status: 200, body: orderJson(o) })) };
};

const getOrder: Handler = ({ venue }, _req, [id]) => ok(orderJson(mustOrder(venue, id)));

const getOrderByClientId: Handler = ({ venue }, { query }) => {
  const clientOrderId = query.get('client_order_id');
  if (!clientOrderId) throw invalid('client_order_id is required');
  const order = venue.getOrderByClientId(clientOrderId);
  if (!order) throw notFound('order not found');
  return ok(orderJson(order));
};

/** GET /v2/assets/{symbol}: the symbols with a tape are active, tradable US equities. */
const getAsset: Handler = ({ venue }, _req, [symbol]) => {
  const s = decodeURIComponent(symbol).toUpperCase();
  const known = venue.symbols.includes(s) || venue.library.symbols().includes(s);
  if (!known) throw notFound('asset not found');
  return ok({
    id: assetId(s),
    class: 'us_equity',
    exchange: 'NYSE',
    symbol: s,
    name: s,
    status: 'active',
    tradable: venue.symbols.includes(s),
    marginable: true,
    maintenance_margin_requirement: 30,
    shortable: true,
    easy_to_borrow: true,
    fractionable: false,
    attributes: [],
  });
};

const replaceOrder: Handler = async ({ venue }, req, [id]) => {
  const patch = parseReplace(await req.body());
  return ok(orderJson(venue.replaceOrder(id, patch)));
};

const cancelOrder: Handler = ({ venue }, _req, [id]) => {
  venue.cancelOrder(id);
  return { status: 204 };
};

/** The query's [start, end], end capped at now unless look-ahead is on. */
function historyWindow(venue: Venue, query: URLSearchParams): { startUs: number; endUs: number } {
  const startUs = timeParam(query, 'start') ?? -Infinity;
  let endUs = timeParam(query, 'end') ?? (venue.historyLookAhead ? Infinity : venue.nowUs());
  if (!venue.historyLookAhead) endUs = Math.min(endUs, venue.nowUs());
  return { startUs, endUs };
}

function historyQuery(venue: Venue, query: URLSearchParams, kind: HistoryKind, symbols: string[]) {
  const feed = query.get('feed');
  if (feed && !HISTORY_FEEDS.has(feed)) throw invalid(`feed must be one of ${[...HISTORY_FEEDS].join(', ')}`);
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') throw invalid('sort must be asc or desc');
  return {
    kind,
    symbols,
    ...historyWindow(venue, query),
    limit: intParam(query, 'limit', DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT),
    sort: sort as 'asc' | 'desc',
    pageToken: query.get('page_token') || undefined,
  };
}

function toRow(kind: HistoryKind): (cols: QuoteColumns | TradeColumns, i: number) => unknown {
  return kind === 'quotes' ? (cols, i) => quoteJson(cols as QuoteColumns, i) : (cols, i) => tradeJson(cols as TradeColumns, i);
}

const historyMulti =
  (kind: HistoryKind): Handler =>
  ({ venue }, { query }) => {
    const page = historyPage(venue.library, historyQuery(venue, query, kind, symbolsParam(query)), toRow(kind));
    return ok({ [kind]: Object.fromEntries(page.bySymbol), next_page_token: page.nextPageToken });
  };

const historySingle =
  (kind: HistoryKind): Handler =>
  ({ venue }, { query }, [symbol]) => {
    const s = symbol.toUpperCase();
    const page = historyPage(venue.library, historyQuery(venue, query, kind, [s]), toRow(kind));
    return ok({ symbol: s, [kind]: page.bySymbol.get(s) ?? [], next_page_token: page.nextPageToken });
  };

function latestJson(venue: Venue, symbol: string, kind: HistoryKind): unknown {
  const row = venue.latest(symbol, kind);
  if (!row) return undefined;
  return row.kind === 'quotes' ? quoteJson(row.cols, row.index) : tradeJson(row.cols, row.index);
}

const latestMulti =
  (kind: HistoryKind): Handler =>
  ({ venue }, { query }) => {
    const out: Record<string, unknown> = {};
    for (const s of symbolsParam(query)) {
      const row = latestJson(venue, s, kind);
      if (row !== undefined) out[s] = row;
    }
    return ok({ [kind]: out });
  };

const latestSingle =
  (kind: HistoryKind): Handler =>
  ({ venue }, _req, [symbol]) => {
    const s = symbol.toUpperCase();
    const row = latestJson(venue, s, kind);
    if (row === undefined) throw notFound(`no ${kind === 'quotes' ? 'quote' : 'trade'} found for ${s}`);
    return ok({ symbol: s, [kind === 'quotes' ? 'quote' : 'trade']: row });
  };

// ── admin ────────────────────────────────────────────────────────────────────────────────────

const adminStatus: Handler = ({ venue }) => ok(venue.status());
const adminGetFaults: Handler = ({ venue }) => ok(venue.faults.current);

const adminSetFaults: Handler = async ({ venue }, req) => {
  const faults = venue.faults.update(await req.body());
  venue.faultsChanged();
  return ok(faults);
};

const adminResetFaults: Handler = ({ venue }) => {
  const faults = venue.faults.reset();
  venue.faultsChanged();
  return ok(faults);
};

const adminAdvance: Handler = async ({ venue }, req) => {
  const body = await req.body();
  const ms = isRecord(body) ? body.ms : undefined;
  if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) throw invalid('advance: body {"ms": N} with N ≥ 0 virtual milliseconds');
  venue.advanceBy(Math.round(ms * 1000));
  return ok(venue.status());
};

const adminDrop: Handler = (ctx) => ok({ dropped: ctx.dropDataStream() });

const adminLockstep: Handler = async (ctx, req) => ok(lockstepStep(ctx.venue, ctx.streamCounts, await req.body(), ctx.hold));
const adminGetHold: Handler = (ctx) => ok(ctx.hold.json());
const adminSetHold: Handler = async (ctx, req) => ok(ctx.hold.set(await req.body()));
const adminReleaseHold: Handler = (ctx) => ok(ctx.hold.release());

// ── routing ──────────────────────────────────────────────────────────────────────────────────

const ROUTES: [method: string, pattern: RegExp, handler: Handler][] = [
  ['GET', /^\/v2\/account$/, getAccount],
  ['GET', /^\/v2\/clock$/, getClock],
  ['GET', /^\/v2\/calendar$/, getCalendar],
  ['GET', /^\/v2\/positions$/, getPositions],
  ['GET', /^\/v2\/positions\/([^/]+)$/, getPosition],
  ['GET', /^\/v2\/orders$/, listOrders],
  ['POST', /^\/v2\/orders$/, submitOrder],
  ['DELETE', /^\/v2\/orders$/, cancelAll],
  ['GET', /^\/v2\/orders:by_client_order_id$/, getOrderByClientId],
  ['GET', /^\/v2\/orders\/([^/]+)$/, getOrder],
  ['PATCH', /^\/v2\/orders\/([^/]+)$/, replaceOrder],
  ['GET', /^\/v2\/assets\/([^/]+)$/, getAsset],
  ['DELETE', /^\/v2\/orders\/([^/]+)$/, cancelOrder],
  ['GET', /^\/v2\/stocks\/quotes\/latest$/, latestMulti('quotes')],
  ['GET', /^\/v2\/stocks\/trades\/latest$/, latestMulti('trades')],
  ['GET', /^\/v2\/stocks\/quotes$/, historyMulti('quotes')],
  ['GET', /^\/v2\/stocks\/trades$/, historyMulti('trades')],
  ['GET', /^\/v2\/stocks\/([^/]+)\/quotes\/latest$/, latestSingle('quotes')],
  ['GET', /^\/v2\/stocks\/([^/]+)\/trades\/latest$/, latestSingle('trades')],
  ['GET', /^\/v2\/stocks\/([^/]+)\/quotes$/, historySingle('quotes')],
  ['GET', /^\/v2\/stocks\/([^/]+)\/trades$/, historySingle('trades')],
  ['GET', /^\/admin\/status$/, adminStatus],
  ['GET', /^\/admin\/faults$/, adminGetFaults],
  ['POST', /^\/admin\/faults$/, adminSetFaults],
  ['DELETE', /^\/admin\/faults$/, adminResetFaults],
  ['POST', /^\/admin\/advance$/, adminAdvance],
  ['POST', /^\/admin\/drop-data-stream$/, adminDrop],
  ['POST', /^\/admin\/lockstep$/, adminLockstep],
  ['GET', /^\/admin\/lockstep\/hold$/, adminGetHold],
  ['POST', /^\/admin\/lockstep\/hold$/, adminSetHold],
  ['DELETE', /^\/admin\/lockstep\/hold$/, adminReleaseHold],
];

function route(method: string, path: string): { handler: Handler; params: string[] } {
  let pathMatched = false;
  for (const [m, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (m === method) return { handler, params: match.slice(1).map(decodeURIComponent) };
  }
  if (pathMatched) throw new AlpacaError(405, ALPACA_CODES.methodNotAllowed, 'method not allowed');
  throw notFound('endpoint not found');
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status);
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answer one HTTP request. */
export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let answer: Answer;
  try {
    const keyId = req.headers['apca-api-key-id'];
    const secret = req.headers['apca-api-secret-key'];
    if (keyId === undefined || secret === undefined) throw new AlpacaError(401, ALPACA_CODES.unauthorized, 'request is not authorized');
    if (!ctx.keys.matches(keyId, secret)) throw new AlpacaError(403, ALPACA_CODES.forbidden, 'forbidden');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { handler, params } = route(req.method ?? 'GET', url.pathname);
    let bodyPromise: Promise<unknown> | undefined;
    const request: Request = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: () => (bodyPromise ??= readBody(req)) };
    ctx.venue.settle();
    answer = await handler(ctx, request, params);
  } catch (err) {
    answer = err instanceof AlpacaError ? { status: err.status, body: err.body() } : { status: 500, body: { code: ALPACA_CODES.internal, message: 'internal server error' } };
    if (!(err instanceof AlpacaError)) process.stderr.write(`serve: ${(err as Error).stack ?? String(err)}\n`);
  }
  // A mutation's zero-latency consequences (acks, fills, stream updates) happen now, at the same virtual instant.
  if (req.method !== 'GET' && answer.status !== 401 && answer.status !== 403) ctx.venue.settle();
  if (!req.complete) req.resume();
  send(res, answer);
}
