/**
 * Observed runs for the fidelity tests, made without a venue: the sample market, parents generated
 * from a seed, and a backtest under a hidden "truth" configuration written as a run directory —
 * the stand-in for a live run (same files, same receipt times) until live runs through serve in lockstep.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type LadderConfig } from '../../src/config.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { writeSample } from '../../src/data/sample/sample.ts';
import { listTapes } from '../../src/data/tape/tape.ts';
import { dirTapeSource, runBacktest } from '../../src/sim/backtest.ts';
import { ladderlabVersion, writeRunDir } from '../../src/records/write.ts';
import { FEED_RECEIPTS_FILE, FeedReceipts } from '../../src/records/feed-receipts.ts';
import { writeFileAtomic } from '../../src/core/atomic-write.ts';
import { loadSymbolDay } from '../../src/data/tape/tape.ts';
import { makeRng } from '../../src/core/rng.ts';
import { LatencyChannel } from '../../src/sim/latency.ts';
import { nyDay } from '../../src/core/calendar.ts';
import type { ExecutionRecord } from '../../src/engine/types.ts';

const tapeDirs = new Map<string, string>();

/** The sample market (seed 42) written once per temp root. */
export function sampleTape(root: string): string {
  let dir = tapeDirs.get(root);
  if (!dir) {
    dir = join(root, 'tape');
    mkdirSync(dir, { recursive: true });
    writeSample(dir);
    tapeDirs.set(root, dir);
  }
  return dir;
}

export interface ObservedRunOptions {
  root: string;
  name: string;
  truth: Record<string, unknown>;
  parents: number;
  /** Parents' seed (generation), separate from the truth's own seed. */
  ordersSeed?: number;
}

export function writeObservedRun(options: ObservedRunOptions): { dir: string; config: LadderConfig } {
  const tapeDir = sampleTape(options.root);
  const config = parseConfig(options.truth, 'truth');
  const parents = generateParentOrders({ count: options.parents, seed: options.ordersSeed ?? 7, orders: config.orders, tapes: listTapes(tapeDir) });
  const result = runBacktest({ config, tapes: dirTapeSource(tapeDir), parents });
  const dir = join(options.root, options.name);
  writeRunDir(dir, {
    records: result.records,
    manifest: { ladderlab: ladderlabVersion(), command: 'backtest', dataDir: tapeDir, seed: config.seed, config },
  });
  writeFileAtomic(join(dir, FEED_RECEIPTS_FILE), feedReceipts(tapeDir, result.records, config).toArrow());
  return { dir, config };
}

/**
 * What live's feed.arrow would hold: each quote of the tape while a parent works (±5 s), received
 * after the truth's feed latency — drawn by the simulator's own channel (sim/latency.ts: sampled,
 * never overtaking), the model calibrate fits.
 */
function feedReceipts(tapeDir: string, records: readonly ExecutionRecord[], config: LadderConfig): FeedReceipts {
  const receipts = new FeedReceipts();
  const bySymbol = new Map<string, [number, number][]>();
  for (const r of records) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), [r.arrivalTsUs - 5e6, r.endTsUs + 5e6]]);
  for (const [symbol, windows] of [...bySymbol].sort()) {
    // one channel per symbol, as SimMarket keeps the feed's order per book
    const channel = new LatencyChannel(config.sim.latency.feed, makeRng(config.seed, `fixture:feed:${symbol}`));
    const tape = loadSymbolDay(tapeDir, symbol, nyDay(windows[0][0]));
    const q = tape.quotes;
    for (let i = 0; i < q.length; i++) {
      if (windows.some(([a, b]) => q.ts[i] >= a && q.ts[i] <= b)) receipts.add(symbol, q.ts[i], channel.deliver(q.ts[i]));
    }
  }
  return receipts;
}
