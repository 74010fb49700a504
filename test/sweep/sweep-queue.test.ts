/**
 * Distributed sweeps through Redis (BullMQ): `ladderlab worker` processes run the jobs (a batch
 * of cells × one symbol-day), one of them is SIGKILLed in the middle of a job, and the
 * coordinator still writes a sweep.arrow byte-identical to the local run; a second run takes
 * every result from Redis, and so does a resumed one (same batches, same job ids); a worker with
 * other data refuses; an unreachable Redis exits 2.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { writeSample } from '../../src/data/sample/sample.ts';
import { dirTapeSource } from '../../src/sim/backtest.ts';
import { contentHash, parseGridAxis } from '../../src/sweep/grid.ts';
import { batchJobId, batchToResult, cutBatches, resultToBatch } from '../../src/sweep/queue.ts';
import { runSweep, type SweepOptions } from '../../src/sweep/sweep.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const repo = resolve(import.meta.dirname, '../..');
const redis = await testRedis();
if (!redis) console.warn('sweep-queue: SKIPPED — no Redis at LADDERLAB_TEST_REDIS_URL and no redis-server binary (apt-get install redis-server; .ci/run does this)');

interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the first stderr line matching. */
  line: (re: RegExp) => Promise<string>;
  exit: Promise<number | null>;
}

function startWorker(url: string, queueName: string, dataDir: string, env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [join(repo, 'bin/ladderlab.mjs'), 'worker', '--queue', url, '--data', dataDir, '--queue-name', queueName, '--lock-ms', '1000'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  child.stderr!.on('data', (chunk) => {
    text += String(chunk);
    for (const w of [...waiters]) {
      const m = text.split('\n').find((l) => w.re.test(l));
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, stderr: () => text, exit, line: (re) => new Promise((res) => waiters.push({ re, resolve: res })) };
}

describe.skipIf(!redis)('sweeps on a Redis queue', () => {
  const server = redis as TestRedis;
  let dataDir: string;
  let options: Omit<SweepOptions, 'outDir'>;
  let local: Buffer;
  const workers: Spawned[] = [];
  const queueName = `ladderlab-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ladderlab-queue-data-'));
    writeSample(dataDir, { seed: 42 }); // three symbols on one day: three symbol-days
    const config = defaultConfig();
    options = {
      baseRaw: structuredClone(config) as unknown as Record<string, unknown>,
      dataDir,
      parents: generateParentOrders({ count: 90, seed: config.seed, orders: config.orders, tapes: dirTapeSource(dataDir).list() }),
      ordersSource: 'test',
      axes: [parseGridAxis('execution.step_percentage=5,15'), parseGridAxis('execution.progressive_steps=2,4,6')],
      baseline: {},
      workers: 2,
      resume: false,
      replicates: 100,
    };
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-queue-local-'));
    await runSweep({ ...options, outDir: out });
    local = readFileSync(join(out, 'sweep.arrow'));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await server?.stop();
  });

  it('2 worker processes, one SIGKILLed mid-job: the same sweep.arrow as the local run; a re-run takes the results from Redis', async () => {
    // The doomed worker takes the first job and hangs in it; only then does the survivor start
    // (else it could take all 9 jobs first), and the doomed one dies with the job locked.
    const doomed = startWorker(server.url, queueName, dataDir, { LADDERLAB_TEST_STALL_AFTER: '0' });
    workers.push(doomed);
    await doomed.line(/ready$/);
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-queue-run-'));
    let jobsTotal = 0;
    const sweep = runSweep({ ...options, outDir: out, queue: { url: server.url, name: queueName, batchSize: 3 }, onJobs: (_done, total) => (jobsTotal = total) });
    const stalled = (await doomed.line(/stalling in job/)).match(/job ([\w-]+)/)![1];
    const survivor = startWorker(server.url, queueName, dataDir);
    workers.push(survivor);
    await survivor.line(/ready$/);
    doomed.child.kill('SIGKILL');
    expect(await doomed.exit).toBeNull(); // killed by the signal

    const summary = await sweep;
    // 6 cells + the baseline in batches of 3 (3 + 3 + 1), × 3 symbol-days
    expect(jobsTotal).toBe(3 * 3);
    expect(summary.queueJobs).toBe(9);
    expect(summary.cellsRun).toBe(7);
    expect(readFileSync(join(out, 'sweep.arrow')).equals(local)).toBe(true);

    // The killed worker's job ran again elsewhere: BullMQ counted it stalled once.
    const connection = new Redis(server.url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection });
    const job = await Job.fromId(queue, stalled);
    expect(await job!.getState()).toBe('completed');
    expect(job!.stalledCounter).toBe(1);
    await queue.close();
    connection.disconnect();

    // Same sweep again, with no worker running: every job is already finished in Redis.
    survivor.child.kill('SIGTERM');
    expect(await survivor.exit).toBe(0);
    const again = mkdtempSync(join(tmpdir(), 'ladderlab-queue-again-'));
    const progress: [number, number][] = [];
    const rerun = await runSweep({ ...options, outDir: again, queue: { url: server.url, name: queueName, batchSize: 3 }, onJobs: (d, t) => progress.push([d, t]) });
    expect(rerun.queueJobs).toBe(9);
    expect(progress.at(-1)).toEqual([9, 9]);
    expect(readFileSync(join(again, 'sweep.arrow')).equals(local)).toBe(true);

    // --resume with 6 of the 7 cells in the journal: only the batch holding the 7th is enqueued
    // (3 jobs: its 3 symbol-days), with the ids of the first run, so Redis has its results.
    const resumed = mkdtempSync(join(tmpdir(), 'ladderlab-queue-resumed-'));
    cpSync(join(out, 'cells.jsonl'), join(resumed, 'cells.jsonl'));
    const lines = readFileSync(join(resumed, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(7);
    writeFileSync(join(resumed, 'cells.jsonl'), `${lines.slice(0, 6).join('\n')}\n`);
    const partial = await runSweep({ ...options, outDir: resumed, resume: true, queue: { url: server.url, name: queueName, batchSize: 3 } });
    expect([partial.cellsResumed, partial.cellsRun, partial.queueJobs]).toEqual([6, 1, 3]);
    expect(readFileSync(join(resumed, 'sweep.arrow')).equals(local)).toBe(true);

    // Another batch size cuts other batches: other job ids, nothing in Redis for them yet.
    const rebatched = mkdtempSync(join(tmpdir(), 'ladderlab-queue-rebatched-'));
    const pending = runSweep({ ...options, outDir: rebatched, queue: { url: server.url, name: queueName, batchSize: 4 }, onJobs: (d, t) => progress.push([d, t]) });
    const fresh = startWorker(server.url, queueName, dataDir);
    workers.push(fresh);
    expect((await pending).queueJobs).toBe(2 * 3); // 4 + 3 cells × 3 symbol-days
    expect(progress.at(-1)).toEqual([6, 6]);
    expect(fresh.stderr()).not.toMatch(/stopped/);
    fresh.child.kill('SIGTERM');
    expect(await fresh.exit).toBe(0);
    expect(fresh.stderr()).toMatch(/stopped after 6 jobs/);
    expect(readFileSync(join(rebatched, 'sweep.arrow')).equals(local)).toBe(true);
  }, 120_000);

  it('a worker whose data differs refuses the job (exit 2); a worker with the right data then runs it', async () => {
    const otherData = mkdtempSync(join(tmpdir(), 'ladderlab-queue-other-'));
    writeSample(otherData, { seed: 43 });
    const name = `${queueName}-fp`;
    const wrong = startWorker(server.url, name, otherData);
    workers.push(wrong);
    await wrong.line(/ready$/);
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-queue-fp-'));
    const sweep = runSweep({ ...options, outDir: out, queue: { url: server.url, name, batchSize: 3 } });
    expect(await wrong.exit).toBe(2);
    expect(wrong.stderr()).toMatch(/refusing job batch-[0-9a-f]{16}: the data in .* \(fingerprint \w+\) is not the sweep's \(\w+\)/);
    const right = startWorker(server.url, name, dataDir);
    workers.push(right);
    await sweep;
    expect(readFileSync(join(out, 'sweep.arrow')).equals(local)).toBe(true);
  }, 120_000);
});

describe('queue batches', () => {
  it('cut the cells in order into runs of K: 7 cells, K = 3 → 3 + 3 + 1', () => {
    expect(cutBatches([0, 1, 2, 3, 4, 5, 6], 3)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(cutBatches([0, 1, 2, 3, 4, 5], 3)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(cutBatches([0, 1, 2], 16)).toEqual([[0, 1, 2]]);
    expect(cutBatches([0, 1], 1)).toEqual([[0], [1]]);
    expect(() => cutBatches([0], 0)).toThrow(/queue batch size 0/);
  });

  it('job ids hash the configs (in order), the data fingerprint and the parents; never parse as an integer (BullMQ refuses those)', () => {
    const a = defaultConfig();
    const b = structuredClone(a);
    b.execution.step_percentage = 7;
    const parents: ParentOrder[] = [
      { clientOrderId: 'p1', symbol: 'X', side: 'buy', qty: 100, arrivalTsUs: 1_709_649_000_000_000 },
      { clientOrderId: 'p2', symbol: 'X', side: 'sell', qty: 300, arrivalTsUs: 1_709_649_060_000_000 },
    ];
    const data = { fingerprint: 'f', configs: [a, b], symbol: 'X', day: '2024-03-05', parents };
    const id = (d: typeof data) => batchJobId(d, contentHash(d.parents));
    expect(id(data)).toMatch(/^batch-[0-9a-f]{16}$/);
    expect(id({ ...data })).toBe(id(data));
    expect(id({ ...data, fingerprint: 'g' })).not.toBe(id(data));
    expect(id({ ...data, configs: [b, a] })).not.toBe(id(data));
    expect(id({ ...data, configs: [a] })).not.toBe(id(data));
    expect(id({ ...data, parents: parents.slice(1) })).not.toBe(id(data));
    expect(id({ ...data, parents: [{ ...parents[0], side: 'sell' }, parents[1]] })).not.toBe(id(data));
    expect(id({ ...data, symbol: 'Y' })).toBe(id(data)); // the parents say which symbol-day
  });

  it('a result carries every cell’s arrays exactly, NaN and -1 included, for buys and sells alike', () => {
    const cell = (filled: number, shortfall: number, step: number) => ({
      filledQty: Float64Array.of(filled, 0), // a filled buy, an unfilled sell
      shortfallBps: Float64Array.of(shortfall, NaN),
      vsFarTouchBps: Float64Array.of(-0.1 + shortfall, NaN),
      timeToFillMs: Float64Array.of(1234.5, NaN),
      fillStep: Int32Array.of(step, -1),
    });
    const outcomes = [cell(100, 1.0000000000000002, 0), cell(300, -2.5, 3), cell(50, 0.1 + 0.2, 1)];
    const result = JSON.parse(JSON.stringify(batchToResult(outcomes, 2)));
    expect([result.cells, result.parents]).toEqual([3, 2]);
    const back = resultToBatch(result, 3, 2);
    expect(back.map((o) => [...o.filledQty])).toEqual([[100, 0], [300, 0], [50, 0]]);
    expect(back.map((o) => [...o.shortfallBps])).toEqual([[1.0000000000000002, NaN], [-2.5, NaN], [0.30000000000000004, NaN]]);
    expect(back[1].vsFarTouchBps[0]).toBe(-2.6);
    expect(back.map((o) => [...o.fillStep])).toEqual([[0, -1], [3, -1], [1, -1]]);
    expect(back[2].timeToFillMs[0]).toBe(1234.5);
    expect(() => resultToBatch(result, 2, 2)).toThrow(/filledQty is not 2 cells × 2 parents/);
    expect(() => resultToBatch({ ...result, fillStep: 'AAA' }, 3, 2)).toThrow(/fillStep is not 3 cells × 2 parents/);
  });
});

describe('sweep --queue with Redis unreachable', () => {
  it('says so and exits 2', () => {
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-queue-down-'));
    const data = mkdtempSync(join(tmpdir(), 'ladderlab-queue-down-data-'));
    writeSample(data, { seed: 42 });
    // Port 1 on loopback: nothing listens there.
    const args = ['sweep', '--data', data, '--orders', '20', '--out', out, '--grid', 'execution.step_percentage=5,15', '--queue', 'redis://127.0.0.1:1'];
    const result = spawnSync(process.execPath, [join(repo, 'bin/ladderlab.mjs'), ...args], { cwd: out, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ladderlab: --queue redis:\/\/127\.0\.0\.1:1: cannot reach Redis \(connect ECONNREFUSED 127\.0\.0\.1:1\); is redis-server running there\?$/m);
    const worker = spawnSync(process.execPath, [join(repo, 'bin/ladderlab.mjs'), 'worker', '--queue', 'redis://127.0.0.1:1', '--data', data], { encoding: 'utf8' });
    expect(worker.status).toBe(2);
    expect(worker.stderr).toMatch(/cannot reach Redis \(connect ECONNREFUSED/);
    const batch = spawnSync(process.execPath, [join(repo, 'bin/ladderlab.mjs'), ...args, '--queue-batch', '0'], { cwd: out, encoding: 'utf8' });
    expect(batch.status).toBe(2);
    expect(batch.stderr).toMatch(/^ladderlab: --queue-batch 0: need a whole number of cells ≥ 1$/m);
  }, 60_000);
});
