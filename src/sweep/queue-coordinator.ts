/**
 * The coordinator's side of a distributed sweep (`ladderlab sweep … --queue URL`): enqueue one
 * job per cell × symbol-day, follow the queue's events until every job has a result, and
 * assemble each cell's outcome exactly as a local worker would (sweep/cell.ts assembleCell).
 *
 * Jobs already finished in Redis (same id: same config, data and parents) are taken as they are;
 * jobs that failed in an earlier run are retried. A job that fails for good fails the sweep.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import type { ParentOrder } from '../engine/types.ts';
import { assembleCell, splitBySymbolDay, type CellPart, type PartOutcome } from './cell.ts';
import { dataFingerprint } from './fingerprint.ts';
import type { CellJob, CellOutcome } from './protocol.ts';
import { connectQueue, JOB_ATTEMPTS, partJobId, resultToPart, type PartJobData, type PartResult } from './queue.ts';

export interface QueueSweepOptions {
  url: string;
  queueName: string;
  dataDir: string;
  parents: readonly ParentOrder[];
  /** Each cell as soon as all its parts are in. */
  onCell: (outcome: CellOutcome) => void;
  /** Jobs finished so far (taken from Redis or completed now) of all. */
  onJobs?: (done: number, total: number) => void;
}

/** Events kept in Redis's stream (BullMQ's default 10,000 is about 2,000 jobs' worth). */
const EVENTS_MAX_LEN = 200_000;
const RECONCILE_MS = 15_000;

interface PartSlot {
  cell: number;
  part: number;
}

/** One job per cell × part, and where each job id's result goes (equal configs share an id). */
function partJobs(cells: readonly CellJob[], parts: readonly CellPart[], parents: readonly ParentOrder[], fingerprint: string) {
  const slots = new Map<string, PartSlot[]>();
  const jobs = cells.flatMap((cell, c) =>
    parts.map((part, p) => {
      const data: PartJobData = { fingerprint, config: cell.config, symbol: part.symbol, day: part.day, parents: part.indices.map((i) => parents[i]) };
      const jobId = partJobId(data);
      slots.set(jobId, [...(slots.get(jobId) ?? []), { cell: c, part: p }]);
      return { name: `${cell.id} | ${part.symbol} ${part.day}`, data, opts: { jobId, attempts: JOB_ATTEMPTS, removeOnComplete: false, removeOnFail: false } };
    }),
  );
  return { jobs, slots };
}

export async function runCellsOnQueue(cells: readonly CellJob[], options: QueueSweepOptions): Promise<void> {
  if (cells.length === 0) return;
  const connection = await connectQueue(options.url);
  const fingerprint = dataFingerprint(options.dataDir);
  const parts = splitBySymbolDay(options.parents);
  const results: (PartOutcome | undefined)[][] = cells.map(() => new Array(parts.length));
  const missing = cells.map(() => parts.length);
  const { jobs, slots } = partJobs(cells, parts, options.parents, fingerprint);
  const queue = new Queue<PartJobData, PartResult>(options.queueName, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
  // Read the event stream from its current end, given explicitly: with the default ('$') the
  // events between connecting and the first read would be lost.
  const [last] = await connection.xrevrange(`bull:${options.queueName}:events`, '+', '-', 'COUNT', 1);
  const eventsConnection = connection.duplicate(); // BullMQ leaves a connection it was given open: closed below
  const events = new QueueEvents(options.queueName, { connection: eventsConnection, lastEventId: last?.[0] ?? '0-0' });
  let done = 0;
  let sweepTimer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      // The state first, then the job: a completed job's result is written with its state, so it is there.
      const resultOf = async (jobId: string) => (await Job.fromId<PartJobData, PartResult>(queue, jobId))!.returnvalue;
      const complete = (jobId: string, value: unknown) => {
        for (const slot of slots.get(jobId) ?? []) {
          if (results[slot.cell][slot.part]) continue;
          results[slot.cell][slot.part] = resultToPart((typeof value === 'string' ? JSON.parse(value) : value) as PartResult);
          done++;
          if (--missing[slot.cell] === 0) options.onCell(assembleCell(cells[slot.cell], options.parents.length, parts, results[slot.cell] as PartOutcome[]));
        }
        options.onJobs?.(done, jobs.length);
        if (done === jobs.length) resolve();
      };
      const failedForGood = async (jobId: string, reason: string) => {
        if ((await queue.getJobState(jobId)) !== 'failed') return; // an attempt failed; BullMQ retries it
        const slot = slots.get(jobId)![0];
        reject(new Error(`queue job ${jobId} (${cells[slot.cell].id}, ${parts[slot.part].symbol} ${parts[slot.part].day}) failed ${JOB_ATTEMPTS} times: ${reason}`));
      };
      events.on('completed', ({ jobId, returnvalue }) => {
        if (slots.has(jobId)) complete(jobId, returnvalue);
      });
      events.on('failed', ({ jobId, failedReason }) => {
        if (slots.has(jobId)) failedForGood(jobId, failedReason).catch(reject);
      });
      const enqueue = async () => {
        await queue.addBulk(jobs);
        // Jobs an earlier run finished (or lost) are not re-added: take their results, retry the failed.
        await Promise.all(
          jobs.map(async ({ opts: { jobId } }) => {
            const state = await queue.getJobState(jobId);
            if (state === 'completed') complete(jobId, await resultOf(jobId));
            else if (state === 'failed') await (await Job.fromId(queue, jobId))!.retry('failed');
          }),
        );
        options.onJobs?.(done, jobs.length);
      };
      /** Jobs finished or failed for good whose event never came (a dropped connection): look now and then. */
      const reconcile = async () => {
        const open = jobs.filter(({ opts: { jobId } }) => slots.get(jobId)!.some((s) => !results[s.cell][s.part]));
        for (const { opts: { jobId } } of open) {
          const state = await queue.getJobState(jobId);
          if (state === 'completed') complete(jobId, await resultOf(jobId));
          else if (state === 'failed') await failedForGood(jobId, (await Job.fromId(queue, jobId))!.failedReason);
        }
      };
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
}
