/**
 * `serve`'s request parsing: JSON bodies (at most 1 MiB), Alpaca's order and replace bodies, query
 * parameters. Bad input is an AlpacaError with Alpaca's status and code.
 */
import type { IncomingMessage } from 'node:http';
import type { NewOrder, ReplaceRequest } from './broker.ts';
import { AlpacaError, ALPACA_CODES, invalid, malformed } from './errors.ts';
import type { AlpacaOrderType, AlpacaTimeInForce } from './orders.ts';
import { parseRequestTime } from './wire.ts';

const MAX_BODY_BYTES = 1 << 20;

export function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Too large: read on (so the client gets its answer, not a reset) but keep nothing.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return reject(new AlpacaError(413, ALPACA_CODES.badRequest, `request body too large (${size} bytes; at most ${MAX_BODY_BYTES})`));
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(malformed('request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A decimal field sent as a string or a number; NaN when it is neither. */
export function decimal(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(value)) return Number(value);
  return Number.NaN;
}

export function field(body: Record<string, unknown>, name: string): unknown {
  const v = body[name];
  return v === null ? undefined : v;
}

export function parseQty(value: unknown): number {
  const qty = decimal(value);
  if (!(qty > 0)) throw invalid('qty must be > 0');
  if (!Number.isInteger(qty)) throw invalid('fractional qty is not supported by ladderlab serve');
  return qty;
}

export function parsePrice(value: unknown, name: string): number {
  const price = decimal(value);
  if (!(price > 0) || !Number.isFinite(price)) throw invalid(`${name} must be > 0`);
  return price;
}

export function parseTif(value: unknown): AlpacaTimeInForce {
  if (value === 'day' || value === 'gtc' || value === 'ioc') return value;
  if (value === 'fok' || value === 'opg' || value === 'cls') throw invalid(`time_in_force "${value}" is not supported by ladderlab serve (day, gtc, ioc)`);
  throw invalid('time_in_force must be one of day, gtc, ioc');
}

export function rejectUnsupported(body: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (field(body, name) !== undefined) throw invalid(`${name} is not supported by ladderlab serve`);
  }
}

export function parseClientOrderId(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 128) throw invalid('client_order_id must be a string of at most 128 characters');
  return value;
}

export function parseNewOrder(body: unknown): NewOrder {
  if (!isRecord(body)) throw malformed('request body must be a JSON object');
  rejectUnsupported(body, ['notional', 'stop_price', 'trail_price', 'trail_percent', 'take_profit', 'stop_loss', 'legs']);
  const orderClass = field(body, 'order_class');
  if (orderClass !== undefined && orderClass !== '' && orderClass !== 'simple') throw invalid(`order_class "${String(orderClass)}" is not supported by ladderlab serve`);
  const symbol = field(body, 'symbol');
  if (typeof symbol !== 'string' || symbol.trim() === '') throw invalid('symbol is required');
  const side = field(body, 'side');
  if (side !== 'buy' && side !== 'sell') throw invalid('side must be buy or sell');
  const type = field(body, 'type') ?? field(body, 'order_type');
  if (type !== 'limit' && type !== 'market') throw invalid(`order type ${JSON.stringify(type ?? null)} is not supported by ladderlab serve (limit, market)`);
  const rawLimit = field(body, 'limit_price');
  if (type === 'market' && rawLimit !== undefined) throw invalid('limit_price is not allowed for market orders');
  const extended = field(body, 'extended_hours');
  if (extended !== undefined && typeof extended !== 'boolean') throw invalid('extended_hours must be true or false');
  return {
    symbol: symbol.trim().toUpperCase(),
    qty: parseQty(field(body, 'qty')),
    side,
    type: type as AlpacaOrderType,
    timeInForce: parseTif(field(body, 'time_in_force')),
    limitPrice: type === 'limit' ? parsePrice(rawLimit, 'limit_price') : null,
    clientOrderId: parseClientOrderId(field(body, 'client_order_id')),
    extendedHours: extended === true,
  };
}

export function parseReplace(body: unknown): ReplaceRequest {
  if (!isRecord(body)) throw malformed('request body must be a JSON object');
  rejectUnsupported(body, ['stop_price', 'trail', 'notional']);
  const patch: ReplaceRequest = {};
  if (field(body, 'qty') !== undefined) patch.qty = parseQty(field(body, 'qty'));
  if (field(body, 'limit_price') !== undefined) patch.limitPrice = parsePrice(field(body, 'limit_price'), 'limit_price');
  if (field(body, 'time_in_force') !== undefined) patch.timeInForce = parseTif(field(body, 'time_in_force'));
  const clientOrderId = parseClientOrderId(field(body, 'client_order_id'));
  if (clientOrderId !== undefined) patch.clientOrderId = clientOrderId;
  return patch;
}

export function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalid(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

export function timeParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const us = parseRequestTime(raw);
  if (Number.isNaN(us)) throw invalid(`${name}: expected RFC 3339 or YYYY-MM-DD, got ${JSON.stringify(raw)}`);
  return us;
}

export function symbolsParam(query: URLSearchParams): string[] {
  const raw = query.get('symbols');
  if (raw === null || raw.trim() === '') throw invalid('symbols is required');
  return [...new Set(raw.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''))].sort();
}
