/**
 * A live run as a library function: config + parent orders → the same run directory a backtest
 * writes (records.arrow, children.arrow, fills.arrow, run.json via sim/records-io.ts), plus the
 * tape of what was seen (OUT/tape, the run's data directory) and OUT/orders.csv with the arrival
 * times the engine actually used — so `ladderlab report OUT` and
 * `ladderlab backtest --data OUT/tape --orders OUT/orders.csv` work on it unchanged.
 *
 *   1. endpoints and permissions (endpoints.ts); the venue's clock anchors the WallClock on a
 *      loopback replay (system time otherwise)
 *   2. reconcile: open orders with our client-id prefix are canceled (reconcile.ts)
 *   3. streams subscribed and acknowledged, latest quotes fetched
 *   4. each parent handed to the engine at its arrival time (at once when already past)
 *   5. every parent ended → keep recording quotes until the last fill + markout_collect_s, then
 *      one REST quote per symbol closes the tape
 *   6. stop: Ctrl-C (the abort signal) or a crash ends the executors (`shutdown`), cancels every
 *      working child, waits up to shutdown_wait_ms for the answers (a fill that beat a cancel still
 *      reaches its executor, which amends the ended record), and writes the partial run
 */
import { resolve } from 'node:path';
import type { LadderConfig } from '../config.ts';
import { LadderEngine } from '../engine/engine.ts';
import type { ExecutionRecord, ParentOrder } from '../engine/types.ts';
import { formatIsoUtcUs } from '../data/orders.ts';
import { FeedReceipts } from '../records/feed-receipts.ts';
import { sdkLiveApi, type LiveApi, type VenueClock } from './alpaca-api.ts';
import { AlpacaMarket, type AlpacaMarketStats } from './alpaca-market.ts';
import { describeError as describe } from './describe-error.ts';
import { resolveEndpoints, type Endpoints, type Keys } from './endpoints.ts';
import { reconcileOpenOrders, type ReconciledOrder } from './reconcile.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import type { WallTime } from './wall-clock.ts';
import type { LockstepLink } from './lockstep-clock.ts';
import { haltable, makeClock, openJournal, openTapeRecorder, type LiveSession } from './run-setup.ts';
import { writeLiveRun } from './run-write.ts';
import type { RunClock } from './run-clock.ts';
import { mergeRecord, type ResumePlan } from './resume.ts';

export interface LiveRunOptions {
  config: LadderConfig;
  parents: readonly ParentOrder[];
  outDir: string;
  keys: Keys;
  liveMoney?: boolean;
  /** Ctrl-C: abort to stop the run (children canceled, partial records written). */
  signal?: AbortSignal;
  /** Progress and warnings (the caller redacts and prints them). */
  log?: (line: string) => void;
  /** What the orders came from, for run.json. */
  ordersInfo?: Record<string, unknown>;
  /** Tests: the outside world and the host's time. */
  api?: LiveApi;
  wall?: WallTime;
  /** Tests: called once the engine is running (clock, market). */
  onStarted?: (ctx: { clock: RunClock; market: AlpacaMarket; engine: LadderEngine }) => void;
  /** Lockstep: the venue end of the protocol (default: POST /admin/lockstep on the trading URL). */
  lockstepLink?: LockstepLink;
  /** `--resume`: continue the run in `outDir` from its journal (resume.ts plans it; `parents` is ignored). */
  resume?: ResumePlan;
  /** Tests: die at this clock time as a SIGKILL would — no cancel, no records, nothing more sent. */
  crashAtUs?: number;
}

export interface LiveRunResult {
  records: ExecutionRecord[];
  /** Stopped early by the signal. */
  interrupted: boolean;
  /** The crash that stopped the run, if one did (records are written all the same). */
  error: unknown;
  files: Record<string, string>;
  stats: AlpacaMarketStats;
  reconciled: ReconciledOrder[];
  /** Parents never handed to the engine (the run stopped first). */
  notStarted: string[];
  /** Children whose cancel was not confirmed when the run gave up waiting. */
  unconfirmed: string[];
  endpoints: Endpoints;
  runTag: string;
}

const READY_TIMEOUT_MS = 15_000;

export async function runLive(options: LiveRunOptions): Promise<LiveRunResult> {
  const s = await openSession(options);
  const finished = scheduleParents(s);
  const onAbort = () => {
    if (!s.stopping) {
      s.interrupted = true;
      s.log('live: interrupted — canceling working children, writing the partial run');
    }
    s.stopRun();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  await finished;
  options.signal?.removeEventListener('abort', onAbort);
  if (s.crashed) throw new SimulatedCrash();

  const { notStarted, unconfirmed } = await stopAndDrain(s);
  await closeTape(s);
  await Promise.race([s.market.settle(), new Promise((r) => setTimeout(r, Math.min(s.config.live.shutdown_wait_ms, 5000)).unref())]);
  s.close();
  if (options.resume) s.records.push(...options.resume.finished);
  const files = writeLiveRun(s, notStarted, unconfirmed);
  s.journal.append({ t: 'closed', interrupted: s.interrupted || s.fatalError !== null || notStarted.length > 0 });
  s.journal.close();
  const { records, interrupted, fatalError: error, market, reconciled, endpoints, runTag } = s;
  return { records, interrupted, error, files, stats: market.stats, reconciled, notStarted, unconfirmed, endpoints, runTag };
}

function announce(endpoints: Endpoints, feed: 'iex' | 'sip', log: (line: string) => void): void {
  if (endpoints.liveMoney) log(`live: LIVE MONEY — real orders go to ${endpoints.tradingUrl} (--live-money with live keys)`);
  else log(`live: paper/rehearsal — orders go to ${endpoints.tradingUrl}`);
  if (feed === 'iex') {
    log('live: warning: feed iex is ONE venue\'s quote (IEX), not the national best bid and offer — mids, spreads and step prices differ from the NBBO; set live.feed: sip for the national quote');
  }
}

/** Steps 1–3: endpoints, the venue's clock, leftovers of an earlier run, the adapter and its streams. */
async function openSession(options: LiveRunOptions): Promise<LiveSession> {
  const { config } = options;
  const live = config.live;
  const log = options.log ?? (() => {});
  const endpoints = resolveEndpoints(live, options.keys, { liveMoney: options.liveMoney ?? false });
  const parents = [...(options.resume?.toRun ?? options.parents)].map((p, index) => ({ p, index })).sort((a, b) => a.p.arrivalTsUs - b.p.arrivalTsUs || a.index - b.index).map(({ p }) => p);
  const symbols = [...new Set(parents.map((p) => p.symbol))].sort();
  const retry: RetryPolicy = { attempts: live.retry.attempts, minDelayMs: live.retry.min_delay_ms, maxDelayMs: live.retry.max_delay_ms };
  announce(endpoints, live.feed, log);
  const { api, halt } = haltable(
    options.api ??
    sdkLiveApi({
      endpoints,
      keys: options.keys,
      feed: live.feed,
      requestTimeoutMs: live.request_timeout_ms,
      reconnectAttempts: live.stream_reconnect_attempts,
      reconnectMs: live.stream_reconnect_ms,
    }),
  );

  // 1. The venue's clock: market hours, and on a replay the time itself.
  const venueClock: VenueClock = await withRetry('clock', () => api.trading.clock(), retry);
  const s = { options, config, log, endpoints, parents, symbols, retry, api, halt } as LiveSession;
  Object.assign(s, { crashed: false, fatalError: null, stopping: false, interrupted: false, records: [], arrivals: new Map(), watching: new Set(), parentTimers: new Map() });
  s.stopRun = () => {};
  s.onRecorded = () => {};
  s.onFatal = (err: unknown) => {
    if (s.fatalError === null) {
      s.fatalError = err;
      log(`live: error: ${describe(err)} — stopping`);
    }
    s.stopRun();
  };
  await makeClock(s, venueClock);
  s.runTag = Math.floor(s.clock.nowUs() / 1e6).toString(36) + (options.resume ? `r${options.resume.segment}` : '');
  s.journal = openJournal(s);

  // 2. Leftovers of an earlier run.
  s.reconciled = await reconcileOpenOrders(api.trading, { prefix: live.client_id_prefix, retry, waitMs: live.shutdown_wait_ms, log });

  // 3. Market adapter, tape, streams.
  s.recorder = live.record_tape ? openTapeRecorder(resolve(options.outDir), options.resume !== undefined) : null;
  s.feedReceipts = new FeedReceipts();
  s.market = makeMarket(s);
  s.market.addObserver((event) => s.journal.append({ t: 'event', event }));
  s.market.hours.set(venueClock);
  s.close = () => {
    void s.lockstep?.stop();
    s.market.stop();
    s.clock.stop();
    api.dataStream.close();
    api.tradeStream.close();
  };
  await connectStreams(s);
  s.engine = makeEngine(s);
  return s;
}

function makeMarket(s: LiveSession): AlpacaMarket {
  const live = s.config.live;
  const recorder = s.recorder;
  return new AlpacaMarket({
    clock: s.clock,
    api: s.api,
    staleMs: s.config.execution.stale_ms,
    retry: s.retry,
    clientIdPrefix: live.client_id_prefix,
    runTag: s.runTag,
    reorderWaitMs: live.reorder_wait_ms,
    log: s.log,
    onFatal: s.onFatal,
    onQuoteSeen: (symbol, q, source) => {
      recorder?.quote(symbol, q.tsUs, q.bid, q.ask, q.bidSize, q.askSize, source === 'rest');
      if (source === 'stream') s.feedReceipts.add(symbol, q.tsUs, s.clock.nowUs());
    },
    onTradeSeen: (t) => recorder?.trade(t.symbol, t.tsUs, t.price, t.size, t.exchange, t.conditions),
  });
}

async function connectStreams(s: LiveSession): Promise<void> {
  const { api, endpoints } = s;
  api.dataStream.subscribe(s.symbols);
  api.dataStream.connect();
  api.tradeStream.connect();
  const [tradeReady, dataReady] = await Promise.all([api.tradeStream.whenReady(READY_TIMEOUT_MS), api.dataStream.whenReady(READY_TIMEOUT_MS)]);
  if (!tradeReady) {
    s.close();
    throw new Error(`trade_updates stream at ${endpoints.tradingStreamUrl} did not authenticate and listen within ${READY_TIMEOUT_MS / 1000} s`);
  }
  if (!dataReady) s.log(`live: market-data stream at ${endpoints.dataStreamUrl} is not ready — quotes from REST until it is`);
  await Promise.all(s.symbols.map((symbol) => s.market.quotes.refresh(symbol)));
}

function makeEngine(s: LiveSession): LadderEngine {
  return new LadderEngine({
    clock: s.clock,
    market: s.market,
    config: s.config,
    // 'replace': a step move is one PATCH (AlpacaMarket.replace); refused → cancel then submit.
    amend: s.config.live.amend,
    onChildSent: (parent, child) => s.journal.append({ t: 'child', parent: parent.clientOrderId, runTag: s.runTag, child: { ...child, fills: [] } }),
    onRecord: (engineRecord) => {
      const carried = s.options.resume?.carried.get(engineRecord.clientOrderId);
      const r = carried ? mergeRecord(carried, engineRecord, engineRecord.reason, engineRecord.endTsUs) : engineRecord;
      s.journal.append({ t: 'done', parent: r.clientOrderId, status: r.status, reason: r.reason });
      s.records.push(r);
      if (s.watching.delete(engineRecord.clientOrderId)) s.market.quotes.unwatch(r.symbol);
      s.onRecorded();
    },
  });
}

/**
 * Steps 4–5: each parent handed to the engine at its arrival time (at once when already past);
 * once every parent ended, quotes are recorded until the last fill + markout_collect_s. Resolves
 * then, or when the run is stopped.
 */
function scheduleParents(s: LiveSession): Promise<void> {
  const { clock, parents, market, engine, parentTimers } = s;
  let late = 0;
  let markoutTimer: number | null = null;
  const finished = new Promise<void>((resolveFinished) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (markoutTimer !== null) clock.cancelTimer(markoutTimer);
      resolveFinished();
    };
    s.stopRun = () => {
      if (s.stopping) return;
      s.stopping = true;
      finish();
    };
    s.onRecorded = () => {
      if (s.stopping || s.records.length < parents.length || markoutTimer !== null) return;
      const untilUs = lastFillUs(s.records) + s.config.live.markout_collect_s * 1e6;
      if (!Number.isFinite(untilUs) || untilUs <= clock.nowUs()) return finish();
      s.log(`live: all parents done — recording quotes for markouts until ${formatIsoUtcUs(untilUs)}`);
      markoutTimer = clock.setTimer(untilUs, finish);
    };
    const now = clock.nowUs();
    const leadUs = s.config.execution.stale_ms * 1000;
    for (const p of parents) {
      if (p.arrivalTsUs < now) late++;
      // A fresh quote waits at arrival, so the parent never waits on a REST round trip.
      const watchKey = `${p.clientOrderId}\u0000watch`;
      parentTimers.set(watchKey, clock.setTimer(Math.max(now, p.arrivalTsUs - leadUs), () => {
        parentTimers.delete(watchKey);
        if (s.stopping) return;
        s.watching.add(p.clientOrderId);
        market.quotes.watch(p.symbol);
      }));
      parentTimers.set(p.clientOrderId, clock.setTimer(Math.max(p.arrivalTsUs, now), () => {
        parentTimers.delete(p.clientOrderId);
        if (s.stopping) return;
        const arrivalTsUs = clock.nowUs();
        s.arrivals.set(p.clientOrderId, arrivalTsUs);
        if (!s.options.resume?.carried.has(p.clientOrderId)) {
          const q = market.latestQuote(p.symbol);
          s.journal.append({ t: 'parent', id: p.clientOrderId, arrivalTsUs, bid: q?.bid ?? null, ask: q?.ask ?? null, bidSize: q?.bidSize ?? null, askSize: q?.askSize ?? null });
        }
        engine.submit({ ...p, arrivalTsUs });
      }));
    }
    if (parents.length === 0) finish();
    if (s.options.crashAtUs !== undefined) {
      clock.setTimer(s.options.crashAtUs, () => {
        // As SIGKILL: what is on disk stays, nothing more is written or sent.
        s.crashed = true;
        s.journal.close();
        s.halt();
        s.stopping = true;
        s.close();
        resolveFinished();
      });
    }
  });
  if (late > 0) s.log(`live: ${late} parent(s) have times already past — sent at once`);
  s.log(`live: running ${parents.length} parent(s) on ${s.symbols.join(', ') || '(none)'} — run tag ${s.runTag}, Ctrl-C to stop`);
  s.options.onStarted?.({ clock, market, engine });
  s.lockstep?.start();
  return finished;
}

function lastFillUs(records: readonly ExecutionRecord[]): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const r of records) for (const c of r.children) for (const f of c.fills) last = Math.max(last, f.tsUs);
  return last;
}

/** Step 6: end the executors, cancel what still works, wait up to shutdown_wait_ms for the answers. */
async function stopAndDrain(s: LiveSession): Promise<{ notStarted: string[]; unconfirmed: string[] }> {
  const { engine, market } = s;
  const notStarted = [...s.parentTimers.keys()].filter((k) => !k.includes('\u0000'));
  for (const timer of s.parentTimers.values()) s.clock.cancelTimer(timer);
  if (engine.workingCount() > 0 || market.openChildren().length > 0) {
    try {
      engine.shutdown('shutdown');
    } catch (err) {
      s.onFatal(err);
    }
    market.cancelAllOpen();
    await waitUntil(() => market.openChildren().length === 0, s.config.live.shutdown_wait_ms);
  }
  // Lockstep: time stops here, so what follows (the tape's closing quotes) is the same every run.
  await s.lockstep?.stop();
  const unconfirmed = market.openChildren().map((c) => c.engineId);
  if (unconfirmed.length > 0) s.log(`live: warning: no cancel confirmation for ${unconfirmed.join(', ')} — check the account`);
  return { notStarted, unconfirmed };
}

/**
 * The tape closes with each symbol's quote as it stands now (asked over REST): a quiet symbol's
 * last quote still holds, so markout horizons up to now have a mid.
 */
async function closeTape(s: LiveSession): Promise<void> {
  const { recorder, market } = s;
  if (!recorder || s.interrupted || s.fatalError !== null) return;
  await Promise.all(s.symbols.map((symbol) => market.quotes.refresh(symbol)));
  const nowUs = s.clock.nowUs();
  for (const symbol of s.symbols) {
    const q = market.quotes.latest(symbol);
    if (q && nowUs - q.tsUs < s.config.execution.stale_ms * 1000) recorder.quote(symbol, nowUs, q.bid, q.ask, q.bidSize, q.askSize);
  }
}

/** Thrown by runLive when `crashAtUs` killed it (tests). */
export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
  }
}

function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolveWait) => {
    if (done()) return resolveWait();
    const started = Date.now();
    const poll = setInterval(() => {
      if (done() || Date.now() - started >= timeoutMs) {
        clearInterval(poll);
        resolveWait();
      }
    }, 10);
  });
}
