/**
 * `live` end to end against `serve`, over real sockets through the SDK, in lockstep (serve
 * --speed lockstep, live.clock lockstep: virtual time moves only once live has handled every
 * message due, so the result does not depend on machine load): a buy and a sell ladder give the
 * same step prices, child quantities, fill steps, fill prices AND times as `runBacktest` on the
 * same tape, seed and zero latency; the run directory is the backtest's (report reads it), and
 * its tape replays to the same result.
 * Everything listens and connects on 127.0.0.1 only, and every server is closed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLive } from '../../src/live/run.ts';
import { loadRun } from '../../src/records/read.ts';
import { readFeedDelaysMs } from '../../src/records/feed-receipts.ts';
import { dirTapeSource, runBacktest } from '../../src/sim/backtest.ts';
import { readParentOrdersCsv } from '../../src/data/orders.ts';
import { backtestRecords, expectTimesClose, KEYS, liveConfig, parents, shape, startE2eServe, TOLERANCE_US, type E2eServe } from './live-e2e-helpers.ts';

let serve: E2eServe | undefined;
const outs: string[] = [];

afterEach(async () => {
  await serve?.close();
  serve = undefined;
  for (const d of outs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'live-out-'));
  outs.push(d);
  return d;
}

describe('live vs backtest through serve in lockstep', () => {
  it('same steps, prices, quantities, fills and times (exactly) for a buy and a sell; same run directory', async () => {
    serve = await startE2eServe();
    const config = liveConfig(serve.srv);
    const out = outDir();
    const lines: string[] = [];
    const result = await runLive({ config, parents: parents(), outDir: out, keys: KEYS, log: (l) => lines.push(l) });
    expect(result.error).toBeNull();
    expect(result.interrupted).toBe(false);

    const bt = backtestRecords(config);
    expect(result.records.map(shape)).toEqual(bt.map(shape));
    result.records.forEach((r, i) => expectTimesClose(r, bt[i]));
    // The concrete ladders (the tape was built for them).
    expect(result.records.map((r) => [r.side, r.children.map((c) => c.limitPrice), r.avgPrice])).toEqual([
      ['buy', [20.2, 20.23, 20.26, 20.29], (300 * 20.26 + 200 * 20.29) / 500],
      ['sell', [20.2, 20.17, 20.14], (100 * 20.17 + 300 * 20.14) / 400],
    ]);

    // Exactly one server order per child, each with our prefix + run tag.
    const orders = await serve.orders();
    const ours = orders.filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-`));
    expect(ours.map((o) => o.client_order_id).sort()).toEqual(['b1-1', 'b1-2', 'b1-3', 'b1-4', 's1-1', 's1-2', 's1-3'].map((c) => `ll-${result.runTag}-${c}`));
    expect(ours.filter((o) => o.status === 'filled').map((o) => o.client_order_id.split('-').pop())).toHaveLength(2);

    expect(lines.some((l) => /feed iex is ONE venue's quote/.test(l))).toBe(true);
    expect(lines.some((l) => /paper\/rehearsal/.test(l))).toBe(true);

    // The same run directory as backtest: report's reader takes it, with the tape as its data.
    for (const f of ['records.arrow', 'children.arrow', 'fills.arrow', 'run.json', 'orders.csv']) expect(existsSync(join(out, f)), f).toBe(true);
    const run = loadRun(out);
    expect(run.records.map((r) => r.clientOrderId)).toEqual(['b1', 's1']);
    expect(run.dataDir).toBe(join(out, 'tape'));
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({ command: 'live', mode: 'rehearsal', feed: 'iex', clock: 'lockstep', interrupted: false, counts: { parents: 2, filled: 2, children: 7, fills: 4 } });

    // Receipt times for calibrate: every ack and fill reached us at or after the venue's time, and
    // feed.arrow keeps each streamed quote's time beside its receipt.
    for (const c of run.records.flatMap((r) => r.children)) {
      if (c.ackTsUs !== null) expect(c.ackRecvTsUs!, c.clientOrderId).toBeGreaterThanOrEqual(c.ackTsUs);
      for (const f of c.fills) expect(f.recvTsUs!, f.execId).toBeGreaterThanOrEqual(f.tsUs);
    }
    const feedDelays = readFeedDelaysMs(out);
    expect(feedDelays.length).toBeGreaterThan(0);
    expect(Math.min(...feedDelays)).toBeGreaterThanOrEqual(0);

        // The tape holds what was seen, through the markout window (last fill + 60 s).
    const source = dirTapeSource(join(out, 'tape'));
    expect(source.list()).toEqual([
      { symbol: 'ABC', day: '2024-03-05' },
      { symbol: 'XYZ', day: '2024-03-05' },
    ]);
    const xyz = source.load('XYZ', '2024-03-05');
    const lastFillUs = Math.max(...result.records.flatMap((r) => r.children.flatMap((c) => c.fills.map((f) => f.tsUs))));
    expect(xyz.quotes.ts[xyz.quotes.length - 1]).toBeGreaterThanOrEqual(lastFillUs + 60e6 - TOLERANCE_US);
    expect([...xyz.trades.price]).toEqual([20.25]);

    // ... and replays: backtest on the recorded tape with the orders as run gives the same ladders.
    const replay = runBacktest({ config, tapes: source, parents: readParentOrdersCsv(join(out, 'orders.csv')) });
    expect(replay.records.map(shape)).toEqual(bt.map(shape));
  });
});
