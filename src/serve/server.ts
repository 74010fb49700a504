/**
 * `serve`: an Alpaca-compatible server on 127.0.0.1 ONLY (never another interface: it speaks for
 * a brokerage and holds keys). One port carries REST (rest.ts), the market-data WebSocket at
 * /v2/{iex,sip,delayed_sip,test} (data-stream.ts) and the trading WebSocket at /stream
 * (trading-stream.ts). Point the SDK at it with `http://127.0.0.1:PORT` as the REST base path and
 * `ws://127.0.0.1:PORT/stream`, `ws://127.0.0.1:PORT/v2/sip` as stream URLs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { KeyCheck, type KeyPair } from './auth.ts';
import { DATA_FEEDS, DataStreamServer } from './data-stream.ts';
import { ReplayVenue, type Speed } from './replay.ts';
import { handleRest } from './rest.ts';
import { LockstepHold } from './lockstep.ts';
import { TradingStreamServer } from './trading-stream.ts';

/** The only address `serve` listens on. */
export const LOOPBACK = '127.0.0.1';

export interface ServeOptions {
  dir: string;
  config: LadderConfig;
  keys: KeyPair;
  /** Default config.serve.port (0 = any free port). */
  port?: number;
  day?: string;
  symbols?: readonly string[];
  speed?: Speed;
  startUs?: number;
}

export interface RunningServe {
  venue: ReplayVenue;
  host: typeof LOOPBACK;
  port: number;
  /** What the listening socket reports (address 127.0.0.1, family IPv4). */
  address: AddressInfo;
  /** REST base path, e.g. http://127.0.0.1:8765 */
  baseUrl: string;
  /** Trading stream URL (…/stream). */
  tradingStreamUrl: string;
  /** Market-data stream URL for a feed (…/v2/sip). */
  dataStreamUrl: (feed?: (typeof DATA_FEEDS)[number]) => string;
  dataStream: DataStreamServer;
  close: () => Promise<void>;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Build the replay venue and listen on 127.0.0.1. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const venue = new ReplayVenue({
    dir: options.dir,
    config: options.config,
    day: options.day,
    symbols: options.symbols,
    speed: options.speed,
    startUs: options.startUs,
  });
  const keys = new KeyCheck(options.keys);
  const dataStream = new DataStreamServer(venue, keys, venue.faults, options.config.serve.data_connections_per_key);
  const tradingStream = new TradingStreamServer(venue, keys);
  const ctx = {
    venue,
    keys,
    dropDataStream: () => dataStream.dropAll(),
    streamCounts: () => ({ trade_updates: tradingStream.sentCount(), market_data: dataStream.sentCount() }),
    hold: new LockstepHold(),
  };

  const server: Server = createServer((req, res) => {
    void handleRest(ctx, req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', `http://${LOOPBACK}`).pathname;
    if (path === '/stream') return tradingStream.handleUpgrade(req, socket, head);
    const feed = /^\/v2\/([a-z_]+)$/.exec(path)?.[1];
    if (feed && (DATA_FEEDS as readonly string[]).includes(feed)) return dataStream.handleUpgrade(req, socket, head);
    rejectUpgrade(socket, 404, 'Not Found');
  });

  const wantedPort = options.port ?? options.config.serve.port;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wantedPort, LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    venue.close();
    dataStream.close();
    tradingStream.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new InputError(`port ${wantedPort} on ${LOOPBACK}: ${code === 'EADDRINUSE' ? 'already in use' : 'not allowed'} (use --port 0 for any free port)`);
    throw err;
  }
  const address = server.address() as AddressInfo;
  const { port } = address;
  venue.start();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      venue.close();
      dataStream.close();
      tradingStream.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }));

  const baseUrl = `http://${LOOPBACK}:${port}`;
  return {
    venue,
    host: LOOPBACK,
    port,
    address,
    baseUrl,
    tradingStreamUrl: `ws://${LOOPBACK}:${port}/stream`,
    dataStreamUrl: (feed = 'sip') => `ws://${LOOPBACK}:${port}/v2/${feed}`,
    dataStream,
    close,
  };
}
