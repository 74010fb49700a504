/**
 * The simulator on real vendor ticks (IBM 2013-10-07 in ../shared/data/equity-ticks, ingested to a
 * temp tape): the invariants hold on a real day for every fill model, and the runs are reproducible.
 * Skipped with a message when the licensed data is not next to the checkout.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { dirTapeSource, runBacktest } from '../../src/sim/backtest.ts';
import { ingest } from '../../src/data/ingest/ingest.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { recordsToArrow } from '../../src/records/write.ts';

const dataDir = resolve('../shared/data/equity-ticks');
const present = existsSync(join(dataDir, 'ibm_20131007_quote.zip'));
if (!present) console.warn(`skipping backtest-real: ${dataDir} not found (licensed vendor data lives outside the repo)`);

describe.skipIf(!present)('backtest on IBM 2013-10-07 (real ticks)', () => {
  const tapeDir = mkdtempSync(join(tmpdir(), 'ladderlab-ibm-'));
  beforeAll(async () => {
    await ingest({ format: 'vendor', quotes: [join(dataDir, 'ibm_20131007_quote.zip')], trades: [join(dataDir, 'ibm_20131007_trade.zip')], out: tapeDir });
  }, 60_000);
  afterAll(() => rmSync(tapeDir, { recursive: true, force: true }));

  for (const fillModel of ['through', 'touch', 'queue'] as const) {
    it(`${fillModel}: 300 generated parents end filled or with a reason, never over-filled or beyond a limit`, () => {
      const config = parseConfig({ seed: 1, sim: { fill_model: fillModel, latency: { entry: { ms: 2 }, response: { ms: 2 }, cancel: { ms: 2 } } } });
      const source = dirTapeSource(tapeDir);
      const parents = generateParentOrders({ count: 300, seed: 1, orders: config.orders, tapes: source.list() });
      const { records, market } = runBacktest({ config, tapes: source, parents });
      expect(records).toHaveLength(300);
      expect(market.quoteEvents).toBeLessThan(45_589 * 0.9); // skips between windows: never the whole day per parent
      let withFills = 0;
      for (const r of records) {
        expect(r.filledQty).toBeLessThanOrEqual(r.qty);
        if (r.status !== 'filled') expect(r.reason).not.toBeNull();
        if (r.filledQty > 0) withFills++;
        for (const c of r.children) {
          for (const f of c.fills) {
            if (r.side === 'buy') expect(f.price).toBeLessThanOrEqual(c.limitPrice + 1e-9);
            else expect(f.price).toBeGreaterThanOrEqual(c.limitPrice - 1e-9);
          }
        }
      }
      expect(withFills).toBeGreaterThan(100);
      const again = runBacktest({ config, tapes: dirTapeSource(tapeDir), parents }).records;
      expect(Buffer.from(recordsToArrow(again)).equals(Buffer.from(recordsToArrow(records)))).toBe(true);
    });
  }
});
