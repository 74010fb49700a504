/**
 * Distributed sweeps through Redis (BullMQ): `ladderlab worker` processes run the jobs (one cell
 * × one symbol-day), one of them is SIGKILLed in the middle of a job, and the coordinator still
 * writes a sweep.arrow byte-identical to the local run; a second run takes every result from
 * Redis; a worker with other data refuses; an unreachable Redis exits 2.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { writeSample } from '../../src/data/sample/sample.ts';
import { dirTapeSource } from '../../src/sim/backtest.ts';
import { parseGridAxis } from '../../src/sweep/grid.ts';
import { partJobId } from '../../src/sweep/queue.ts';
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
    const doomed = startWorker(server.url, queueName, dataDir, { LADDERLAB_TEST_STALL_AFTER: '0' });
    const survivor = startWorker(server.url, queueName, dataDir);
    workers.push(doomed, survivor);
    await Promise.all([doomed.line(/ready$/), survivor.line(/ready$/)]);

    const out = mkdtempSync(join(tmpdir(), 'ladderlab-queue-run-'));
    let jobsTotal = 0;
    const sweep = runSweep({ ...options, outDir: out, queue: { url: server.url, name: queueName }, onJobs: (_done, total) => (jobsTotal = total) });
    const stalled = (await doomed.line(/stalling in job/)).match(/job ([\w-]+)/)![1];
    doomed.child.kill('SIGKILL');
    expect(await doomed.exit).toBeNull(); // killed by the signal

    const summary = await sweep;
    expect(jobsTotal).toBe(7 * 3); // 6 cells + the baseline, × 3 symbol-days
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
    await runSweep({ ...options, outDir: again, queue: { url: server.url, name: queueName } });
    expect(readFileSync(join(again, 'sweep.arrow')).equals(local)).toBe(true);
  }, 120_000);

  it('a worker whose data differs refuses the job (exit 2); a worker with the right data then runs it', async () => {
    const otherData = mkdtempSync(join(tmpdir(), 'ladderlab-queue-other-'));
    writeSample(otherData, { seed: 43 });
    const name = `${queueName}-fp`;
    const wrong = startWorker(server.url, name, otherData);
    workers.push(wrong);
    await wrong.line(/ready$/);
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-queue-fp-'));
    const sweep = runSweep({ ...options, outDir: out, queue: { url: server.url, name } });
    expect(await wrong.exit).toBe(2);
    expect(wrong.stderr()).toMatch(/refusing job part-[0-9a-f]{16}: the data in .* \(fingerprint \w+\) is not the sweep's \(\w+\)/);
    const right = startWorker(server.url, name, dataDir);
    workers.push(right);
    await sweep;
    expect(readFileSync(join(out, 'sweep.arrow')).equals(local)).toBe(true);
  }, 120_000);
});

describe('queue job ids', () => {
  it('hash the config, the data fingerprint and the parents; never parse as an integer (BullMQ refuses those)', () => {
    const config = defaultConfig();
    const data = { fingerprint: 'f', config, symbol: 'X', day: '2024-03-05', parents: [] };
    expect(partJobId(data)).toMatch(/^part-[0-9a-f]{16}$/);
    expect(partJobId({ ...data, fingerprint: 'g' })).not.toBe(partJobId(data));
    expect(partJobId({ ...data, symbol: 'Y' })).toBe(partJobId(data)); // the parents say which symbol-day
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
  }, 60_000);
});
