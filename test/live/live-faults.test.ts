/**
 * `live` against `serve`'s fault switches, end to end in lockstep over real sockets through the SDK:
 * a dropped market-data stream (REST quotes meanwhile, then the stream is back), 429 and 500 on
 * submit (retried, exactly one order per client id on the server), a fill that overtakes a cancel
 * (no over-fill: the next child is sized from what filled), duplicated and reordered trade
 * updates, and a closed market (rejected, or queued to the reopening, per config).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkLiveApi } from '../../src/live/alpaca-api.ts';
import { resolveEndpoints } from '../../src/live/endpoints.ts';
import { runLive, type LiveRunOptions } from '../../src/live/run.ts';
import { A, backtestRecords, KEYS, liveConfig, parents, S, SEC, shape, startE2eServe, T0, TOLERANCE_US, type E2eServe } from './live-e2e-helpers.ts';

let serve: E2eServe | undefined;
const outs: string[] = [];

afterEach(async () => {
  await serve?.close();
  serve = undefined;
  for (const d of outs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'live-fault-'));
  outs.push(d);
  return d;
}

async function run(options: Partial<LiveRunOptions> & Pick<LiveRunOptions, 'config'>) {
  const lines: string[] = [];
  const result = await runLive({ parents: parents(), outDir: outDir(), keys: KEYS, log: (l) => lines.push(l), ...options });
  return { result, lines };
}

/** Orders the server holds, by client order id: every id must appear exactly once. */
async function ordersById(s: E2eServe, runTag: string) {
  const all = (await s.orders()).filter((o) => o.client_order_id.startsWith(`ll-${runTag}-`));
  const counts = new Map<string, number>();
  for (const o of all) counts.set(o.client_order_id, (counts.get(o.client_order_id) ?? 0) + 1);
  return { all, counts };
}

describe('live faults through serve', () => {
  it('market-data stream dropped mid-order: lockstep waits for it to reconnect (time does not run on without market data); same ladders', async () => {
    serve = await startE2eServe();
    const config = liveConfig(serve.srv, { live: { stream_reconnect_ms: 400 } });
    const endpoints = resolveEndpoints(config.live, KEYS, { liveMoney: false });
    const api = sdkLiveApi({ endpoints, keys: KEYS, feed: 'iex', requestTimeoutMs: 5000, reconnectAttempts: 10, reconnectMs: 400 });
    let down = false;
    let restWhileDown = 0;
    const latest = api.data.latestQuote.bind(api.data);
    api.data.latestQuote = (symbol) => {
      if (down) restWhileDown++;
      return latest(symbol);
    };
    const states: string[] = [];
    api.dataStream.onState((state) => {
      states.push(state);
      if (state === 'down') down = true;
      if (state === 'up') down = false;
    });
    const s = serve;
    const { result, lines } = await run({
      config,
      api,
      onStarted: ({ clock }) => {
        clock.setTimer(A + 3 * SEC, () => clock.track?.(s.admin('POST', '/admin/drop-data-stream')));
      },
    });
    expect(result.error).toBeNull();
    expect(states).toEqual(['up', 'down', 'up']);
    // Virtual time stood still while it was down: no quote was missed, none needed from REST.
    expect(restWhileDown).toBe(0);
    expect(result.stats.streamDrops.data).toBe(1);
    expect(result.stats.reconnects.data).toBe(1);
    expect(lines.some((l) => /market-data stream down — quotes from REST/.test(l))).toBe(true);
    expect(lines.some((l) => /market-data stream back/.test(l))).toBe(true);
    expect(result.records.map(shape)).toEqual(backtestRecords(config).map(shape));
  });

  it('429 then 500-after-placing on submit: retried, the lost answer found by client order id, exactly one order per client id', async () => {
    serve = await startE2eServe({ serve: { faults: { submit_errors: 1, submit_error_status: 429 } } });
    const config = liveConfig(serve.srv);
    const s = serve;
    const { result } = await run({
      config,
      onStarted: ({ clock }) => {
        // After the first child (b1-1 at A) met the 429: the next submit (s1-1 at S) is placed but answered 500.
        clock.setTimer(A + 1 * SEC, () => clock.track?.(s.admin('POST', '/admin/faults', { submit_errors: 1, submit_error_status: 500, submit_error_accept: true })));
      },
    });
    expect(result.error).toBeNull();
    const { all, counts } = await ordersById(serve, result.runTag);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(all).toHaveLength(7);
    expect(result.stats.retries).toBeGreaterThanOrEqual(2);
    expect(result.stats.submitsFoundByClientId).toBe(1);
    expect(result.records.flatMap((r) => r.children.map((c) => c.rejectReason))).toEqual(Array(7).fill(null));
    expect(result.records.map(shape)).toEqual(backtestRecords(config).map(shape));
  });

  it('a fill that overtakes the cancel: it counts, the next child is sized from it, nothing over-fills', async () => {
    // The first cancel of the run is s1-1's (S+10 s): 200 of its 400 fill at its limit 20.20 first.
    serve = await startE2eServe({ serve: { faults: { fill_after_cancel: 1, fill_after_cancel_qty: 200 } } });
    const config = liveConfig(serve.srv);
    const { result } = await run({ config });
    expect(result.error).toBeNull();
    const sell = result.records.find((r) => r.clientOrderId === 's1')!;
    expect(sell.children.map((c) => [c.step, c.limitPrice, c.qty, c.filledQty, c.status])).toEqual([
      [0, 20.2, 400, 200, 'canceled'],
      [1, 20.17, 200, 100, 'canceled'],
      [2, 20.14, 100, 100, 'filled'],
    ]);
    expect(sell).toMatchObject({ filledQty: 400, status: 'filled' });
    expect(sell.avgPrice).toBeCloseTo((200 * 20.2 + 100 * 20.17 + 100 * 20.14) / 400, 10);
    const { all } = await ordersById(serve, result.runTag);
    const filledOnServer = (prefix: string) => all.filter((o) => o.client_order_id.includes(`-${prefix}-`)).reduce((sum, o) => sum + Number(o.filled_qty), 0);
    expect(filledOnServer('s1')).toBe(400);
    expect(filledOnServer('b1')).toBe(500);
    const position = (await serve.admin('GET', '/v2/positions/ABC')).body as { qty: string };
    expect(Number(position.qty)).toBe(-400);
  });

  it('duplicated and reordered trade updates: fills counted once, ladders as in the backtest', async () => {
    serve = await startE2eServe({ serve: { faults: { duplicate_trade_updates: 100, reorder_trade_updates: 6 } } });
    const config = liveConfig(serve.srv);
    const { result } = await run({ config });
    expect(result.error).toBeNull();
    expect(result.stats.duplicateFills).toBeGreaterThanOrEqual(4);
    expect(result.records.map(shape)).toEqual(backtestRecords(config).map(shape));
    const { counts } = await ordersById(serve, result.runTag);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('live: market closed (serve market_closed_until 10:01)', () => {
  const reopenUs = T0 + 60 * SEC;

  it('risk.queue_when_closed false: both parents rejected market_closed, nothing sent', async () => {
    serve = await startE2eServe({ serve: { faults: { market_closed_until: '10:01' } } });
    const config = liveConfig(serve.srv, { live: { markout_collect_s: 0 } });
    const { result } = await run({ config });
    expect(result.records.map((r) => [r.clientOrderId, r.status, r.reason, r.children.length])).toEqual([
      ['b1', 'rejected', 'market_closed', 0],
      ['s1', 'rejected', 'market_closed', 0],
    ]);
    expect(await serve.orders()).toEqual([]);
  });

  it('risk.queue_when_closed true: both parents wait for the reopening, then ladder', async () => {
    serve = await startE2eServe({ serve: { faults: { market_closed_until: '10:01' } } });
    const config = liveConfig(serve.srv, { risk: { queue_when_closed: true }, live: { markout_collect_s: 0 } });
    const { result } = await run({ config, parents: [parents()[1]] });
    expect(result.error).toBeNull();
    const sell = result.records[0];
    expect(Math.abs(sell.arrivalTsUs - reopenUs)).toBeLessThanOrEqual(TOLERANCE_US);
    expect(sell.children[0].sentTsUs).toBeGreaterThanOrEqual(reopenUs);
    expect(sell.status).not.toBe('rejected');
    // Priced from the quote in force after 10:01 (20.15/20.40 since S+26): step 0 at the mid.
    expect(sell.children[0].limitPrice).toBe(20.28);
    const created = (await serve.orders()).map((o) => Date.parse(o.created_at) * 1000);
    expect(created.length).toBeGreaterThan(0);
    expect(Math.min(...created)).toBeGreaterThanOrEqual(reopenUs - TOLERANCE_US);
    expect(S).toBeLessThan(reopenUs);
  });
});
