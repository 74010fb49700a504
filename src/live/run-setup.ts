/**
 * The pieces of a live run that set it up (run.ts runs the phases): the session every phase
 * shares, the run's clock (wall, or lockstep against `serve`), the journal, and REST that a
 * simulated crash silences.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { LadderEngine } from '../engine/engine.ts';
import type { ExecutionRecord, ParentOrder } from '../engine/types.ts';
import type { FeedReceipts } from '../records/feed-receipts.ts';
import type { LiveApi, VenueClock } from './alpaca-api.ts';
import type { AlpacaMarket } from './alpaca-market.ts';
import type { Endpoints } from './endpoints.ts';
import { Journal, JOURNAL_FILE, journalUnfinished } from './journal.ts';
import { httpLockstepLink, LockstepClock, LockstepDriver, StreamGate } from './lockstep-clock.ts';
import type { ReconciledOrder } from './reconcile.ts';
import type { RetryPolicy } from './retry.ts';
import type { RunClock } from './run-clock.ts';
import type { LiveRunOptions } from './run.ts';
import { TapeRecorder } from './tape-recorder.ts';
import { TAPE_ROWS_FILE, TapeJournal } from './tape-journal.ts';
import { WallClock } from './wall-clock.ts';

/** Lockstep waits this long (wall) for a dropped stream to come back before going on without it. */
const LOCKSTEP_RECONNECT_GRACE_MS = 5_000;

/** Everything one run shares between its phases. */
export interface LiveSession {
  options: LiveRunOptions;
  config: LadderConfig;
  log: (line: string) => void;
  endpoints: Endpoints;
  /** Parents by arrival time (ties: file order). */
  parents: ParentOrder[];
  symbols: string[];
  retry: RetryPolicy;
  api: LiveApi;
  clock: RunClock;
  /** live.clock lockstep: moves the clock (started once the parents are scheduled). */
  lockstep: LockstepDriver | null;
  runTag: string;
  reconciled: ReconciledOrder[];
  recorder: TapeRecorder | null;
  /** Streamed quotes' times and when they reached us (feed.arrow: calibrate's feed latency). */
  feedReceipts: FeedReceipts;
  market: AlpacaMarket;
  engine: LadderEngine;
  records: ExecutionRecord[];
  /** OUT/journal.ndjson: every decision and venue event, fsync'd before it is acted on. */
  journal: Journal;
  /** The REST side goes silent (a simulated crash). */
  halt: () => void;
  crashed: boolean;
  /** The arrival time the engine used per parent. */
  arrivals: Map<string, number>;
  /** Parents whose symbol is kept fresh (REST when the stream is quiet or down), from stale_ms before arrival to their end. */
  watching: Set<string>;
  /** Arrival and watch timers not yet fired (watch timers keyed `<id>\u0000watch`). */
  parentTimers: Map<string, number>;
  fatalError: unknown;
  stopping: boolean;
  interrupted: boolean;
  /** Set by the schedule: stop waiting for the parents. */
  stopRun: () => void;
  /** Set by the schedule: a record came in. */
  onRecorded: () => void;
  onFatal: (err: unknown) => void;
  close: () => void;
}

/**
 * The run's clock: the wall clock (× live.speed; anchored at the venue's time on a loopback
 * replay), or in lockstep the venue's virtual time, read from the venue before anything runs.
 */
export async function makeClock(s: LiveSession, venueClock: VenueClock): Promise<void> {
  s.lockstep = null;
  if (s.config.live.clock === 'wall') {
    s.clock = new WallClock({
      originUs: s.endpoints.loopback && Number.isFinite(venueClock.timestampUs) ? venueClock.timestampUs : undefined,
      speed: s.config.live.speed,
      wall: s.options.wall,
      onError: s.onFatal,
    });
    return;
  }
  const link = s.options.lockstepLink ?? httpLockstepLink(s.endpoints.tradingUrl, s.options.keys);
  const first = await link.step(0, { trade_updates: 0, market_data: 0 });
  const clock = new LockstepClock(first.nowUs, s.onFatal);
  s.clock = clock;
  let downSinceMs: number | null = null;
  const gate = new StreamGate();
  const raw = s.api;
  s.api = gate.wrap(raw);
  s.lockstep = new LockstepDriver(
    clock,
    link,
    {
      received: () => ({ trade_updates: raw.tradeStream.received?.() ?? 0, market_data: raw.dataStream.received?.() ?? 0 }),
      flush: () => gate.flush(),
      settle: async () => {
        while (s.market.busy()) await s.market.settle();
      },
      // Time waits while a stream reconnects, so the run is the same whatever the wall clock does
      // meanwhile; past a grace period the stream is gone for good and time goes on without it.
      reconnecting: () => {
        if (!s.market.streamsDown()) return (downSinceMs = null) !== null;
        downSinceMs ??= Date.now();
        return Date.now() - downSinceMs < LOCKSTEP_RECONNECT_GRACE_MS;
      },
    },
    s.onFatal,
  );
}

/** The journal: truncated for a new run, appended to on --resume (a new `run` entry per segment). */
export function openJournal(s: LiveSession): Journal {
  const outDir = resolve(s.options.outDir);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, JOURNAL_FILE);
  const resume = s.options.resume;
  if (!resume && journalUnfinished(path)) {
    throw new InputError(`${outDir} holds an unfinished live run (${JOURNAL_FILE}): continue it with ladderlab live --resume ${outDir}, or choose another --out`);
  }
  const journal = new Journal(path, !resume);
  journal.append({ t: 'run', runTag: s.runTag, clientIdPrefix: s.config.live.client_id_prefix, parents: resume?.parents ?? [...s.options.parents], segment: resume ? resume.segment : 0 });
  return journal;
}

/**
 * The tape recorder with its row journal (OUT/tape-rows.tsv, tape-journal.ts): a new run starts
 * both empty; a resumed one appends to the journal and first takes in every earlier segment's rows
 * from it — or, for a run directory written before the journal existed, the tape its earlier
 * segment wrote (OUT/tape).
 */
export function openTapeRecorder(outDir: string, resume: boolean): TapeRecorder {
  const rowsPath = join(outDir, TAPE_ROWS_FILE);
  const hadRows = resume && existsSync(rowsPath);
  const recorder = new TapeRecorder(new TapeJournal(rowsPath, resume));
  if (hadRows) recorder.adoptJournal(rowsPath);
  else if (resume) recorder.adoptDir(join(outDir, 'tape'));
  return recorder;
}

/** REST that can fall silent at once (a simulated crash): calls then never answer, nothing is sent. */
export function haltable(api: LiveApi): { api: LiveApi; halt: () => void } {
  let dead = false;
  const silent = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value = Reflect.get(obj, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (dead ? new Promise(() => {}) : (value as (...a: unknown[]) => unknown).apply(obj, args));
      },
    });
  return { api: { ...api, trading: silent(api.trading), data: silent(api.data) }, halt: () => void (dead = true) };
}

