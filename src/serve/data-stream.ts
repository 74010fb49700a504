/**
 * The market-data WebSocket (wss …/v2/{iex|sip|delayed_sip|test}), as ALPACA-NOTES.md describes
 * it: MessagePack when the client asks for it (header Content-Type: application/msgpack, as the
 * SDK does), JSON otherwise; every server message is an ARRAY of frames.
 *
 *   connect     → [{T:"success", msg:"connected"}]
 *   auth        → [{T:"success", msg:"authenticated"}] | [{T:"error", code:402, msg:"auth failed"}] + close
 *   subscribe   → [{T:"subscription", trades, quotes, bars, …}] (the whole current set)
 *   data        → [{T:"t", …}, {T:"q", …}, …] in time order, at most MAX_FRAMES_PER_MESSAGE each
 * Errors (Alpaca's codes): 400 invalid syntax, 401 not authenticated, 402 auth failed, 403 already
 * authenticated, 404 auth timeout, 406 connection limit exceeded, 407 slow client.
 * Every feed path serves the same tape (the tape is one consolidated quote; `iex` clients get it too).
 * Only trades and quotes carry data; other channels are acknowledged and stay silent.
 */
import type { IncomingMessage } from 'node:http';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { KeyCheck } from './auth.ts';
import type { Faults } from './faults.ts';
import type { TapeEvent, Venue } from './venue.ts';
import { makeStreamExtensionCodec, quoteFrame, tradeFrame } from './wire.ts';

export const DATA_FEEDS = ['iex', 'sip', 'delayed_sip', 'test'] as const;
const CHANNELS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'imbalances'] as const;
type Channel = (typeof CHANNELS)[number];

export const MAX_FRAMES_PER_MESSAGE = 1000;
/** An as-fast-as-possible replay waits while any client has this much unsent. */
export const BACKLOG_BYTES = 4 * 1024 * 1024;
/** A client this far behind a paced replay is cut off with error 407 (as Alpaca does). */
export const SLOW_CLIENT_BYTES = 64 * 1024 * 1024;
export const AUTH_TIMEOUT_MS = 10_000;

const extensionCodec = makeStreamExtensionCodec();

interface Connection {
  ws: WebSocket;
  json: boolean;
  authenticated: boolean;
  subs: Record<Channel, Set<string>>;
  authTimer: ReturnType<typeof setTimeout> | null;
  /** Quote and trade rows sent on this connection (lockstep.ts). */
  sentRows: number;
}

function emptySubs(): Record<Channel, Set<string>> {
  return Object.fromEntries(CHANNELS.map((c) => [c, new Set<string>()])) as Record<Channel, Set<string>>;
}

function wants(subs: Set<string>, symbol: string): boolean {
  return subs.has(symbol) || subs.has('*');
}

export class DataStreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  private readonly connections = new Set<Connection>();
  private readonly detach: () => void;

  constructor(
    venue: Venue,
    private readonly keys: KeyCheck,
    private readonly faults: Faults,
    private readonly connectionsPerKey: number,
  ) {
    this.detach = venue.addMarketDataSink({
      wants: (symbol) => this.anyWants(symbol),
      deliver: (events) => this.deliver(events),
      backlogged: () => this.backlogged(),
    });
  }

  /** Take over an HTTP upgrade for a market-data path. */
  handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const json = !/msgpack/i.test(String(req.headers['content-type'] ?? ''));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, json));
  }

  /** Cut every market-data socket now (fault: the data stream drops). */
  dropAll(): number {
    const n = this.connections.size;
    for (const c of [...this.connections]) c.ws.terminate();
    return n;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  close(): void {
    this.detach();
    for (const c of [...this.connections]) {
      if (c.authTimer) clearTimeout(c.authTimer);
      c.ws.terminate();
    }
    this.connections.clear();
    this.wss.close();
  }

  // ── per connection ───────────────────────────────────────────────────────────────────────

  private open(ws: WebSocket, json: boolean): void {
    const c: Connection = { ws, json, authenticated: false, subs: emptySubs(), authTimer: null, sentRows: 0 };
    this.connections.add(c);
    c.authTimer = setTimeout(() => {
      c.authTimer = null;
      if (!c.authenticated) this.fail(c, 404, 'auth timeout');
    }, AUTH_TIMEOUT_MS);
    c.authTimer.unref();
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('close', () => {
      if (c.authTimer) clearTimeout(c.authTimer);
      this.connections.delete(c);
    });
    ws.on('error', () => ws.terminate());
    this.send(c, [{ T: 'success', msg: 'connected' }]);
  }

  private onMessage(c: Connection, data: RawData, isBinary: boolean): void {
    let message: unknown;
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      message = isBinary && !c.json ? decode(bytes) : JSON.parse(bytes.toString('utf8'));
    } catch {
      this.send(c, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.send(c, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
      return;
    }
    const m = message as Record<string, unknown>;
    switch (m.action) {
      case 'auth':
        this.onAuth(c, m);
        return;
      case 'subscribe':
      case 'unsubscribe':
        if (!c.authenticated) {
          this.send(c, [{ T: 'error', code: 401, msg: 'not authenticated' }]);
          return;
        }
        this.onSubscribe(c, m, m.action === 'subscribe');
        return;
      default:
        this.send(c, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    }
  }

  private onAuth(c: Connection, m: Record<string, unknown>): void {
    if (c.authenticated) {
      this.send(c, [{ T: 'error', code: 403, msg: 'already authenticated' }]);
      return;
    }
    if (!this.keys.matches(m.key, m.secret)) {
      this.fail(c, 402, 'auth failed');
      return;
    }
    const active = [...this.connections].filter((o) => o.authenticated).length;
    if (active >= this.connectionsPerKey) {
      this.fail(c, 406, 'connection limit exceeded');
      return;
    }
    c.authenticated = true;
    if (c.authTimer) clearTimeout(c.authTimer);
    c.authTimer = null;
    this.send(c, [{ T: 'success', msg: 'authenticated' }]);
  }

  private onSubscribe(c: Connection, m: Record<string, unknown>, add: boolean): void {
    for (const channel of CHANNELS) {
      const value = m[channel];
      if (value === undefined) continue;
      if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s.trim() !== '')) {
        this.send(c, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
        return;
      }
    }
    for (const channel of CHANNELS) {
      const value = m[channel] as string[] | undefined;
      if (!value) continue;
      for (const symbol of value) {
        if (add) c.subs[channel].add(symbol);
        else c.subs[channel].delete(symbol);
      }
    }
    const list = (ch: Channel) => [...c.subs[ch]];
    this.send(c, [
      {
        T: 'subscription',
        trades: list('trades'),
        quotes: list('quotes'),
        bars: list('bars'),
        updatedBars: list('updatedBars'),
        dailyBars: list('dailyBars'),
        statuses: list('statuses'),
        lulds: list('lulds'),
        corrections: list('trades'),
        cancelErrors: list('trades'),
      },
    ]);
  }

  private fail(c: Connection, code: number, msg: string): void {
    this.send(c, [{ T: 'error', code, msg }]);
    c.ws.close(1008, msg);
  }

  private send(c: Connection, frames: unknown[]): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(c.json ? JSON.stringify(frames) : encode(frames, { extensionCodec }));
  }

  // ── data ─────────────────────────────────────────────────────────────────────────────────

  private anyWants(symbol: string): boolean {
    for (const c of this.connections) {
      if (c.authenticated && (wants(c.subs.quotes, symbol) || wants(c.subs.trades, symbol))) return true;
    }
    return false;
  }

  private backlogged(): boolean {
    for (const c of this.connections) if (c.ws.bufferedAmount > BACKLOG_BYTES) return true;
    return false;
  }

  private deliver(events: readonly TapeEvent[]): void {
    if (this.faults.dataStreamStalled) return;
    for (const c of this.connections) {
      if (!c.authenticated) continue;
      if (c.ws.bufferedAmount > SLOW_CLIENT_BYTES) {
        this.fail(c, 407, 'slow client');
        continue;
      }
      let frames: unknown[] = [];
      for (const e of events) {
        if (e.kind === 'q') {
          if (wants(c.subs.quotes, e.symbol)) frames.push(quoteFrame(e.symbol, e.tape.quotes, e.index, c.json));
        } else if (wants(c.subs.trades, e.symbol)) {
          frames.push(tradeFrame(e.symbol, e.tape.trades, e.index, c.json));
        }
        if (frames.length === MAX_FRAMES_PER_MESSAGE) {
          this.send(c, frames);
          c.sentRows += frames.length;
          frames = [];
        }
      }
      if (frames.length > 0) this.send(c, frames);
      c.sentRows += frames.length;
    }
  }

  /** Quote and trade rows sent on the connections open now. */
  sentCount(): number {
    let n = 0;
    for (const c of this.connections) if (c.ws.readyState === WebSocket.OPEN) n += c.sentRows;
    return n;
  }
}
