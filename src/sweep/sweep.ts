/**
 * `ladderlab sweep` as a library function: the grid's cells (plus the baseline cell) run on the
 * SAME prescreened parents with the same seed (common random numbers), in worker threads; each
 * finished cell is appended to OUT/cells.jsonl (sweep/cell-journal.ts) so `resume` skips it; the
 * analysis and sweep.arrow are rebuilt from the saved cells, so a resumed sweep writes
 * byte-identical results.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { nyDay, regularSession } from '../core/calendar.ts';
import { prescreenParents } from '../engine/prescreen.ts';
import type { ParentOrder, RejectReason } from '../engine/types.ts';
import { rankCells, type SweepRow } from './analysis.ts';
import { CellJournal } from './cell-journal.ts';
import { writeFilesAtomic } from '../core/atomic-write.ts';
import { listTapes } from '../data/tape/tape.ts';
import { cellConfig, contentHash, expandGrid, type GridAxis } from './grid.ts';
import { SweepPool, type WorkerKind } from './pool.ts';
import type { CellJob, CellOutcome, WorkerInit } from './protocol.ts';
import { sweepToArrow } from '../records/sweep-results.ts';

export interface SweepOptions {
  baseRaw: Record<string, unknown>;
  dataDir: string;
  parents: readonly ParentOrder[];
  /** Where the parents came from (for the manifest). */
  ordersSource: string;
  axes: readonly GridAxis[];
  /** Assignments of the baseline cell; {} = the base config (the seed defaults unless it changes them). */
  baseline: Record<string, string | number | boolean>;
  outDir: string;
  workers: number;
  /** Run the cells on a BullMQ queue (sweep/queue-coordinator.ts) instead; the workers then only analyze. */
  queue?: QueueTarget;
  /** --queue: queue jobs (a batch of cells × symbol-day) finished, of all. */
  onJobs?: (done: number, total: number) => void;
  /** Child processes or worker threads (default DEFAULT_WORKER_KIND). */
  workerKind?: WorkerKind;
  resume: boolean;
  /** Bootstrap replicates for the paired-difference intervals. */
  replicates: number;
  onProgress?: (done: number, total: number, cell: CellOutcome | null) => void;
}

export interface SweepSummary {
  rows: SweepRow[];
  parents: number;
  prescreenRejected: { clientOrderId: string; reason: RejectReason }[];
  cellsRun: number;
  /** Wall times, seconds: workers started and ready; the cell phase (cells run and analyzed); the whole call. */
  timings: {
    workersReadyS: number;
    cellPhaseS: number;
    /**
     * CPU time of this process over the cell phase, all its threads (worker threads, the JIT's and
     * GC's helpers); NaN with child-process workers, whose CPU is their own.
     */
    cellPhaseCpuS: number;
    totalS: number;
    /** --queue: cells run by queue workers (then analyzed here). */
    queueS: number;
  };
  cellsResumed: number;
  /** --queue: the sweep's jobs (batch × symbol-day), run now or taken from Redis; 0 without --queue. */
  queueJobs: number;
  files: Record<string, string>;
}

/** --queue: where the cells run, and how many cells make one job. */
export interface QueueTarget {
  url: string;
  name: string;
  batchSize: number;
}

export const BASELINE_INDEX = -1;

/**
 * Worker threads: on this (shared, 2-core) machine, IBM day, 1,000 cells × 200 parents, 2 workers,
 * `npm run bench` gave threads a 2.19 s cell phase against 2.32 s for child processes (medians; the
 * rounds overlap), and workers ready in 0.09 s against 0.14 s, since a worker became one bundle that
 * never loads apache-arrow (importing it was most of a worker's start; before the build bundled its
 * dependencies, processes measured faster). README "Sweeps".
 */
export const DEFAULT_WORKER_KIND: WorkerKind = 'thread';

export function defaultWorkers(): number {
  return availableParallelism();
}

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const startMs = performance.now();
  const cells = expandGrid(options.baseRaw, options.axes);
  const baselineConfig = cellConfig(options.baseRaw, options.baseline);
  const baselineId = `baseline (${Object.keys(options.baseline).length ? Object.entries(options.baseline).map(([k, v]) => `${k}=${v}`).join(' ') : 'the config as given'})`;

  const screen = prescreenParents(options.parents, [baselineConfig, ...cells.map((c) => c.config)], { sessionCloseUs: sessionCloseOf });
  const parents = screen.accepted;
  const tapes = listTapes(options.dataDir);
  const inputsHash = contentHash({ parents, tapes, seed: baselineConfig.seed });

  const jobs: SavedJob[] = [{ index: BASELINE_INDEX, id: baselineId, assignments: options.baseline, config: baselineConfig }, ...cells]
    .map((cell) => ({ index: cell.index, id: cell.id, assignments: cell.assignments, config: cell.config }))
    .map((job) => ({ ...job, key: contentHash({ config: job.config, inputsHash }) }));

  mkdirSync(options.outDir, { recursive: true });
  const journal = new CellJournal(join(options.outDir, 'cells.jsonl'), options.resume);
  const outcomes = new Map<number, CellOutcome>();
  let resumed = 0;
  for (const job of jobs) {
    const saved = journal.saved.get(job.key);
    if (!saved) continue;
    outcomes.set(job.index, { ...saved, index: job.index, id: job.id, wallMs: 0 });
    resumed++;
  }
  let queued = { cellsRun: 0, seconds: NaN, jobs: 0 };
  let ran: Awaited<ReturnType<typeof runAndAnalyze>>;
  try {
    if (options.queue) queued = await runOnQueue(jobs, outcomes, journal, parents, options.queue, options);
    const arrivalMinute = Float64Array.from(parents, (p) => Math.floor(p.arrivalTsUs / 60e6));
    ran = await runAndAnalyze(jobs, outcomes, journal, {
      ...options,
      init: { dataDir: options.dataDir, parents: [...parents], seed: baselineConfig.seed, replicates: options.replicates, arrivalMinute },
    });
  } finally {
    journal.close();
  }
  const { rows, cellsRun, workersReadyS, cellPhaseS, cellPhaseCpuS } = ran;
  const manifest = {
    grid: options.axes,
    baseline: { id: baselineId, assignments: options.baseline },
    dataDir: options.dataDir,
    ordersSource: options.ordersSource,
    seed: baselineConfig.seed,
    parents: parents.length,
    prescreenRejected: screen.rejected.map((r) => ({ clientOrderId: r.parent.clientOrderId, reason: r.reason })),
    replicates: options.replicates,
    ranking: 'cells ranked on even-numbered parents by the mean paired shortfall difference vs the baseline; figures reported on odd-numbered parents',
    best: bestCell(rows),
    baseConfig: options.baseRaw,
  };
  const files = {
    'sweep.arrow': join(options.outDir, 'sweep.arrow'),
    'sweep.json': join(options.outDir, 'sweep.json'),
  };
  writeFilesAtomic({
    [files['sweep.arrow']]: sweepToArrow(rows, options.axes),
    [files['sweep.json']]: `${JSON.stringify(manifest, null, 2)}\n`,
  });
  return {
    rows,
    parents: parents.length,
    prescreenRejected: manifest.prescreenRejected,
    cellsRun: cellsRun + queued.cellsRun,
    timings: { workersReadyS, cellPhaseS, cellPhaseCpuS, queueS: queued.seconds, totalS: (performance.now() - startMs) / 1000 },
    cellsResumed: resumed,
    queueJobs: queued.jobs,
    files,
  };
}

/** The regular-session close of the parent's New York day (sample and vendor tapes are regular-session days). */
export function sessionCloseOf(parent: ParentOrder): number {
  return regularSession(nyDay(parent.arrivalTsUs)).closeUs;
}

function bestCell(rows: readonly SweepRow[]) {
  const best = rows.find((r) => r.rank === 1);
  if (!best) return null;
  return {
    index: best.index,
    id: best.id,
    assignments: best.assignments,
    diffOddBps: finiteOrNull(best.diffOddBps),
    diffOddLoBps: finiteOrNull(best.diffOddLoBps),
    diffOddHiBps: finiteOrNull(best.diffOddHiBps),
  };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

// ── running and analyzing ─────────────────────────────────────────────────────────────────

/** A cell and its journal key: a hash of its config and the sweep's inputs (equal configs share a key). */
type SavedJob = CellJob & { key: string };

/**
 * Run every cell not already in `outcomes` in the pool and analyze every grid cell there too.
 * The baseline runs first (unless resumed); each worker analyzes the cells it runs once it has
 * the baseline; cells finished before that, resumed cells, and cells sharing a config with
 * another (run once, e.g. the baseline inside the grid) are analyzed as separate pool tasks.
 */
async function runAndAnalyze(
  jobs: readonly SavedJob[],
  outcomes: Map<number, CellOutcome>,
  journal: CellJournal,
  options: SweepOptions & { init: WorkerInit },
): Promise<{ rows: SweepRow[]; cellsRun: number; workersReadyS: number; cellPhaseS: number; cellPhaseCpuS: number }> {
  const startMs = performance.now();
  const startCpu = process.cpuUsage();
  const kind = options.workerKind ?? DEFAULT_WORKER_KIND;
  let workersReadyS = NaN;
  const byKey = groupByKey(jobs);
  const todo = new Set(toRun(jobs, outcomes, byKey));
  const rows = new Map<number, SweepRow>();
  options.onProgress?.(outcomes.size, jobs.length, null);
  const pool = new SweepPool({ workers: Math.min(options.workers, jobs.length), kind, init: options.init });
  // the failure itself reaches the caller through the tasks; this timing promise must not reject unhandled
  void pool.ready.then(() => (workersReadyS = (performance.now() - startMs) / 1000), () => undefined);
  try {
    const baselineJob = jobs.find((j) => j.index === BASELINE_INDEX)!;
    let baselineSent!: () => void;
    const baselineReady = new Promise<void>((resolve) => (baselineSent = resolve));
    const analyze = async (job: SavedJob, outcome: CellOutcome) => {
      await baselineReady;
      rows.set(job.index, await pool.analyze(job, outcome));
    };
    const finished = (ran: SavedJob, outcome: CellOutcome, row: SweepRow | null): Promise<unknown> => {
      const analyses: Promise<void>[] = [];
      for (const job of saveCell(ran, outcome, byKey, outcomes, journal)) {
        if (job.index === BASELINE_INDEX) continue;
        if (job === ran && row) rows.set(job.index, row);
        else analyses.push(analyze(job, outcomes.get(job.index)!));
      }
      options.onProgress?.(outcomes.size, jobs.length, outcome);
      return Promise.all(analyses);
    };
    const resumedBaseline = outcomes.get(BASELINE_INDEX);
    const setBaseline = (outcome: CellOutcome) => {
      pool.setBaseline(outcome);
      baselineSent();
    };
    const work: Promise<unknown>[] = [];
    if (resumedBaseline) setBaseline(resumedBaseline);
    else work.push(pool.run(baselineJob).then(({ outcome }) => (setBaseline(outcome), finished(baselineJob, outcome, null))));
    for (const job of jobs) {
      if (job.index === BASELINE_INDEX) continue;
      const outcome = outcomes.get(job.index);
      if (outcome) work.push(analyze(job, outcome));
      else if (todo.has(job)) work.push(pool.run(job).then(({ outcome: o, row }) => finished(job, o, row)));
    }
    await Promise.all(work);
  } finally {
    await pool.close();
  }
  const gridRows = jobs.filter((j) => j.index !== BASELINE_INDEX).map((j) => rows.get(j.index)!);
  const cpu = process.cpuUsage(startCpu);
  const cellPhaseCpuS = kind === 'thread' ? (cpu.user + cpu.system) / 1e6 : Number.NaN;
  return { rows: rankCells(gridRows), cellsRun: todo.size, workersReadyS, cellPhaseS: (performance.now() - startMs) / 1000, cellPhaseCpuS };
}

/** Jobs by journal key: cells with equal configs share one (the first of them runs). */
function groupByKey(jobs: readonly SavedJob[]): Map<string, SavedJob[]> {
  const byKey = new Map<string, SavedJob[]>();
  for (const job of jobs) byKey.set(job.key, [...(byKey.get(job.key) ?? []), job]);
  return byKey;
}

function toRun(jobs: readonly SavedJob[], outcomes: Map<number, CellOutcome>, byKey: Map<string, SavedJob[]>): SavedJob[] {
  return jobs.filter((job) => !outcomes.has(job.index) && byKey.get(job.key)![0] === job);
}

/** Journal a finished cell and give its outcome to every cell sharing its config; returns those cells. */
function saveCell(ran: SavedJob, outcome: CellOutcome, byKey: Map<string, SavedJob[]>, outcomes: Map<number, CellOutcome>, journal: CellJournal): SavedJob[] {
  journal.append(ran.key, outcome);
  const sharing = byKey.get(ran.key)!;
  for (const job of sharing) outcomes.set(job.index, { ...outcome, index: job.index, id: job.id });
  return sharing;
}

/**
 * --queue: every cell not resumed runs on the queue's workers; the cells come back whole. The
 * batches are cut from all distinct cells (resumed ones too), so a resumed sweep's job ids are
 * those of the run it resumes.
 */
async function runOnQueue(
  jobs: readonly SavedJob[],
  outcomes: Map<number, CellOutcome>,
  journal: CellJournal,
  parents: readonly ParentOrder[],
  queue: QueueTarget,
  options: SweepOptions,
): Promise<{ cellsRun: number; seconds: number; jobs: number }> {
  const startMs = performance.now();
  const byKey = groupByKey(jobs);
  const distinct = jobs.filter((job) => byKey.get(job.key)![0] === job);
  const run = toRun(jobs, outcomes, byKey);
  const byIndex = new Map(run.map((job) => [job.index, job]));
  options.onProgress?.(outcomes.size, jobs.length, null);
  // Loaded only for --queue: bullmq and ioredis take ~120 ms to import, on every sweep otherwise.
  const { runCellsOnQueue } = await import('./queue-coordinator.ts');
  const { jobs: queueJobs } = await runCellsOnQueue(distinct, {
    url: queue.url,
    queueName: queue.name,
    dataDir: options.dataDir,
    parents,
    batchSize: queue.batchSize,
    have: (cell) => outcomes.has(cell.index),
    onJobs: options.onJobs,
    onCell: (outcome) => {
      saveCell(byIndex.get(outcome.index)!, outcome, byKey, outcomes, journal);
      options.onProgress?.(outcomes.size, jobs.length, outcome);
    },
  });
  return { cellsRun: run.length, seconds: (performance.now() - startMs) / 1000, jobs: queueJobs };
}
