/**
 * Sweeps distributed on BullMQ (Redis): what the coordinator and the workers share — the queue's
 * name, the job's data and result, the connection, and the check that Redis answers at all.
 *
 * A job is a BATCH of cells × one symbol-day: the cells (in grid order) cut into batches of
 * `--queue-batch` cells, so a job is tens of ms of work and the per-job costs (Redis round trips,
 * BullMQ's scripts and events, the coordinator's handling) are paid once per batch, not per cell.
 * Its id is a hash of the batch's cell configs, the data fingerprint and the part's parents, so
 * enqueueing the same sweep again finds the finished jobs (kept in Redis) and only the rest runs:
 * resuming is free. A result holds each outcome array of every cell in the batch as the base64 of
 * its bytes (exact, NaN included), so the coordinator assembles the same outcomes a local run
 * computes.
 */
import type { Redis } from 'ioredis';
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { ParentOrder } from '../engine/types.ts';
import { OUTCOME_ARRAYS, type PartOutcome } from './cell.ts';
import { base64, fromBase64 } from './cell-journal.ts';
import { contentHash } from './grid.ts';

export const DEFAULT_QUEUE_NAME = 'ladderlab-sweep';
/** How often a job is tried (a killed worker's stalled job counts separately, see the worker). */
export const JOB_ATTEMPTS = 3;
/**
 * Cells per queue job (--queue-batch). 32 cells × 200 parents of the IBM day ≈ 60–100 ms of work
 * per job at 2–3 ms a cell: the ~5 ms a job costs between two jobs (BullMQ's finish-and-fetch
 * round trip, its scripts and events) is ~5 % of it, and 1,000 cells still make 32 jobs per
 * symbol-day to share among the workers (README "Distributed sweeps").
 */
export const DEFAULT_QUEUE_BATCH = 32;

export interface BatchJobData {
  /** Data fingerprint (sweep/fingerprint.ts) the job's results depend on. */
  fingerprint: string;
  /** The batch's cells' configs, in grid order. */
  configs: LadderConfig[];
  symbol: string;
  day: string;
  /** The part's parents, in list order. */
  parents: ParentOrder[];
}

/**
 * A batch's outcomes: per outcome array, the base64 of the bytes of the cells' arrays one after
 * the other (cell k's parent j at k × parents + j); Float64 except fillStep (Int32).
 */
export type BatchResult = { cells: number; parents: number } & Record<(typeof OUTCOME_ARRAYS)[number], string>;

/**
 * `batch-` + a hash of the configs, the fingerprint and the hash of the parents (`parentsHash`:
 * contentHash(parents), computed once per symbol-day rather than once per job). BullMQ refuses
 * an id that parses as an integer, which a hex hash can be.
 */
export function batchJobId(data: Pick<BatchJobData, 'configs' | 'fingerprint'>, parentsHash: string): string {
  return `batch-${contentHash({ configs: data.configs, fingerprint: data.fingerprint, parents: parentsHash })}`;
}

/**
 * The batches of a sweep: cells in the given (grid) order cut into runs of `batchSize`, the last
 * one shorter. Deterministic: the same cells give the same batches, hence the same job ids.
 */
export function cutBatches<T>(cells: readonly T[], batchSize: number): T[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`queue batch size ${batchSize}: need a whole number ≥ 1`);
  const batches: T[][] = [];
  for (let start = 0; start < cells.length; start += batchSize) batches.push(cells.slice(start, start + batchSize));
  return batches;
}

export function batchToResult(outcomes: readonly PartOutcome[], parents: number): BatchResult {
  const result = { cells: outcomes.length, parents } as BatchResult;
  for (const key of OUTCOME_ARRAYS) {
    const all = key === 'fillStep' ? new Int32Array(outcomes.length * parents) : new Float64Array(outcomes.length * parents);
    outcomes.forEach((o, k) => all.set(o[key], k * parents));
    result[key] = base64(all);
  }
  return result;
}

/** A batch result back into one outcome per cell (views into the decoded bytes); an Error when it is not `cells` × `parents`. */
export function resultToBatch(result: BatchResult, cells: number, parents: number): PartOutcome[] {
  const arrays = {} as Record<(typeof OUTCOME_ARRAYS)[number], Float64Array | Int32Array>;
  for (const key of OUTCOME_ARRAYS) {
    const values = key === 'fillStep' ? fromBase64(result?.[key], Int32Array) : fromBase64(result?.[key], Float64Array);
    if (!values || values.length !== cells * parents) throw new Error(`queue result: ${key} is not ${cells} cells × ${parents} parents`);
    arrays[key] = values;
  }
  return Array.from({ length: cells }, (_, k) => {
    const at = <T extends Float64Array | Int32Array>(values: T) => values.subarray(k * parents, (k + 1) * parents) as T;
    return {
      filledQty: at(arrays.filledQty as Float64Array),
      shortfallBps: at(arrays.shortfallBps as Float64Array),
      vsFarTouchBps: at(arrays.vsFarTouchBps as Float64Array),
      timeToFillMs: at(arrays.timeToFillMs as Float64Array),
      fillStep: at(arrays.fillStep as Int32Array),
    };
  });
}

/** --queue redis://HOST:PORT[/DB]: parsed, or an InputError saying what is expected. */
export function parseQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--queue ${url}: expected redis://HOST:PORT`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new InputError(`--queue ${url}: expected redis://HOST:PORT`);
  return url;
}

/**
 * Connect and PING once, without retries: an unreachable Redis is bad input (exit 2) with a clear
 * message, not an endless reconnect loop. Then the long-lived connection BullMQ needs
 * (maxRetriesPerRequest: null, reconnecting on its own).
 */
export async function connectQueue(url: string): Promise<Redis> {
  parseQueueUrl(url);
  // Imported here, not at the top: `sweep` without --queue reads this module (parseQueueUrl) and
  // must not pay for ioredis.
  const { Redis } = await import('ioredis');
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000, enableOfflineQueue: false });
  let cause: Error | null = null; // the socket's error (ECONNREFUSED…); connect() only says the connection closed
  probe.on('error', (err: Error) => (cause ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new InputError(`--queue ${url}: cannot reach Redis (${(cause ?? (err as Error)).message}); is redis-server running there?`);
  } finally {
    probe.disconnect();
  }
  return new Redis(url, { maxRetriesPerRequest: null });
}
