/**
 * Sweep workers: child processes and worker threads give byte-identical results; the compiled
 * CLI (dist/, workers from sweep-worker.js) writes the same sweep.arrow as the TypeScript sources;
 * a cell that fails in a worker fails the sweep with its name instead of hanging.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { defaultConfig } from '../../src/config.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { writeSample } from '../../src/data/sample/sample.ts';
import { dirTapeSource } from '../../src/sim/backtest.ts';
import { parseGridAxis } from '../../src/sweep/grid.ts';
import type { WorkerKind } from '../../src/sweep/pool.ts';
import { runSweep } from '../../src/sweep/sweep.ts';

const repo = resolve(import.meta.dirname, '../..');
const GRID = ['execution.step_percentage=5,15', 'execution.progressive_steps=2,4,6'];

describe('sweep workers', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-workers-'));
    writeSample(dataDir, { seed: 42 });
  });
  const sweep = async (workers: number, kind: WorkerKind, data = dataDir) => {
    const config = defaultConfig();
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-kind-'));
    const parents = generateParentOrders({ count: 80, seed: config.seed, orders: config.orders, tapes: dirTapeSource(dataDir).list() });
    const summary = await runSweep({
      baseRaw: structuredClone(config) as unknown as Record<string, unknown>,
      dataDir: data,
      parents,
      ordersSource: 'test',
      axes: GRID.map(parseGridAxis),
      baseline: {},
      outDir: out,
      workers,
      workerKind: kind,
      resume: false,
      replicates: 100,
    });
    // The cell phase's CPU is this process's: known with threads, not with child processes.
    const cpuS = summary.timings.cellPhaseCpuS;
    if (kind === 'thread') expect(cpuS).toBeGreaterThan(0);
    else expect(cpuS).toBeNaN();
    return readFileSync(join(out, 'sweep.arrow'));
  };

  it('processes and threads, 1 or 2 of them: the same bytes', async () => {
    const reference = await sweep(1, 'thread');
    expect((await sweep(2, 'thread')).equals(reference)).toBe(true);
    expect((await sweep(2, 'process')).equals(reference)).toBe(true);
  }, 120_000);

  it('the compiled CLI and the TypeScript sources write the same sweep.arrow', () => {
    const run = (fromSource: boolean) => {
      const out = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-cli-'));
      const args = ['sweep', '--data', dataDir, '--orders', '60', '--out', out, '--workers', '2', '--replicates', '50', ...GRID.flatMap((g) => ['--grid', g])];
      const result = spawnSync(process.execPath, [join(repo, 'bin/ladderlab.mjs'), ...args], {
        cwd: out,
        encoding: 'utf8',
        env: { ...process.env, LADDERLAB_FROM_SOURCE: fromSource ? '1' : '' },
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^sweep: 6 cells × \d+ parents \(7 run, 0 resumed/);
      expect(result.stdout).toMatch(/time: workers ready [\d.]+ s, cells \(run and analyzed\) [\d.]+ s on [\d.]+ CPU-s \([\d.]+ cores\), total [\d.]+ s/);
      return readFileSync(join(out, 'sweep.arrow'));
    };
    expect(run(false).equals(run(true))).toBe(true);
  }, 120_000);

  it('a cell failing in a worker fails the sweep, naming the cell', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-broken-'));
    writeSample(broken, { seed: 42 });
    const [first] = dirTapeSource(broken).list();
    writeFileSync(join(broken, first.symbol, `${first.day}.quotes.arrow`), 'not an arrow file');
    // Whichever cell reaches the bad tape first names itself (two workers race); the error is the
    // user's input, so it is an InputError naming the file, with no stack trace in its message.
    const failure = await sweep(2, 'process', broken).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(InputError);
    const message = (failure as Error).message;
    expect(message).toMatch(new RegExp(`^sweep worker: cell .+: .*${first.symbol}/${first.day}\\.quotes\\.arrow: not an Arrow IPC file`));
    expect(message).not.toMatch(/\n\s+at /);
  }, 60_000);
});
