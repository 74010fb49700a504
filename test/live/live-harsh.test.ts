/**
 * Harsh fault runs through `serve` in lockstep, in both amend modes: every run draws (seeded) a
 * mix of submit 429/500 (some placed anyway), fills after a cancel, duplicated and reordered trade
 * updates, delayed cancel acks and a market-data stream drop. In every run: no parent trades more
 * than its quantity at the venue, no fill is lost (each record's filled quantity is the venue's),
 * and the records equal serve's own order book child by child. LADDERLAB_HARSH_RUNS sets the runs
 * per mode (default 5 in the suite; the 50 were run with LADDERLAB_HARSH_RUNS=50).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng.ts';
import { runLive } from '../../src/live/run.ts';
import { A, KEYS, liveConfig, parents, SEC, startE2eServe, type E2eServe } from './live-e2e-helpers.ts';

const RUNS = Number(process.env.LADDERLAB_HARSH_RUNS ?? 5);
const serves: E2eServe[] = [];
const outs: string[] = [];

afterEach(async () => {
  for (const s of serves.splice(0)) await s.close();
  for (const d of outs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.each(['cancel_replace', 'replace'] as const)('live, amend %s: harsh fault runs through serve', (amend) => {
  it(`${RUNS} seeded runs: 0 over-fills, 0 lost fills, records = serve's book`, async () => {
    const rng = makeRng(15, `harsh-${amend}`);
    const pick = (n: number) => Math.floor(rng() * n);
    for (let run = 0; run < RUNS; run++) {
      const faults = {
        submit_errors: pick(3),
        submit_error_status: rng() < 0.5 ? 429 : 500,
        submit_error_accept: rng() < 0.5,
        fill_after_cancel: pick(3),
        fill_after_cancel_qty: rng() < 0.5 ? null : 50 + pick(200),
        duplicate_trade_updates: pick(20),
        reorder_trade_updates: pick(10),
        cancel_ack_delay_ms: rng() < 0.5 ? 0 : pick(3000),
      };
      const serve = await startE2eServe({ serve: { faults } });
      serves.push(serve);
      const config = liveConfig(serve.srv, { live: { amend, markout_collect_s: 0, reorder_wait_ms: 100 } });
      const out = mkdtempSync(join(tmpdir(), 'live-harsh-'));
      outs.push(out);
      const dropAtUs = A + Math.round(rng() * 50 * SEC);
      const result = await runLive({
        config,
        parents: parents(),
        outDir: out,
        keys: KEYS,
        onStarted: ({ clock }) => void clock.setTimer(dropAtUs, () => clock.track?.(serve.admin('POST', '/admin/drop-data-stream'))),
      });
      const what = `${amend} run ${run} ${JSON.stringify(faults)}`;
      expect(result.error, what).toBeNull();
      const book = (await serve.orders()).filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-`));
      for (const p of parents()) {
        const r = result.records.find((x) => x.clientOrderId === p.clientOrderId)!;
        const mine = book.filter((o) => o.client_order_id.startsWith(`ll-${result.runTag}-${p.clientOrderId}-`));
        const venueFilled = mine.reduce((s, o) => s + Number(o.filled_qty), 0);
        expect(venueFilled, `over-fill: ${what}`).toBeLessThanOrEqual(p.qty);
        expect(r.filledQty, `lost fill: ${what}`).toBe(venueFilled);
        // Child by child: the records are serve's book.
        expect(r.children.map((c) => [c.clientOrderId, c.filledQty]).sort(), what).toEqual(mine.map((o) => [o.client_order_id.slice(`ll-${result.runTag}-`.length), Number(o.filled_qty)]).sort());
        for (const c of r.children) expect(c.fills.reduce((s, f) => s + f.qty, 0), `${c.clientOrderId}: ${what}`).toBe(c.filledQty);
      }
      await serve.close();
      serves.pop();
    }
  }, 600_000);
});
