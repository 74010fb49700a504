/**
 * `live` with `live.amend: replace` end to end against `serve`, over real sockets through the SDK,
 * in lockstep (the tape and ladders of live-e2e-helpers.ts; deterministic at any machine load): every step move is ONE PATCH — the
 * server made each later child as a new order whose `replaces` is the previous child's order id,
 * and saw no DELETE — while step prices, child quantities and fills equal the backtest's (the
 * simulator moves steps by cancel then submit). No over-fill (the server's positions equal the
 * records' filled quantities), and each parent has exactly one working order at any time (an
 * order reaches the venue only once the one it replaces is out); the same under duplicated and
 * reordered trade updates. Then the race: with a 3 s cancel latency at the venue, a print fills part
 * of the old order while the PATCH is pending — the old child ends canceled with what it filled,
 * the replacement is shrunk by that, exactly as the backtest's cancel-then-submit on the same
 * latency — with updates in order, and reordered so the replacement's `new` comes first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rfc3339ToUs, sdkLiveApi } from '../../src/live/alpaca-api.ts';
import { resolveEndpoints } from '../../src/live/endpoints.ts';
import { parseConfig } from '../../src/config.ts';
import { runLive } from '../../src/live/run.ts';
import { startServe } from '../../src/serve/server.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { makeQuoteColumns, makeTradeColumns, type SymbolDay } from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { A, backtestRecords, DAY, expectTimesClose, KEYS, liveConfig, parents, SEC, shape, sharedRaw, startE2eServe, T0, type E2eServe } from './live-e2e-helpers.ts';

let serve: E2eServe | undefined;
const outs: string[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await serve?.close();
  serve = undefined;
  for (const c of closers.splice(0)) await c();
  for (const d of outs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'live-replace-'));
  outs.push(d);
  return d;
}

/** The client's REST calls that change orders, as `POST b1-1`, `PATCH b1-2 @20.23` (no qty: the venue sizes it), `DELETE <id>`. */
function countingApi(config: ReturnType<typeof liveConfig>) {
  const endpoints = resolveEndpoints(config.live, KEYS, { liveMoney: false });
  const api = sdkLiveApi({ endpoints, keys: KEYS, feed: 'iex', requestTimeoutMs: 5000, reconnectAttempts: 10, reconnectMs: 20 });
  const sent: string[] = [];
  const child = (venueId: string) => venueId.split('-').slice(-2).join('-');
  const { submitLimit, replace, cancel } = api.trading;
  api.trading.submitLimit = (o) => (sent.push(`POST ${child(o.clientOrderId)}`), submitLimit(o));
  api.trading.replace = (id, c) => (sent.push(`PATCH ${child(c.clientOrderId)} ${c.qty ?? ''}@${c.limitPrice}`), replace(id, c));
  api.trading.cancel = (id) => (sent.push(`DELETE ${id}`), cancel(id));
  return { api, sent };
}

interface ServerOrder {
  id: string;
  client_order_id: string;
  status: string;
  qty: string;
  filled_qty: string;
  limit_price: string;
  replaces: string | null;
  submitted_at: string;
  filled_at: string | null;
  canceled_at: string | null;
  replaced_at: string | null;
}

describe('live with amend: replace through serve in lockstep', () => {
  it('buy and sell: each step move is one PATCH (replaces = the old order), same ladders as the backtest, no over-fill, one working order per parent', async () => {
    serve = await startE2eServe();
    const config = liveConfig(serve.srv, { live: { amend: 'replace' } });
    const { api, sent } = countingApi(config);
    const out = outDir();
    const result = await runLive({ config, parents: parents(), outDir: out, keys: KEYS, api });
    expect(result.error).toBeNull();
    expect(result.interrupted).toBe(false);

    // Same ladders as the backtest (which moves by cancel then submit), times within tolerance.
    const bt = backtestRecords(config);
    expect(result.records.map(shape)).toEqual(bt.map(shape));
    result.records.forEach((r, i) => expectTimesClose(r, bt[i]));
    expect(result.records.map((r) => [r.side, r.children.map((c) => c.limitPrice), r.children.map((c) => c.replaces ?? null), r.filledQty])).toEqual([
      ['buy', [20.2, 20.23, 20.26, 20.29], [null, 'b1-1', 'b1-2', 'b1-3'], 500],
      ['sell', [20.2, 20.17, 20.14], [null, 's1-1', 's1-2'], 400],
    ]);

    // One POST per parent, one PATCH per step move, no DELETE.
    expect([...sent].sort()).toEqual(
      [
        'POST b1-1',
        'PATCH b1-2 @20.23',
        'PATCH b1-3 @20.26',
        'PATCH b1-4 @20.29',
        'POST s1-1',
        'PATCH s1-2 @20.17',
        'PATCH s1-3 @20.14',
      ].sort(),
    );
    expect(result.stats).toMatchObject({ submits: 2, replaces: 5, replaceAttempts: 5, replacesRefused: 0, cancels: 0 });

    // The server's side: each later child is a new order replacing the previous one.
    const all = (await serve.orders()) as unknown as ServerOrder[];
    const ours = all.filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-`));
    const byChild = new Map(ours.map((o) => [o.client_order_id.slice(`ll-${result.runTag}-`.length), o]));
    const row = (c: string) => {
      const o = byChild.get(c)!;
      const prev = [...byChild.entries()].find(([, p]) => p.id === o.replaces)?.[0] ?? null;
      return [c, prev, o.status, Number(o.qty), Number(o.filled_qty), Number(o.limit_price)];
    };
    expect(['b1-1', 'b1-2', 'b1-3', 'b1-4', 's1-1', 's1-2', 's1-3'].map(row)).toEqual([
      ['b1-1', null, 'replaced', 500, 0, 20.2],
      ['b1-2', 'b1-1', 'replaced', 500, 0, 20.23],
      ['b1-3', 'b1-2', 'replaced', 500, 300, 20.26],
      ['b1-4', 'b1-3', 'filled', 200, 200, 20.29],
      ['s1-1', null, 'replaced', 400, 0, 20.2],
      ['s1-2', 's1-1', 'replaced', 400, 100, 20.17],
      ['s1-3', 's1-2', 'filled', 300, 300, 20.14],
    ]);
    expect(ours).toHaveLength(7);

    // One working order per parent: an order reaches the venue (submitted_at) only once the one
    // before it is out (replaced_at / filled_at / canceled_at).
    for (const parent of ['b1', 's1']) {
      const chain = ours.filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-${parent}-`)).sort((a, b) => rfc3339ToUs(a.submitted_at) - rfc3339ToUs(b.submitted_at));
      for (let i = 1; i < chain.length; i++) {
        const prevEnd = chain[i - 1].replaced_at ?? chain[i - 1].filled_at ?? chain[i - 1].canceled_at;
        expect(prevEnd, `${chain[i - 1].client_order_id} ended`).not.toBeNull();
        expect(rfc3339ToUs(chain[i].submitted_at), `${chain[i].client_order_id} after ${chain[i - 1].client_order_id}`).toBeGreaterThanOrEqual(rfc3339ToUs(prevEnd!));
      }
      expect(chain.filter((o) => !['replaced', 'filled', 'canceled'].includes(o.status))).toEqual([]);
    }

    // No over-fill: the server's positions are exactly the records' filled quantities.
    const position = async (symbol: string) => Number(((await serve!.admin('GET', `/v2/positions/${symbol}`)).body as { qty: string }).qty);
    expect([await position('XYZ'), await position('ABC')]).toEqual([500, -400]);
  });

  it('duplicated and reordered trade updates: fills counted once, same ladders, one order per client id', async () => {
    serve = await startE2eServe({ serve: { faults: { duplicate_trade_updates: 100, reorder_trade_updates: 8 } } });
    const config = liveConfig(serve.srv, { live: { amend: 'replace' } });
    const { api, sent } = countingApi(config);
    const result = await runLive({ config, parents: parents(), outDir: outDir(), keys: KEYS, api });
    expect(result.error).toBeNull();
    expect(result.records.map(shape)).toEqual(backtestRecords(config).map(shape));
    expect(sent.filter((c) => c.startsWith('PATCH'))).toHaveLength(5);
    expect(sent.filter((c) => c.startsWith('DELETE'))).toEqual([]);
    expect(result.stats.duplicateFills).toBeGreaterThanOrEqual(4);
    const ours = ((await serve.orders()) as unknown as ServerOrder[]).filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-`));
    expect(new Set(ours.map((o) => o.client_order_id)).size).toBe(ours.length);
    expect(ours).toHaveLength(7);
  });
});

/**
 * The race tape (lockstep, venue cancel latency 3 s, so a PATCH leaves the old order working 3 s;
 * the sell parent arrives at S2, after the buy is done, so their updates never interleave):
 * Buy XYZ 500 at A: 20.20 then, at A+15, PATCH to 20.23; a print at 20.19 ×200 at A+16.5 fills 200
 *   of the old order; at A+18 it is replaced (filled 200) and the new order works 300; the ask drops
 *   to 20.22 at A+21 and fills them at 20.23.
 * Sell ABC 400 at S2: 20.20 then, at S2+10, PATCH to 20.17; a print at 20.21 ×150 at S2+11.5 fills
 *   150 of the old order; replaced at S2+13, the new order works 250; the bid rises to 20.18 at S2+16.
 */
const S2 = T0 + 60 * SEC;

function raceParents(): ParentOrder[] {
  return [
    { clientOrderId: 'b1', symbol: 'XYZ', side: 'buy', qty: 500, arrivalTsUs: A },
    { clientOrderId: 's1', symbol: 'ABC', side: 'sell', qty: 400, arrivalTsUs: S2 },
  ];
}

function raceTapes(): SymbolDay[] {
  return [
    {
      symbol: 'XYZ',
      day: DAY,
      quotes: makeQuoteColumns([
        [T0 - 60 * SEC, 20.0, 20.4, 1000, 1000],
        [A + 21 * SEC, 20.0, 20.22, 1000, 1000],
      ]),
      trades: makeTradeColumns([[A + 16.5 * SEC, 20.19, 200, 'N']]),
    },
    {
      symbol: 'ABC',
      day: DAY,
      quotes: makeQuoteColumns([
        [T0 - 60 * SEC, 20.0, 20.4, 1000, 1000],
        [S2 + 16 * SEC, 20.18, 20.4, 1000, 1000],
      ]),
      trades: makeTradeColumns([[S2 + 11.5 * SEC, 20.21, 150, 'N']]),
    },
  ];
}

describe('live with amend: replace — fills racing the PATCH (serve with a 3 s cancel latency, lockstep)', () => {
  // Reordered: every update waits for the next one (or 1 s), so each replacement's `new` reaches
  // the client before its old order's `replaced` — and must wait for it.
  it.each([
    ['in order', {}, 0],
    ['reordered', { reorder_trade_updates: 100 }, 2],
  ] as const)('buy and sell, updates %s: the old child ends canceled with what it filled, the replacement works only the rest; as the backtest; no over-fill', async (_label, faults, newBeforeReplaced) => {
    const speed = 'lockstep';
    const dir = mkdtempSync(join(tmpdir(), 'live-replace-race-'));
    outs.push(dir);
    for (const t of raceTapes()) writeSymbolDay(dir, t);
    const raw = { ...sharedRaw(), sim: { fill_model: 'through', latency: { cancel: { ms: 3000 } } } };
    const srv = await startServe({ dir, config: parseConfig({ ...raw, serve: { speed, faults } }), keys: KEYS, port: 0, startUs: T0 });
    closers.push(() => srv.close());
    const config = liveConfig(srv, { ...raw, live: { amend: 'replace', markout_collect_s: 0 } }, speed);
    const { api, sent } = countingApi(config);
    const seen: string[] = [];
    api.tradeStream.onUpdate((u) => seen.push(`${u.event} ${u.order.clientOrderId.split('-').slice(-2).join('-')}`));
    const result = await runLive({ config, parents: raceParents(), outDir: outDir(), keys: KEYS, api });
    expect(result.error).toBeNull();

    const ladder = (id: string) => {
      const r = result.records.find((x) => x.clientOrderId === id)!;
      return [r.status, r.filledQty, r.avgPrice, r.children.map((c) => [c.clientOrderId, c.replaces ?? null, c.limitPrice, c.qty, c.filledQty, c.status])];
    };
    expect(ladder('b1')).toEqual([
      'filled',
      500,
      20.218, // (200 × 20.20 + 300 × 20.23) / 500
      [
        ['b1-1', null, 20.2, 500, 200, 'canceled'],
        ['b1-2', 'b1-1', 20.23, 300, 300, 'filled'],
      ],
    ]);
    expect(ladder('s1')).toEqual([
      'filled',
      400,
      20.18125, // (150 × 20.20 + 250 × 20.17) / 400
      [
        ['s1-1', null, 20.2, 400, 150, 'canceled'],
        ['s1-2', 's1-1', 20.17, 250, 250, 'filled'],
      ],
    ]);
    // The backtest on the same tape and latency moves by cancel then submit: the same children.
    const bt = runBacktest({ config, tapes: raceTapes(), parents: raceParents() }).records;
    expect(result.records.map(shape)).toEqual(bt.map(shape));

    // How the updates came: the replacement's `new` before or after its old order's `replaced`.
    const early = ['b1', 's1'].filter((p) => seen.indexOf(`new ${p}-2`) < seen.indexOf(`replaced ${p}-1`));
    expect(early).toHaveLength(newBeforeReplaced);
    expect(result.stats.oversizedReplacementsCanceled).toBe(0);

    expect([...sent].sort()).toEqual(['PATCH b1-2 @20.23', 'PATCH s1-2 @20.17', 'POST b1-1', 'POST s1-1']);
    const admin = async (path: string) => (await fetch(`${srv.baseUrl}${path}`, { headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secret } })).json();
    const ours = ((await admin('/v2/orders?status=all&limit=500&direction=asc')) as ServerOrder[]).filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-`));
    expect(ours.map((o) => [o.client_order_id.slice(`ll-${result.runTag}-`.length), o.status, Number(o.qty), Number(o.filled_qty)]).sort()).toEqual([
      ['b1-1', 'replaced', 500, 200],
      ['b1-2', 'filled', 300, 300],
      ['s1-1', 'replaced', 400, 150],
      ['s1-2', 'filled', 250, 250],
    ]);
    const position = async (symbol: string) => Number(((await admin(`/v2/positions/${symbol}`)) as { qty: string }).qty);
    expect([await position('XYZ'), await position('ABC')]).toEqual([500, -400]);
  });
});
