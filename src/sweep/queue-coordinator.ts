/**
 * The coordinator's side of a distributed sweep (`ladderlab sweep … --queue URL`): cut the cells
 * into batches (sweep/queue.ts cutBatches), enqueue one job per batch × symbol-day, follow the
 * queue's events until every job has a result, and assemble each cell's outcome exactly as a
 * local worker would (sweep/cell.ts assembleCell).
 *
 * The batches are cut from ALL the sweep's distinct cells, resumed ones included, so a resumed
 * sweep has the same batches and job ids as the run it resumes; a batch whose cells are all
 * resumed is not enqueued. Jobs already finished in Redis (same id: same configs, data and
 * parents) are taken as they are; jobs that failed in an earlier run are retried. A job that
 * fails for good fails the sweep.
 *
 * Per job the coordinator does no Redis round trip of its own: the `completed` event carries the
 * result. Only jobs found finished when enqueueing, and those whose event never came (looked up
 * every RECONCILE_MS), are read from Redis.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import type { ParentOrder } from '../engine/types.ts';
import { assembleCell, splitBySymbolDay, type CellPart, type PartOutcome } from './cell.ts';
import { dataFingerprint } from './fingerprint.ts';
import { contentHash } from './grid.ts';
import type { CellJob, CellOutcome } from './protocol.ts';
import { batchJobId, connectQueue, cutBatches, JOB_ATTEMPTS, resultToBatch, type BatchJobData, type BatchResult } from './queue.ts';

export interface QueueSweepOptions {
  url: string;
  queueName: string;
  dataDir: string;
  parents: readonly ParentOrder[];
  /** Cells per job. */
  batchSize: number;
  /** Cells the caller already has (resumed): never reported; a batch of only such cells is not enqueued. */
  have?: (cell: CellJob) => boolean;
  /** Each wanted cell as soon as all its parts are in. */
  onCell: (outcome: CellOutcome) => void;
  /** Jobs finished so far (taken from Redis or completed now) of all. */
  onJobs?: (done: number, total: number) => void;
}

/** Events kept in Redis's stream (BullMQ's default 10,000 is about 2,000 jobs' worth). */
const EVENTS_MAX_LEN = 200_000;
const RECONCILE_MS = 15_000;

/** One job: a batch of cells (positions in the cell list) × one part. */
interface BatchJob {
  id: string;
  cells: number[];
  part: number;
  finished: boolean;
}

/** One job per batch × part, batch-major (a batch's cells complete together), and each job by id. */
function batchJobs(cells: readonly CellJob[], wanted: readonly boolean[], parts: readonly CellPart[], parents: readonly ParentOrder[], fingerprint: string, batchSize: number) {
  const partParents = parts.map((part) => part.indices.map((i) => parents[i]));
  const parentsHashes = partParents.map((list) => contentHash(list));
  const batches = cutBatches(cells.map((_, c) => c), batchSize).filter((batch) => batch.some((c) => wanted[c]));
  const byId = new Map<string, BatchJob>();
  const jobs = batches.flatMap((batch) =>
    parts.map((part, p) => {
      const data: BatchJobData = { fingerprint, configs: batch.map((c) => cells[c].config), symbol: part.symbol, day: part.day, parents: partParents[p] };
      const id = batchJobId(data, parentsHashes[p]);
      if (byId.has(id)) throw new Error(`queue: two batches share job id ${id} (the sweep's cells must have distinct configs)`);
      byId.set(id, { id, cells: batch, part: p, finished: false });
      const more = batch.length > 1 ? ` +${batch.length - 1} cells` : '';
      return { name: `${cells[batch[0]].id}${more} | ${part.symbol} ${part.day}`, data, opts: { jobId: id, attempts: JOB_ATTEMPTS, removeOnComplete: false, removeOnFail: false } };
    }),
  );
  return { jobs, byId };
}

/** Run the cells on the queue; returns how many jobs the sweep had (finished earlier or now). */
export async function runCellsOnQueue(cells: readonly CellJob[], options: QueueSweepOptions): Promise<{ jobs: number }> {
  const wanted = cells.map((cell) => !options.have?.(cell));
  if (!wanted.some(Boolean)) return { jobs: 0 };
  const connection = await connectQueue(options.url);
  const fingerprint = dataFingerprint(options.dataDir);
  const parts = splitBySymbolDay(options.parents);
  const results: PartOutcome[][] = cells.map(() => new Array(parts.length));
  const missing = cells.map(() => parts.length);
  const { jobs, byId } = batchJobs(cells, wanted, parts, options.parents, fingerprint, options.batchSize);
  const queue = new Queue<BatchJobData, BatchResult>(options.queueName, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
  // Read the event stream from its current end, given explicitly: with the default ('$') the
  // events between connecting and the first read would be lost.
  const [last] = await connection.xrevrange(`bull:${options.queueName}:events`, '+', '-', 'COUNT', 1);
  const eventsConnection = connection.duplicate(); // BullMQ leaves a connection it was given open: closed below
  const events = new QueueEvents(options.queueName, { connection: eventsConnection, lastEventId: last?.[0] ?? '0-0' });
  let done = 0;
  let sweepTimer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const resultOf = async (jobId: string) => (await Job.fromId<BatchJobData, BatchResult>(queue, jobId))!.returnvalue;
      const complete = (batch: BatchJob, value: unknown) => {
        if (batch.finished) return;
        const result = (typeof value === 'string' ? JSON.parse(value) : value) as BatchResult;
        const outcomes = resultToBatch(result, batch.cells.length, parts[batch.part].indices.length);
        batch.finished = true;
        batch.cells.forEach((c, k) => {
          results[c][batch.part] = outcomes[k];
          if (--missing[c] > 0) return;
          if (wanted[c]) options.onCell(assembleCell(cells[c], options.parents.length, parts, results[c]));
          results[c] = []; // assembled: let the batch's bytes go
        });
        done++; // not inside onJobs?.(…): an optional call skips its arguments when onJobs is absent
        options.onJobs?.(done, jobs.length);
        if (done === jobs.length) resolve();
      };
      const failedForGood = async (batch: BatchJob, reason: string) => {
        if ((await queue.getJobState(batch.id)) !== 'failed') return; // an attempt failed; BullMQ retries it
        const part = parts[batch.part];
        const first = cells[batch.cells[0]].id;
        reject(new Error(`queue job ${batch.id} (${batch.cells.length} cells from ${first}, ${part.symbol} ${part.day}) failed ${JOB_ATTEMPTS} times: ${reason}`));
      };
      events.on('completed', ({ jobId, returnvalue }) => {
        const batch = byId.get(jobId);
        if (!batch) return;
        try {
          complete(batch, returnvalue);
        } catch (err) {
          reject(err as Error);
        }
      });
      events.on('failed', ({ jobId, failedReason }) => {
        const batch = byId.get(jobId);
        if (batch) failedForGood(batch, failedReason).catch(reject);
      });
      /** Take a finished job's result, retry a failed one, leave the rest to the workers. */
      const lookUp = async (batch: BatchJob, onFailed: 'retry' | 'fail') => {
        const state = await queue.getJobState(batch.id);
        if (state === 'completed') complete(batch, await resultOf(batch.id));
        else if (state === 'failed' && onFailed === 'retry') await (await Job.fromId(queue, batch.id))!.retry('failed');
        else if (state === 'failed') await failedForGood(batch, (await Job.fromId(queue, batch.id))!.failedReason);
      };
      const enqueue = async () => {
        await queue.addBulk(jobs);
        // Jobs an earlier run finished (or lost) are not re-added: take their results, retry the failed.
        await Promise.all([...byId.values()].map((batch) => lookUp(batch, 'retry')));
        options.onJobs?.(done, jobs.length);
      };
      /** Jobs finished or failed for good whose event never came (a dropped connection): look now and then. */
      const reconcile = () => Promise.all([...byId.values()].filter((b) => !b.finished).map((batch) => lookUp(batch, 'fail')));
      enqueue()
        .then(() => (sweepTimer = setInterval(() => reconcile().catch(reject), RECONCILE_MS).unref()))
        .catch(reject);
    });
  } finally {
    clearInterval(sweepTimer);
    await events.close();
    await queue.close();
    eventsConnection.disconnect();
    connection.disconnect();
  }
  return { jobs: jobs.length };
}
