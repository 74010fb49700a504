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
  return { dir, config };
}
