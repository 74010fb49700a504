/**
 * A real-process crash: `ladderlab live` (the bin) runs against `serve` in lockstep and gets
 * SIGKILL at seeded virtual times, then `ladderlab live --resume` finishes the run. serve holds
 * virtual time at the point (POST /admin/lockstep/hold) and says when the live process has asked
 * there with every message received — it has handled everything due up to the point — so each
 * kill lands on the same state on any machine (no wall-clock tolerance). Across every point: no
 * parent trades more than its quantity at the venue, every venue fill is in the final records (per
 * child and per parent), every parent ends, and the tape keeps what the killed segment saw. 3 points by default, 20 with LADDERLAB_SLOW_TESTS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makeRng } from '../../src/core/rng.ts';
import { formatIsoUtcUs } from '../../src/data/orders.ts';
import { loadRun } from '../../src/records/read.ts';
import { listTapes, loadSymbolDay } from '../../src/data/tape/files.ts';
import { A, KEYS, parents, SEC, SECRET, startE2eServe, type E2eServe } from './live-e2e-helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ladderlab.mjs');
const POINTS = process.env.LADDERLAB_SLOW_TESTS === '1' ? 20 : 3;

const serves: E2eServe[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of serves.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runCli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', APCA_API_KEY_ID: KEYS.keyId, APCA_API_SECRET_KEY: SECRET },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return { child, done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr }))) };
}

/** Poll serve until the live process has caught up at the hold (a condition, not a duration). */
async function waitForHold(s: E2eServe, exited: () => boolean): Promise<boolean> {
  for (;;) {
    const hold = (await s.admin('GET', '/admin/lockstep/hold')).body as { reached: boolean };
    if (hold.reached) return true;
    if (exited()) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function crashAndResume(crashAtUs: number): Promise<string[]> {
  const s = await startE2eServe();
  serves.push(s);
  const dir = mkdtempSync(join(tmpdir(), 'live-sigkill-'));
  dirs.push(dir);
  const config = join(dir, 'ladderlab.yaml');
  writeFileSync(config, stringify({
    seed: 7,
    sim: { fill_model: 'through' },
    live: { trading_url: s.srv.baseUrl, data_url: s.srv.baseUrl, clock: 'lockstep', speed: 1, markout_collect_s: 0, stream_reconnect_ms: 20, shutdown_wait_ms: 3000, retry: { attempts: 5, min_delay_ms: 10, max_delay_ms: 50 } },
  }));
  const orders = join(dir, 'orders.csv');
  writeFileSync(orders, ['ts,symbol,side,qty,client_order_id', ...parents().map((p) => `${formatIsoUtcUs(p.arrivalTsUs)},${p.symbol},${p.side},${p.qty},${p.clientOrderId}`)].join('\n'));
  const out = join(dir, 'out');

  expect((await s.admin('POST', '/admin/lockstep/hold', { at_us: crashAtUs })).status).toBe(200);
  const live = runCli(['live', '--config', config, '--orders', orders, '--out', out]);
  let exited = false;
  void live.done.then(() => (exited = true));
  const reached = await waitForHold(s, () => exited);
  if (!reached) expect.fail(`live ended before the hold at ${crashAtUs}: ${(await live.done).stderr}`);
  live.child.kill('SIGKILL');
  expect((await live.done).signal).toBe('SIGKILL');
  // What the killed segment had journaled of its tape (quotes), to find in the final tape.
  const killedQuotes = readFileSync(join(out, 'tape-rows.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('q\t'))
    .map((l) => l.split('\t').slice(1).join('|'));
  await s.admin('DELETE', '/admin/lockstep/hold');

  const resumed = await runCli(["live", "--config", config, "--resume", out]).done;
  expect(resumed.code, resumed.stderr).toBe(0);

  const records = loadRun(out).records;
  expect(records.map((r) => r.clientOrderId)).toEqual(['b1', 's1']);
  // The killed segment's tape survives (OUT/tape-rows.tsv): every quote it recorded is in the run's tape.
  const tapeDir = join(out, 'tape');
  const finalQuotes = new Set(
    listTapes(tapeDir).flatMap(({ symbol, day }) => {
      const q = loadSymbolDay(tapeDir, symbol, day).quotes;
      return Array.from({ length: q.length }, (_, i) => [symbol, q.ts[i], q.bid[i], q.ask[i], q.bidSize[i], q.askSize[i]].join('|'));
    }),
  );
  expect(killedQuotes.length, `quotes the killed segment recorded by ${crashAtUs}`).toBeGreaterThan(0);
  expect(killedQuotes.filter((k) => !finalQuotes.has(k))).toEqual([]);
  const book = (await s.orders()).filter((o) => o.client_order_id.startsWith('ll-'));
  const outcomes: string[] = [];
  for (const p of parents()) {
    const r = records.find((x) => x.clientOrderId === p.clientOrderId)!;
    expect(['filled', 'partial', 'unfilled'], `${p.clientOrderId} at ${crashAtUs}`).toContain(r.status);
    const mine = book.filter((o) => new RegExp(`-${p.clientOrderId}(\\.r\\d+)?-\\d+$`).test(o.client_order_id));
    expect(mine.filter((o) => ['new', 'partially_filled', 'accepted', 'pending_new', 'pending_cancel'].includes(o.status))).toEqual([]);
    const venueFilled = mine.reduce((sum, o) => sum + Number(o.filled_qty), 0);
    expect(venueFilled, `${p.clientOrderId} at ${crashAtUs}`).toBeLessThanOrEqual(p.qty);
    expect(r.filledQty, `${p.clientOrderId} at ${crashAtUs}`).toBe(venueFilled);
    for (const o of mine) {
      const child = r.children.find((c) => c.clientOrderId === o.client_order_id.replace(/^ll-[^-]+-/, ''));
      expect(child, `${o.client_order_id} in the records`).toBeDefined();
      expect(child!.fills.reduce((sum, f) => sum + f.qty, 0), o.client_order_id).toBe(Number(o.filled_qty));
    }
    outcomes.push(`${p.clientOrderId}:${r.status}:${r.filledQty}`);
  }
  return outcomes;
}

describe('ladderlab live: SIGKILL at seeded lockstep points, then --resume (real processes)', () => {
  it(`${POINTS} points: no over-trade, every venue fill in the records, every parent ends`, async () => {
    const rng = makeRng(2026, 'live-sigkill-points');
    // From just before the buy's arrival (A) to just before its last fill (A+52 s): mid-ladder kills.
    const points = Array.from({ length: POINTS }, () => Math.round(A - 1 * SEC + rng() * 52.5 * SEC));
    const outcomes: string[] = [];
    for (const p of points) outcomes.push(...(await crashAndResume(p)));
    expect(outcomes).toHaveLength(2 * POINTS);
  }, POINTS * 30_000);
});
