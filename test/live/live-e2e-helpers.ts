/**
 * End-to-end pieces for `live` against `serve`: a synthetic two-symbol tape whose ladders fill at
 * known steps well away from every step boundary (so wall-clock jitter cannot move a fill to
 * another step), a `serve` on 127.0.0.1 at the same speed as the live clock, the live config
 * pointed at it, and helpers to read the server's orders and compare records with a backtest.
 *
 * Buy XYZ 500 at A = T0+20 s; quote 20.00/20.40 (spread 1.96 % → p 10 %, a_buy 0.75):
 *   steps 20.20, 20.23, 20.26, 20.29 (15 s each). A print at 20.25 at A+37 fills 300 of the
 *   step-2 child at 20.26; the ask drops to 20.28 at A+52 and fills the step-3 child's 200 at 20.29.
 * Sell ABC 400 at S = T0+22 s; same quote (a_sell 0.85): steps 20.20, 20.17, 20.14, 20.10 (10 s
 *   each). A print at 20.18 at S+14 fills 100 of the step-1 child at 20.17; the bid rises to
 *   20.15 at S+26 and fills the step-2 child's 300 at 20.14.
 */
import { expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type LadderConfig } from '../../src/config.ts';
import type { ExecutionRecord, ParentOrder } from '../../src/engine/types.ts';
import { startServe, type RunningServe } from '../../src/serve/server.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { makeQuoteColumns, makeTradeColumns, type SymbolDay } from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';

/** 2024-03-05 10:00:00 New York (EST). */
export const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000;
export const DAY = '2024-03-05';
export const SEC = 1_000_000;
/** The default rehearsal: serve and live in lockstep (deterministic at any machine load). */
export const SPEED = 'lockstep' as const;
/** Lockstep reproduces the backtest's times exactly. */
export const TOLERANCE_US = 0;
export const SECRET = 'sEcReT-e2e-7f3a9c1d';
export const KEYS = { keyId: 'PKE2ETESTKEY', secret: SECRET };

export const A = T0 + 20 * SEC;
export const S = T0 + 22 * SEC;

export function tapes(): SymbolDay[] {
  const xyz: SymbolDay = {
    symbol: 'XYZ',
    day: DAY,
    quotes: makeQuoteColumns([
      [T0 - 60 * SEC, 20.0, 20.4, 1000, 1000],
      [A + 52 * SEC, 20.0, 20.28, 1000, 1000],
      [A + 90 * SEC, 20.1, 20.3, 1000, 1000],
    ]),
    trades: makeTradeColumns([[A + 37 * SEC, 20.25, 300, 'N']]),
  };
  const abc: SymbolDay = {
    symbol: 'ABC',
    day: DAY,
    quotes: makeQuoteColumns([
      [T0 - 60 * SEC, 20.0, 20.4, 1000, 1000],
      [S + 26 * SEC, 20.15, 20.4, 1000, 1000],
      [S + 90 * SEC, 20.1, 20.3, 1000, 1000],
    ]),
    trades: makeTradeColumns([[S + 14 * SEC, 20.18, 100, 'N']]),
  };
  return [xyz, abc];
}

export function parents(): ParentOrder[] {
  return [
    { clientOrderId: 'b1', symbol: 'XYZ', side: 'buy', qty: 500, arrivalTsUs: A },
    { clientOrderId: 's1', symbol: 'ABC', side: 'sell', qty: 400, arrivalTsUs: S },
  ];
}

export function writeTapes(): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-e2e-'));
  for (const t of tapes()) writeSymbolDay(dir, t);
  return dir;
}

/** The config both sides share (fill model, seed, zero latency); serve's and live's sections on top. */
export function sharedRaw(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { seed: 7, sim: { fill_model: 'through' }, ...extra };
}

export interface E2eServe {
  srv: RunningServe;
  dir: string;
  admin: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  /** Every order the server holds (all statuses). */
  orders: () => Promise<{ client_order_id: string; status: string; filled_qty: string; qty: string; limit_price: string; created_at: string }[]>;
  close: () => Promise<void>;
}

export async function startE2eServe(raw: Record<string, unknown> = {}, speed: number | 'lockstep' = SPEED, startUs = T0): Promise<E2eServe> {
  const dir = writeTapes();
  const config = parseConfig({ ...sharedRaw(), ...raw, serve: { speed, ...((raw.serve as object) ?? {}) } });
  const srv = await startServe({ dir, config, keys: KEYS, port: 0, startUs });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${srv.baseUrl}${path}`, {
      method,
      headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secret, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const orders = async () => (await admin('GET', '/v2/orders?status=all&limit=500&direction=asc')).body as Awaited<ReturnType<E2eServe['orders']>>;
  return {
    srv,
    dir,
    admin,
    orders,
    close: async () => {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The live run's config, pointed at the server, at the server's speed (lockstep: the lockstep clock). */
export function liveConfig(srv: RunningServe, raw: Record<string, unknown> = {}, speed: number | 'lockstep' = SPEED): LadderConfig {
  const live = (raw.live as Record<string, unknown>) ?? {};
  return parseConfig({
    ...sharedRaw(),
    ...raw,
    live: {
      trading_url: srv.baseUrl,
      data_url: srv.baseUrl,
      ...(speed === 'lockstep' ? { clock: 'lockstep', speed: 1 } : { speed }),
      retry: { attempts: 5, min_delay_ms: 10, max_delay_ms: 50 },
      stream_reconnect_ms: 20,
      shutdown_wait_ms: 3000,
      ...live,
    },
  });
}

/** The same parents through `runBacktest` on the same tape, seed and zero latency. */
export function backtestRecords(config: LadderConfig, ps: ParentOrder[] = parents()): ExecutionRecord[] {
  return runBacktest({ config, tapes: tapes(), parents: ps }).records;
}

/** What must be identical between a live run and a backtest: steps, prices, quantities, fills. */
export function shape(r: ExecutionRecord) {
  return {
    id: r.clientOrderId,
    status: r.status,
    filledQty: r.filledQty,
    avgPrice: r.avgPrice,
    fillStep: r.fillStep,
    children: r.children.map((c) => ({ step: c.step, stepsKept: c.stepsKept, limitPrice: c.limitPrice, qty: c.qty, status: c.status, filledQty: c.filledQty, fills: c.fills.map((f) => ({ step: f.step, price: f.price, qty: f.qty })) })),
  };
}

/** Times of a live record within ±TOLERANCE_US of the backtest's (0 in lockstep: equal). */
export function expectTimesClose(live: ExecutionRecord, bt: ExecutionRecord): void {
  const close = (a: number | null, b: number | null, what: string) => {
    expect(a === null, `${what} null`).toBe(b === null);
    if (a !== null && b !== null) expect(Math.abs(a - b), `${what}: live ${a} vs backtest ${b}`).toBeLessThanOrEqual(TOLERANCE_US);
  };
  close(live.arrivalTsUs, bt.arrivalTsUs, `${live.clientOrderId} arrival`);
  close(live.timeToFillUs, bt.timeToFillUs, `${live.clientOrderId} time to fill`);
  live.children.forEach((c, i) => {
    const b = bt.children[i];
    close(c.sentTsUs, b.sentTsUs, `${c.clientOrderId} sent`);
    c.fills.forEach((f, j) => close(f.tsUs, b.fills[j].tsUs, `${c.clientOrderId} fill ${j}`));
  });
}
