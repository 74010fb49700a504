/**
 * Sweep throughput: cells per second on the generated sample market with 1 and 2 worker
 * threads, and the speed-up of 2 over 1, in one run (same cells, same parents). Wall time
 * includes each worker's start (tsx registration and module load, about a second), which is
 * why small sweeps gain little from a second worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config.ts';
import { dirTapeSource } from '../../src/sim/backtest.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { writeSample } from '../../src/data/sample/sample.ts';
import { parseGridAxis } from '../../src/sweep/grid.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import type { BenchLine } from './harness.ts';

export async function run(): Promise<BenchLine[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ladderlab-bench-sweep-'));
  try {
    // Five sample days (15 symbol-days) and 2000 parents: cells heavy enough that the workers'
    // start (about a second each) does not hide the parallel speed-up.
    const days = ['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14'];
    days.forEach((day, i) => writeSample(dataDir, { seed: 42 + i, day }));
    const config = defaultConfig();
    const parents = generateParentOrders({ count: 2000, seed: 42, orders: config.orders, tapes: dirTapeSource(dataDir).list() });
    const axes = [parseGridAxis('execution.step_percentage=5,7.5,10,12.5,15,20'), parseGridAxis('execution.step_timeout_buy=5,10,15,20,30,45'), parseGridAxis('execution.progressive_steps=2,4')];
    const cells = axes.reduce((n, a) => n * a.values.length, 1);
    const time = async (workers: number) => {
      const out = mkdtempSync(join(tmpdir(), 'ladderlab-bench-sweep-out-'));
      const start = performance.now();
      await runSweep({ baseRaw: structuredClone(config) as unknown as Record<string, unknown>, dataDir, parents, ordersSource: 'bench', axes, baseline: {}, outDir: out, workers, resume: false, replicates: 0 });
      const seconds = (performance.now() - start) / 1000;
      rmSync(out, { recursive: true, force: true });
      return seconds;
    };
    await time(1); // warm the file cache and tsx's transform cache
    const one = await time(1);
    const two = await time(2);
    return [
      { name: `sweep cells/s, 1 worker (${cells} cells × ${parents.length} parents, ${days.length} days)`, value: cells / one, unit: 'cells/s' },
      { name: 'sweep cells/s, 2 workers', value: cells / two, unit: 'cells/s' },
      { name: 'sweep speed-up, 2 workers over 1', value: one / two, unit: '×' },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
