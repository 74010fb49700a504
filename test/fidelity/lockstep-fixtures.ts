/**
 * An observed run made by the real thing: `serve` holds a hidden truth (its `sim` section) and
 * replays the sample market in lockstep; `live` trades generated parents through it over the
 * Alpaca protocol with its lockstep clock, and writes its run directory (records with receipt
 * times, feed.arrow, the tape it saw). Deterministic at any machine load (lockstep).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { regularSession } from '../../src/core/calendar.ts';
import { parseConfig } from '../../src/config.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { runLive } from '../../src/live/run.ts';
import { startServe } from '../../src/serve/server.ts';
import { SAMPLE_DAY } from '../../src/data/sample/symbols.ts';
import { sampleTape } from './fidelity-fixtures.ts';

const KEYS = { keyId: 'PKFIDELITYTEST', secret: 'fidelity-secret-3b1f' };
const SYMBOLS = ['PENNY', 'BLUE', 'WIDE'];

export interface LockstepRunOptions {
  root: string;
  name: string;
  /** serve's hidden `sim` section. */
  truthSim: Record<string, unknown>;
  seed: number;
  parents: number;
  /** Parents arrive evenly over this many minutes from 10:00 New York. */
  minutes: number;
}

/** Parents round-robin over the three symbols, both sides, 100–500 shares. */
export function lockstepParents(count: number, firstUs: number, minutes: number): ParentOrder[] {
  return Array.from({ length: count }, (_, i) => ({
    clientOrderId: `p${i}`,
    symbol: SYMBOLS[i % 3],
    side: Math.floor(i / 3) % 2 === 0 ? 'buy' : 'sell',
    qty: 100 * (1 + (i % 5)),
    arrivalTsUs: firstUs + Math.round((i * minutes * 60e6) / count),
  }));
}

export async function writeLockstepRun(options: LockstepRunOptions): Promise<string> {
  const tapeDir = sampleTape(options.root);
  const startUs = regularSession(SAMPLE_DAY).openUs + 30 * 60e6;
  const serveConfig = parseConfig({ seed: options.seed, sim: options.truthSim, serve: { speed: 'lockstep', cash: 1e9 } }, 'truth');
  const srv = await startServe({ dir: tapeDir, config: serveConfig, keys: KEYS, port: 0, startUs, day: SAMPLE_DAY });
  try {
    const config = parseConfig({
      seed: options.seed,
      live: {
        trading_url: srv.baseUrl,
        data_url: srv.baseUrl,
        clock: 'lockstep',
        speed: 1,
        markout_collect_s: 0,
        retry: { attempts: 5, min_delay_ms: 10, max_delay_ms: 50 },
        stream_reconnect_ms: 20,
        shutdown_wait_ms: 3000,
      },
    });
    const outDir = join(mkdtempSync(join(options.root, `${options.name}-`)), 'run');
    const result = await runLive({ config, parents: lockstepParents(options.parents, startUs + 60e6, options.minutes), outDir, keys: KEYS, log: () => {} });
    if (result.error !== null) throw new Error(`live run failed: ${String(result.error)}`);
    return outDir;
  } finally {
    await srv.close();
  }
}
