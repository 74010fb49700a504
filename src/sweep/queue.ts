/**
 * Sweeps distributed on BullMQ (Redis): what the coordinator and the workers share — the queue's
 * name, the job's data and result, the connection, and the check that Redis answers at all.
 *
 * A job is one cell × one symbol-day. Its id is a hash of the cell's config, the data fingerprint
 * and the part's parents, so enqueueing the same sweep again finds the finished jobs (kept in
 * Redis) and only the rest runs: resuming is free. Results are JSON (NaN → null; numbers
 * round-trip exactly), so the coordinator assembles the same outcomes a local run computes.
 */
import type { Redis } from 'ioredis';
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { ParentOrder } from '../engine/types.ts';
import { OUTCOME_ARRAYS, type PartOutcome } from './cell.ts';
import { contentHash } from './grid.ts';

export const DEFAULT_QUEUE_NAME = 'ladderlab-sweep';
/** How often a job is tried (a killed worker's stalled job counts separately, see the worker). */
export const JOB_ATTEMPTS = 3;

export interface PartJobData {
  /** Data fingerprint (sweep/fingerprint.ts) the job's results depend on. */
  fingerprint: string;
  config: LadderConfig;
  symbol: string;
  day: string;
  /** The part's parents, in list order. */
  parents: ParentOrder[];
}

/** A part's outcome arrays as JSON: NaN → null. */
export type PartResult = Record<(typeof OUTCOME_ARRAYS)[number], (number | null)[]>;

/** `part-` + the hash: BullMQ refuses an id that parses as an integer, which a hex hash can be. */
export function partJobId(data: PartJobData): string {
  return `part-${contentHash({ config: data.config, fingerprint: data.fingerprint, parents: data.parents })}`;
}

export function partToResult(outcome: PartOutcome): PartResult {
  const out = {} as PartResult;
  for (const key of OUTCOME_ARRAYS) out[key] = Array.from(outcome[key], (v) => (Number.isFinite(v) ? v : null));
  return out;
}

export function resultToPart(result: PartResult): PartOutcome {
  const f64 = (values: (number | null)[]) => Float64Array.from(values, (v) => (v === null ? NaN : v));
  return {
    filledQty: f64(result.filledQty),
    shortfallBps: f64(result.shortfallBps),
    vsFarTouchBps: f64(result.vsFarTouchBps),
    timeToFillMs: f64(result.timeToFillMs),
    fillStep: Int32Array.from(result.fillStep, (v) => v ?? -1),
  };
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
