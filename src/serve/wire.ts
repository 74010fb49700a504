/**
 * Tape rows and times in Alpaca's wire shapes (ALPACA-NOTES.md), for REST (JSON) and the
 * market-data stream (msgpack or JSON).
 *
 * Times: the tape holds integer epoch µs; Alpaca sends RFC 3339 UTC strings — market data with 9
 * fraction digits (ns; ours always end in 000), orders with 6 — and, on the msgpack stream, the
 * msgpack timestamp extension (type −1, {sec, nsec}). All three are exact for whole µs.
 *
 * Quotes `{t, bx, bp, bs, ax, ap, as, c, z}`: sizes in shares; the tape keeps no quote exchange,
 * so bx/ax are '' (unknown); condition ['R'] (regular two-sided); tape 'A' (ladderlab tapes do
 * not record the SIP tape letter).
 * Trades `{t, x, p, s, c, i, z}`: `i` = row number in the symbol-day (1-based, the same on REST
 * and the stream); `x` the exchange letter ('' when unknown). The tape keeps only whether a print
 * was eligible, so conditions are reconstructed to carry exactly that: ['@'] (regular) for an
 * eligible print or any off-exchange (D) print, ['Z'] (out of sequence: a condition a displayed
 * order could not have met, see ingest/alpaca.ts ALPACA_ELIGIBLE_CONDITIONS) for an ineligible
 * exchange print. Reading these back with the Alpaca reader gives the same eligible flags.
 */
import { encodeTimeSpecToTimestamp, encodeTimestampExtension, EXT_TIMESTAMP, ExtensionCodec } from '@msgpack/msgpack';
import { exchangeLetter, OFF_EXCHANGE_CODE } from '../data/tape/exchanges.ts';
import type { QuoteColumns, TradeColumns } from '../data/tape/tape.ts';

const US_PER_SECOND = 1_000_000;

function secondsPart(tsUs: number): { iso: string; fracUs: number } {
  const sec = Math.floor(tsUs / US_PER_SECOND);
  const fracUs = tsUs - sec * US_PER_SECOND;
  return { iso: new Date(sec * 1000).toISOString().slice(0, 19), fracUs };
}

/** RFC 3339 with 9 fraction digits: 2013-10-07T13:30:00.123456000Z (market data). */
export function rfc3339Nanos(tsUs: number): string {
  const { iso, fracUs } = secondsPart(tsUs);
  return `${iso}.${String(fracUs).padStart(6, '0')}000Z`;
}

/** RFC 3339 with 6 fraction digits: 2013-10-07T13:30:00.123456Z (orders, trade updates). */
export function rfc3339Micros(tsUs: number): string {
  const { iso, fracUs } = secondsPart(tsUs);
  return `${iso}.${String(fracUs).padStart(6, '0')}Z`;
}

/** RFC 3339 without fraction: 2013-10-07T13:30:00Z (clock). */
export function rfc3339Seconds(tsUs: number): string {
  return `${secondsPart(tsUs).iso}Z`;
}

const RFC3339_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A request time (RFC 3339, or a date YYYY-MM-DD = 00:00 UTC as Alpaca reads it) → epoch µs;
 * digits below the µs are truncated. NaN when it is neither.
 */
export function parseRequestTime(text: string): number {
  if (DAY_RE.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(ms) ? Number.NaN : ms * 1000;
  }
  const m = RFC3339_RE.exec(text);
  if (!m) return Number.NaN;
  const [, day, hh, mm, ss, frac, zone] = m;
  const wholeMs = Date.parse(`${day}T${hh}:${mm}:${ss}${zone.toUpperCase()}`);
  if (Number.isNaN(wholeMs)) return Number.NaN;
  const fracUs = frac ? Number(`${frac}000000`.slice(0, 6)) : 0;
  return wholeMs * 1000 + fracUs;
}

/** A time for the msgpack stream: encoded as the timestamp extension with full precision. */
export class WireTime {
  constructor(readonly tsUs: number) {}
}

/**
 * msgpack codec for the market-data stream: WireTime → timestamp extension {sec, nsec};
 * Dates keep the library's own encoding.
 */
export function makeStreamExtensionCodec(): ExtensionCodec {
  const codec = new ExtensionCodec();
  codec.register({
    type: EXT_TIMESTAMP,
    encode: (value: unknown) => {
      if (value instanceof WireTime) {
        const sec = Math.floor(value.tsUs / US_PER_SECOND);
        return encodeTimeSpecToTimestamp({ sec, nsec: (value.tsUs - sec * US_PER_SECOND) * 1000 });
      }
      return encodeTimestampExtension(value);
    },
    decode: () => {
      throw new Error('the serve codec only encodes timestamps');
    },
  });
  return codec;
}

export const QUOTE_CONDITIONS: readonly string[] = ['R'];
export const TAPE_LETTER = 'A';
export const REGULAR_CONDITIONS: readonly string[] = ['@'];
export const INELIGIBLE_CONDITIONS: readonly string[] = ['Z'];

/** The reconstructed condition list of trade row i (see the header). */
export function tradeConditions(trades: TradeColumns, i: number): readonly string[] {
  return trades.eligible[i] === 1 || trades.exchange[i] === OFF_EXCHANGE_CODE ? REGULAR_CONDITIONS : INELIGIBLE_CONDITIONS;
}

export interface QuoteJson {
  t: string;
  bx: string;
  bp: number;
  bs: number;
  ax: string;
  ap: number;
  as: number;
  c: readonly string[];
  z: string;
}

export interface TradeJson {
  t: string;
  x: string;
  p: number;
  s: number;
  c: readonly string[];
  i: number;
  z: string;
}

/** Quote row i as a REST body element. */
export function quoteJson(q: QuoteColumns, i: number): QuoteJson {
  return { t: rfc3339Nanos(q.ts[i]), bx: '', bp: q.bid[i], bs: q.bidSize[i], ax: '', ap: q.ask[i], as: q.askSize[i], c: QUOTE_CONDITIONS, z: TAPE_LETTER };
}

/** Trade row i as a REST body element. */
export function tradeJson(t: TradeColumns, i: number): TradeJson {
  return { t: rfc3339Nanos(t.ts[i]), x: exchangeLetter(t.exchange[i]), p: t.price[i], s: t.size[i], c: tradeConditions(t, i), i: i + 1, z: TAPE_LETTER };
}

/** Stream frame for quote row i; `t` is a WireTime (msgpack) or an RFC 3339 string (JSON). */
export function quoteFrame(symbol: string, q: QuoteColumns, i: number, json: boolean): Record<string, unknown> {
  return {
    T: 'q',
    S: symbol,
    bx: '',
    bp: q.bid[i],
    bs: q.bidSize[i],
    ax: '',
    ap: q.ask[i],
    as: q.askSize[i],
    c: QUOTE_CONDITIONS,
    z: TAPE_LETTER,
    t: json ? rfc3339Nanos(q.ts[i]) : new WireTime(q.ts[i]),
  };
}

/** Stream frame for trade row i. */
export function tradeFrame(symbol: string, t: TradeColumns, i: number, json: boolean): Record<string, unknown> {
  return {
    T: 't',
    S: symbol,
    i: i + 1,
    x: exchangeLetter(t.exchange[i]),
    p: t.price[i],
    s: t.size[i],
    c: tradeConditions(t, i),
    z: TAPE_LETTER,
    t: json ? rfc3339Nanos(t.ts[i]) : new WireTime(t.ts[i]),
  };
}

/** Dollars as Alpaca's decimal strings: exact for prices on $0.0001; other values to 6 decimals. */
export function decimalString(value: number): string {
  const units = value * 10_000;
  if (Math.abs(units - Math.round(units)) < 1e-6) return String(Math.round(units) / 10_000);
  return String(Math.round(value * 1e6) / 1e6);
}
