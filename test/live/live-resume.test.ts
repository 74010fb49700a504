/**
 * Crash and resume through `serve` in lockstep: `live` dies as under SIGKILL (crashAtUs: nothing
 * more sent or written; what was fsync'd stays) at 20 seeded random points of a buy and a sell
 * ladder, and `--resume` (planResume + runLive) finishes the run. Across every point: no parent
 * trades more than its quantity at the venue, every fill the venue made is in the final records
 * (per child and per parent), and every parent ends. Lockstep makes each point land on the same
 * event on any machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng.ts';
import { sdkLiveApi } from '../../src/live/alpaca-api.ts';
import { resolveEndpoints } from '../../src/live/endpoints.ts';
import { JOURNAL_FILE, readJournal } from '../../src/live/journal.ts';
import { planResume } from '../../src/live/resume.ts';
import { runLive, SimulatedCrash } from '../../src/live/run.ts';
import { loadRun } from '../../src/records/read.ts';
import { A, KEYS, liveConfig, parents, SEC, startE2eServe, type E2eServe } from './live-e2e-helpers.ts';

const serves: E2eServe[] = [];
const outs: string[] = [];

afterEach(async () => {
  for (const s of serves.splice(0)) await s.close();
  for (const d of outs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const POINTS = 20;

describe('live: SIGKILL-like crash at random points, then --resume', () => {
  it(`${POINTS} seeded crash points: no over-trade, no missing fill, every parent ends`, async () => {
    const rng = makeRng(2026, 'live-resume-crash-points');
    // From just before the buy's arrival (A) to just before the run ends (the buy's last fill, A+52 s).
    const points = Array.from({ length: POINTS }, () => Math.round(A - 1 * SEC + rng() * 52.5 * SEC));
    const outcomes: string[] = [];
    await runPoints(points, outcomes);
    // The run is the same on any machine (lockstep): at least some points fell mid-ladder.
    expect(outcomes).toHaveLength(2 * POINTS);
  }, 240_000);
});

async function runPoints(points: number[], outcomes: string[]): Promise<void> {
  for (const crashAtUs of points) {
    const serve = await startE2eServe();
    serves.push(serve);
    const config = liveConfig(serve.srv, { live: { markout_collect_s: 0 } });
    const out = mkdtempSync(join(tmpdir(), 'live-resume-'));
    outs.push(out);
    await expect(runLive({ config, parents: parents(), outDir: out, keys: KEYS, crashAtUs })).rejects.toBeInstanceOf(SimulatedCrash);
    // A crashed run's directory is refused without --resume.
    await expect(runLive({ config, parents: parents(), outDir: out, keys: KEYS })).rejects.toThrow(/unfinished live run .*--resume/);

    const endpoints = resolveEndpoints(config.live, KEYS, { liveMoney: false });
    const rest = sdkLiveApi({ endpoints, keys: KEYS, feed: 'iex', requestTimeoutMs: 5000, reconnectAttempts: 0, reconnectMs: 100 }).trading;
    const plan = await planResume(readJournal(join(out, JOURNAL_FILE)), rest, { retry: { attempts: 3, minDelayMs: 5, maxDelayMs: 20 }, waitMs: 3000, log: () => {} });
    const result = await runLive({ config, parents: [], outDir: out, keys: KEYS, resume: plan });
    expect(result.error).toBeNull();

    // Every parent ends, once, in the order given.
    const records = loadRun(out).records;
    expect(records.map((r) => r.clientOrderId)).toEqual(['b1', 's1']);
    for (const r of records) expect(['filled', 'partial', 'unfilled']).toContain(r.status);

    // The venue's book: every order of this run (both segments) by client id.
    const orders = (await serve.orders()).filter((o) => o.client_order_id.startsWith('ll-'));
    for (const p of parents()) {
      const mine = orders.filter((o) => new RegExp(`-${p.clientOrderId}(\\.r\\d+)?-\\d+$`).test(o.client_order_id));
      const venueFilled = mine.reduce((s, o) => s + Number(o.filled_qty), 0);
      const record = records.find((r) => r.clientOrderId === p.clientOrderId)!;
      // No over-trade, and every venue fill is in the records: per parent ...
      expect(venueFilled, `${p.clientOrderId} at ${crashAtUs}`).toBeLessThanOrEqual(p.qty);
      expect(record.filledQty, `${p.clientOrderId} at ${crashAtUs}`).toBe(venueFilled);
      // ... and per child (fills booked on the child the venue filled).
      for (const o of mine) {
        const childId = o.client_order_id.replace(/^ll-[^-]+-/, '');
        const child = record.children.find((c) => c.clientOrderId === childId);
        expect(child, `${o.client_order_id} in the records`).toBeDefined();
        expect(child!.fills.reduce((s, f) => s + f.qty, 0), o.client_order_id).toBe(Number(o.filled_qty));
      }
      outcomes.push(`${p.clientOrderId}:${record.status}:${record.filledQty}`);
    }
  }
}
