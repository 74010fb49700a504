/**
 * Sweep: 1,000 cells × 200 parents on the real IBM day (`../shared`, ingested once into a temp
 * dir), default bootstrap replicates, through the compiled CLI as a user runs it. Per round:
 * 1 and 2 worker threads, the default (whole command and cell phase, paired ratios), two
 * independent 1-thread sweeps at once (the machine's own 2-way ceiling), 2 worker processes
 * (threads vs processes), and — when redis-server is installed — the same grid on a private
 * Redis with 1 and 2 `ladderlab worker` processes (cell phase, fresh queue each run, so nothing
 * is resumed, default --queue-batch) and the queue's overhead: per cell = (queue phase with 1
 * worker − local cell phase with 1 worker and 0 replicates, minus its workers' start) / 1,000 cells;
 * per job = (the same cells as 1,000 one-cell jobs − as the default batches) / the jobs added —
 * the same work cut finer, so the difference is what a job itself costs (32 jobs alone spread a
 * run's ±10 % noise over too few jobs: ±15 ms a job). Plus CLI start and worker start, and the
 * cores a 1- and a 2-thread sweep keep busy (process CPU over wall, the sweep's own `time:` line):
 * one worker thread keeps more than one core busy — the JIT compiles on helper threads, which
 * each worker isolate pays again — so cores / that is the most 2 workers could give here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REAL_IBM_QUOTES, REAL_IBM_TRADES } from '../../src/data/sample/real-ibm.ts';
import { timeSeconds, type BenchCase, type BenchSection } from './harness.ts';

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin/ladderlab.mjs');
const GRID = [
  'execution.step_percentage=2,4,6,8,10,12,14,16,18,20',
  'execution.step_timeout_buy=3,6,9,12,15,20,25,30,40,60',
  'execution.progressive_steps=1,2,3,4,5,6,7,8,9,10',
];
const GRID_CELLS = 1000; // 1,000 distinct configs (the baseline is one of them) × 1 symbol-day

function cli(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`ladderlab ${args[0]} exited ${code}: ${err.slice(-500)}`))));
  });
}

function seconds(stdout: string, re: RegExp): number {
  const m = re.exec(stdout);
  if (!m) throw new Error(`bench sweep: no ${re} in the sweep's output`);
  return Number(m[1]);
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export async function section(): Promise<BenchSection> {
  if (!existsSync(REAL_IBM_QUOTES)) {
    process.stderr.write('bench sweep: SKIPPED — ../shared/data/equity-ticks (the IBM day) not found\n');
    return { cases: [] };
  }
  const root = mkdtempSync(join(tmpdir(), 'ladderlab-bench-sweep-'));
  const data = join(root, 'tape');
  await cli(['ingest', '--format', 'vendor', '--out', data, '--quotes', REAL_IBM_QUOTES, '--trades', REAL_IBM_TRADES]);
  let runs = 0;
  const sweep = (extra: string[]) => cli(['sweep', '--data', data, '--orders', '200', '--out', join(root, `out-${runs++}`), ...GRID.flatMap((g) => ['--grid', g]), ...extra]);

  const last: Record<string, string> = {};
  /** A whole-command case that keeps its output for the cases reading its phases. */
  const whole = (name: string, extra: string[]): BenchCase => ({
    name,
    unit: 's',
    warmup: false,
    measure: () => timeSeconds(async () => (last[name] = await sweep(extra))),
  });
  const phase = (name: string, of: string, re: RegExp, unit = 's'): BenchCase => ({ name, unit, warmup: false, measure: () => seconds(last[of], re) });
  const CELLS = /cells \(run and analyzed\) ([\d.]+) s/;
  const READY = /workers ready ([\d.]+) s/;
  const CORES = /CPU-s \(([\d.]+) cores\)/;
  const QUEUE = /queue: cells run by the queue's workers in ([\d.]+) s/;
  const QUEUE_JOBS = /queue: cells run by the queue's workers in [\d.]+ s \((\d+) jobs\)/;

  // Gated on the default worker kind (threads, sweep/sweep.ts DEFAULT_WORKER_KIND); processes beside them.
  const cases: BenchCase[] = [
    { name: 'ladderlab --help', unit: 's', measure: () => timeSeconds(() => cli(['--help'])) },
    whole('sweep, 1 thread, whole command', ['--workers', '1', '--worker-kind', 'thread']),
    phase('sweep, 1 thread, cell phase', 'sweep, 1 thread, whole command', CELLS),
    whole('sweep, 2 threads, whole command', ['--workers', '2', '--worker-kind', 'thread']),
    phase('sweep, 2 threads, cell phase', 'sweep, 2 threads, whole command', CELLS),
    phase('sweep, 2 threads, workers ready', 'sweep, 2 threads, whole command', READY),
    // Process CPU over the cell phase's wall time: cores kept busy by the worker threads AND the
    // JIT's and GC's helper threads and the main thread. One worker already keeps more than one
    // core busy, and the 2-core ceiling below counts it.
    phase('sweep, 1 thread, cores busy in the cell phase', 'sweep, 1 thread, whole command', CORES, 'cores'),
    phase('sweep, 2 threads, cores busy in the cell phase', 'sweep, 2 threads, whole command', CORES, 'cores'),
    {
      // The most any number of workers could gain over one here, were nothing slower when every core is busy.
      name: `CPU ceiling: ${availableParallelism()} cores / cores busy with 1 thread (cell phase)`,
      unit: '×',
      warmup: false,
      measure: () => availableParallelism() / seconds(last['sweep, 1 thread, whole command'], CORES),
    },
    {
      // Two independent 1-thread sweeps at once: what this machine gives two copies of the work
      // (no shared state at all) — the ceiling any 2-worker speed-up here is measured against.
      name: 'two 1-thread sweeps at once, cell phase (mean of the two)',
      unit: 's',
      warmup: false,
      measure: async () => {
        const outs = await Promise.all([sweep(['--workers', '1', '--worker-kind', 'thread']), sweep(['--workers', '1', '--worker-kind', 'thread'])]);
        return (seconds(outs[0], CELLS) + seconds(outs[1], CELLS)) / 2;
      },
    },
    whole('sweep, 2 processes, whole command', ['--workers', '2', '--worker-kind', 'process']),
    phase('sweep, 2 processes, cell phase', 'sweep, 2 processes, whole command', CELLS),
    phase('sweep, 2 processes, workers ready', 'sweep, 2 processes, whole command', READY),
  ];
  const ratios: BenchSection['ratios'] = [
    { name: 'sweep speed-up 2 threads / 1, whole command', numerator: 'sweep, 1 thread, whole command', denominator: 'sweep, 2 threads, whole command', atLeast: 1.6 },
    { name: 'sweep speed-up 2 threads / 1, cell phase', numerator: 'sweep, 1 thread, cell phase', denominator: 'sweep, 2 threads, cell phase', atLeast: 1.7 },
    // 2 × (one alone) / (each of two at once): 2.0 when two copies run as fast as one alone.
    { name: 'machine ceiling: two independent sweeps at once vs one alone, cell phase', numerator: 'sweep, 1 thread, cell phase', denominator: 'two 1-thread sweeps at once, cell phase (mean of the two)', scale: 2 },
    { name: 'sweep 2 processes / 2 threads, cell phase (> 1: threads faster)', numerator: 'sweep, 2 processes, cell phase', denominator: 'sweep, 2 threads, cell phase' },
  ];
  const gates: BenchSection['gates'] = [
    { caseName: 'sweep, 2 threads, whole command', atMost: 20 },
    { caseName: 'ladderlab --help', atMost: 0.4 },
    { caseName: 'sweep, 2 threads, workers ready', atMost: 0.15 },
  ];

  let redis: ChildProcess | null = null;
  if (spawnSync('redis-server', ['--version']).status === 0) {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', join(root, 'redis.log')], { stdio: 'ignore' });
    const server = redis;
    process.once('exit', () => server.kill()); // also when a case throws before the teardown
    redis.once('exit', (code, signal) => process.stderr.write(`bench sweep: redis-server exited (${code ?? signal}); see ${join(root, 'redis.log')}\n`));
    const url = `redis://127.0.0.1:${port}`;
    let queues = 0;
    const onQueue = async (workers: number, extra: string[] = []) => {
      const name = `bench-${process.pid}-${queues++}`; // fresh queue: every job runs
      const started = Array.from({ length: workers }, () => spawn(process.execPath, [bin, 'worker', '--queue', url, '--data', data, '--queue-name', name], { stdio: ['ignore', 'ignore', 'pipe'] }));
      await Promise.all(
        started.map(
          (w) =>
            new Promise<void>((ok, fail) => {
              let text = '';
              w.stderr!.on('data', (c) => ((text += String(c)), text.includes('ready') && ok()));
              w.once('exit', (code) => fail(new Error(`bench sweep: a queue worker exited (${code}) before it was ready: ${text}`)));
            }),
        ),
      );
      try {
        return await sweep(['--queue', url, '--queue-name', name, ...extra]);
      } finally {
        await Promise.all(started.map((w) => new Promise((ok) => (w.once('exit', ok), w.kill('SIGTERM')))));
      }
    };
    const BATCHED = 'sweep on the queue, 1 worker, cell phase';
    const ONE_CELL_JOBS = 'sweep on the queue, 1 worker, one cell a job';
    /** The queue's extra time over running the same cells locally in one worker, s. */
    const queueExtraS = () => {
      const local = seconds(last['sweep, 1 process, 0 replicates'], CELLS) - seconds(last['sweep, 1 process, 0 replicates'], READY);
      return seconds(last[BATCHED], QUEUE) - local;
    };
    const queueCase = (name: string, workers: number, extra: string[] = []): BenchCase => ({ name, unit: 's', warmup: false, measure: async () => seconds((last[name] = await onQueue(workers, extra)), QUEUE) });
    /** Extra time of the one-cell jobs over the batches, per job added, ms. */
    const perJobMs = () => {
      const addedJobs = seconds(last[ONE_CELL_JOBS], QUEUE_JOBS) - seconds(last[BATCHED], QUEUE_JOBS);
      return ((seconds(last[ONE_CELL_JOBS], QUEUE) - seconds(last[BATCHED], QUEUE)) / addedJobs) * 1000;
    };
    cases.push(
      whole('sweep, 1 process, 0 replicates', ['--workers', '1', '--worker-kind', 'process', '--replicates', '0']),
      queueCase(BATCHED, 1),
      queueCase(ONE_CELL_JOBS, 1, ['--queue-batch', '1']),
      queueCase('sweep on the queue, 2 workers, cell phase', 2),
      { name: 'queue overhead per job (one-cell jobs − batches) / jobs added', unit: 'ms', warmup: false, measure: perJobMs },
      { name: 'queue overhead per cell (queue − local, 1 worker)', unit: 'ms', warmup: false, measure: () => (queueExtraS() / GRID_CELLS) * 1000 },
      { name: 'queue jobs (batches × symbol-day)', unit: 'jobs', warmup: false, measure: () => seconds(last[BATCHED], QUEUE_JOBS) },
    );
    ratios.push({ name: 'queue speed-up 2 workers / 1, cell phase', numerator: 'sweep on the queue, 1 worker, cell phase', denominator: 'sweep on the queue, 2 workers, cell phase', atLeast: 1.7 });
    gates.push({ caseName: 'queue overhead per job (one-cell jobs − batches) / jobs added', atMost: 5 });
  } else {
    process.stderr.write('bench sweep: queue cases SKIPPED — redis-server not installed\n');
  }
  // Warm the file cache and the compiled build once (the heavy cases skip the harness's warm-up).
  await sweep(['--workers', '2', '--replicates', '0']);
  return {
    cases,
    ratios,
    gates,
    teardown: () => {
      redis?.removeAllListeners('exit'); // stopped on purpose: not worth a message
      redis?.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
