/**
 * The trading WebSocket (wss …/stream), JSON both ways in binary frames as Alpaca's paper stream
 * sends them — or msgpack both ways when the upgrade asks for `application/msgpack` (ALPACA-NOTES.md):
 *
 *   {action:"authenticate", data:{key_id, secret_key}}
 *       → {stream:"authorization", data:{status:"authorized", action:"authenticate"}}
 *       | {stream:"authorization", data:{status:"unauthorized", action:"authenticate"}} + close
 *   {action:"listen", data:{streams:["trade_updates"]}} → {stream:"listening", data:{streams:[…]}}
 *   {stream:"trade_updates", data:{event, timestamp, order, execution_id[, price, qty, position_qty]}}
 *
 * Updates come from the broker through the fault outbox (outbox.ts). Numbers are decimal strings,
 * as Alpaca sends them.
 */
import type { IncomingMessage } from 'node:http';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { KeyCheck } from './auth.ts';
import type { TradeUpdate } from './broker.ts';
import type { Venue } from './venue.ts';
import { decimalString, rfc3339Micros } from './wire.ts';

interface Connection {
  ws: WebSocket;
  /** The client asked for msgpack (Content-Type: application/msgpack on the upgrade). */
  msgpack: boolean;
  authenticated: boolean;
  listening: boolean;
  /** trade_updates messages sent on this connection (lockstep.ts). */
  sent: number;
}

/** The wire message for one update. */
export function tradeUpdateMessage(u: TradeUpdate): Record<string, unknown> {
  const data: Record<string, unknown> = {
    event: u.event,
    timestamp: rfc3339Micros(u.tsUs),
    order: u.order,
    execution_id: u.executionId,
  };
  if (u.price !== undefined) data.price = decimalString(u.price);
  if (u.qty !== undefined) data.qty = String(u.qty);
  if (u.positionQty !== undefined) data.position_qty = String(u.positionQty);
  return { stream: 'trade_updates', data };
}

export class TradingStreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  private readonly connections = new Set<Connection>();
  private readonly detach: () => void;

  constructor(
    venue: Venue,
    private readonly keys: KeyCheck,
  ) {
    this.detach = venue.onTradeUpdate((u) => this.broadcast(u));
  }

  handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    // As Alpaca: JSON in binary frames by default; msgpack both ways when the client asks for it.
    const msgpack = /msgpack/i.test(String(req.headers['content-type'] ?? ''));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, msgpack));
  }

  close(): void {
    this.detach();
    for (const c of [...this.connections]) c.ws.terminate();
    this.connections.clear();
    this.wss.close();
  }

  private open(ws: WebSocket, msgpack: boolean): void {
    const c: Connection = { ws, msgpack, authenticated: false, listening: false, sent: 0 };
    this.connections.add(c);
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('close', () => this.connections.delete(c));
    ws.on('error', () => ws.terminate());
  }

  private onMessage(c: Connection, data: RawData, isBinary: boolean): void {
    let m: { action?: unknown; data?: Record<string, unknown> };
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      m = (c.msgpack && isBinary ? decode(bytes) : JSON.parse(bytes.toString('utf8'))) as typeof m;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not an object');
    } catch {
      this.send(c, { action: 'error', data: { error_message: 'invalid syntax' } });
      return;
    }
    const body = typeof m.data === 'object' && m.data !== null ? m.data : {};
    if (m.action === 'authenticate' || m.action === 'auth') {
      if (this.keys.matches(body.key_id, body.secret_key)) {
        c.authenticated = true;
        this.send(c, { stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } });
      } else {
        this.send(c, { stream: 'authorization', data: { status: 'unauthorized', action: 'authenticate' } });
        c.ws.close(1008, 'unauthorized');
      }
      return;
    }
    if (m.action === 'listen') {
      if (!c.authenticated) {
        this.send(c, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
        return;
      }
      const streams = Array.isArray(body.streams) ? body.streams.filter((s): s is string => s === 'trade_updates') : [];
      c.listening = streams.includes('trade_updates');
      this.send(c, { stream: 'listening', data: { streams } });
      return;
    }
    this.send(c, { action: 'error', data: { error_message: `unknown action ${JSON.stringify(m.action)}` } });
  }

  private broadcast(u: TradeUpdate): void {
    let json: Buffer | null = null;
    let packed: Uint8Array | null = null;
    for (const c of this.connections) {
      if (!c.authenticated || !c.listening || c.ws.readyState !== WebSocket.OPEN) continue;
      if (c.msgpack) c.ws.send((packed ??= encode(tradeUpdateMessage(u))), { binary: true });
      else c.ws.send((json ??= Buffer.from(JSON.stringify(tradeUpdateMessage(u)))), { binary: true });
      c.sent++;
    }
  }

  /** trade_updates messages sent on the connections open now. */
  sentCount(): number {
    let n = 0;
    for (const c of this.connections) if (c.ws.readyState === WebSocket.OPEN) n += c.sent;
    return n;
  }

  private send(c: Connection, message: unknown): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(c.msgpack ? encode(message) : Buffer.from(JSON.stringify(message)), { binary: true });
  }
}
