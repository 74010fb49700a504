/**
 * A queue worker (`ladderlab worker`): takes sweep jobs (a batch of cells × one symbol-day) from
 * BullMQ and runs them on this machine's copy of the data, one at a time (a job is CPU-bound: run
 * one worker per core). A job whose data fingerprint differs from this copy's is refused: the
 * attempt fails (so the job goes back for a worker with the right data) and this worker stops.
 *
 * A killed worker's job keeps its lock for `lockMs`; then another worker's stalled-job check puts
 * it back in the queue and it runs again — results depend only on the job, so nothing changes.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { dirTapeSource } from '../sim/backtest.ts';
import { cachingTapeSource, runCellPart } from './cell.ts';
import { dataFingerprint } from './fingerprint.ts';
import { batchToResult, type BatchJobData, type BatchResult } from './queue.ts';

export interface QueueWorkerOptions {
  connection: Redis;
  queueName: string;
  dataDir: string;
  /** Lock duration and stalled-job check interval, ms (BullMQ's default 30 s). */
  lockMs: number;
  /** Called once when a job's data fingerprint differs from this copy's; the worker is closing. */
  onRefused: (message: string) => void;
  /** Test hook: after this many jobs, hang in the next one (as a machine dying mid-job would). */
  stallAfterJobs?: number;
  onStall?: (jobId: string) => void;
}

export function startQueueWorker(options: QueueWorkerOptions): { worker: Worker; jobsDone: () => number } {
  const tapes = cachingTapeSource(dirTapeSource(options.dataDir));
  const fingerprint = dataFingerprint(options.dataDir);
  let done = 0;
  let refused = false;
  const runJob = async (job: Job<BatchJobData, BatchResult>): Promise<BatchResult> => {
    if (job.data.fingerprint !== fingerprint) {
      const message = `refusing job ${job.id}: the data in ${options.dataDir} (fingerprint ${fingerprint}) is not the sweep's (${job.data.fingerprint})`;
      if (!refused) {
        refused = true;
        options.onRefused(message);
        setImmediate(() => void worker.close());
      }
      throw new Error(message);
    }
    if (options.stallAfterJobs !== undefined && done >= options.stallAfterJobs) {
      options.onStall?.(String(job.id));
      await new Promise<never>(() => undefined);
    }
    const { configs, parents } = job.data;
    const result = batchToResult(
      configs.map((config) => runCellPart(config, parents, tapes)),
      parents.length,
    );
    done++;
    return result;
  };
  const worker = new Worker<BatchJobData, BatchResult>(options.queueName, runJob, {
    connection: options.connection,
    concurrency: 1,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    maxStalledCount: 1,
  });
  return { worker, jobsDone: () => done };
}
