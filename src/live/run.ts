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
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { LadderConfig } from '../config.ts';
import { LadderEngine } from '../engine/engine.ts';
import type { ExecutionRecord, ParentOrder } from '../engine/types.ts';
import { formatIsoUtcUs } from '../data/orders.ts';
import { ladderlabVersion, writeRunDir } from '../records/write.ts';
import { sdkLiveApi, type LiveApi, type VenueClock } from './alpaca-api.ts';
import { AlpacaMarket, type AlpacaMarketStats } from './alpaca-market.ts';
import { describeError as describe } from './describe-error.ts';
import { resolveEndpoints, type Endpoints, type Keys } from './endpoints.ts';
import { reconcileOpenOrders, type ReconciledOrder } from './reconcile.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import { TapeRecorder } from './tape-recorder.ts';
import { WallClock, type WallTime } from './wall-clock.ts';

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
  onStarted?: (ctx: { clock: WallClock; market: AlpacaMarket; engine: LadderEngine }) => void;
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
  const { config } = options;
  const live = config.live;
  const log = options.log ?? (() => {});
  const endpoints = resolveEndpoints(live, options.keys, { liveMoney: options.liveMoney ?? false });
  const parents = [...options.parents].map((p, index) => ({ p, index })).sort((a, b) => a.p.arrivalTsUs - b.p.arrivalTsUs || a.index - b.index);
  const symbols = [...new Set(parents.map(({ p }) => p.symbol))].sort();
  const retry: RetryPolicy = { attempts: live.retry.attempts, minDelayMs: live.retry.min_delay_ms, maxDelayMs: live.retry.max_delay_ms };

  if (endpoints.liveMoney) log(`live: LIVE MONEY — real orders go to ${endpoints.tradingUrl} (--live-money with live keys)`);
  else log(`live: paper/rehearsal — orders go to ${endpoints.tradingUrl}`);
  if (live.feed === 'iex') {
    log('live: warning: feed iex is ONE venue\'s quote (IEX), not the national best bid and offer — mids, spreads and step prices differ from the NBBO; set live.feed: sip for the national quote');
  }

  const api =
    options.api ??
    sdkLiveApi({
      endpoints,
      keys: options.keys,
      feed: live.feed,
      requestTimeoutMs: live.request_timeout_ms,
      reconnectAttempts: live.stream_reconnect_attempts,
      reconnectMs: live.stream_reconnect_ms,
    });

  // 1. The venue's clock: market hours, and on a replay the time itself.
  const venueClock: VenueClock = await withRetry('clock', () => api.trading.clock(), retry);
  let fatalError: unknown = null;
  let stopRun: (() => void) | null = null;
  const onFatal = (err: unknown) => {
    if (fatalError === null) {
      fatalError = err;
      log(`live: error: ${describe(err)} — stopping`);
    }
    stopRun?.();
  };
  const clock = new WallClock({
    originUs: endpoints.loopback && Number.isFinite(venueClock.timestampUs) ? venueClock.timestampUs : undefined,
    speed: live.speed,
    wall: options.wall,
    onError: onFatal,
  });
  const runTag = Math.floor(clock.nowUs() / 1e6).toString(36);

  // 2. Leftovers of an earlier run.
  const reconciled = await reconcileOpenOrders(api.trading, { prefix: live.client_id_prefix, retry, waitMs: live.shutdown_wait_ms, log });

  // 3. Market adapter, tape, streams.
  const recorder = live.record_tape ? new TapeRecorder() : null;
  const market = new AlpacaMarket({
    clock,
    api,
    staleMs: config.execution.stale_ms,
    retry,
    clientIdPrefix: live.client_id_prefix,
    runTag,
    reorderWaitMs: live.reorder_wait_ms,
    log,
    onFatal,
    onQuoteSeen: (symbol, q, source) => recorder?.quote(symbol, q.tsUs, q.bid, q.ask, q.bidSize, q.askSize, source === 'rest'),
    onTradeSeen: (t) => recorder?.trade(t.symbol, t.tsUs, t.price, t.size, t.exchange, t.conditions),
  });
  market.hours.set(venueClock);

  api.dataStream.subscribe(symbols);
  api.dataStream.connect();
  api.tradeStream.connect();
  const [tradeReady, dataReady] = await Promise.all([api.tradeStream.whenReady(READY_TIMEOUT_MS), api.dataStream.whenReady(READY_TIMEOUT_MS)]);
  if (!tradeReady) {
    closeAll();
    throw new Error(`trade_updates stream at ${endpoints.tradingStreamUrl} did not authenticate and listen within ${READY_TIMEOUT_MS / 1000} s`);
  }
  if (!dataReady) log(`live: market-data stream at ${endpoints.dataStreamUrl} is not ready — quotes from REST until it is`);
  await Promise.all(symbols.map((s) => market.quotes.refresh(s)));

  // 4. The engine, and the parents at their times.
  const records: ExecutionRecord[] = [];
  let onRecorded = () => {};
  const engine = new LadderEngine({
    clock,
    market,
    config,
    // 'replace': a step move is one PATCH (AlpacaMarket.replace); refused → cancel then submit.
    amend: live.amend,
    onRecord: (r) => {
      records.push(r);
      if (watching.delete(r.clientOrderId)) market.quotes.unwatch(r.symbol);
      onRecorded();
    },
  });
  const arrivals = new Map<string, number>();
  /** Parents whose symbol is kept fresh (REST when the stream is quiet or down), from stale_ms before arrival to their end. */
  const watching = new Set<string>();
  const parentTimers = new Map<string, number>();
  let late = 0;
  let stopping = false;
  let interrupted = false;
  let markoutTimer: number | null = null;

  const finished = new Promise<void>((resolveFinished) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (markoutTimer !== null) clock.cancelTimer(markoutTimer);
      resolveFinished();
    };
    stopRun = () => {
      if (stopping) return;
      stopping = true;
      finish();
    };
    // 5. Every parent ended: markouts need quotes until the last fill + markout_collect_s.
    onRecorded = () => {
      if (stopping || records.length < parents.length || markoutTimer !== null) return;
      let lastFillUs = Number.NEGATIVE_INFINITY;
      for (const r of records) for (const c of r.children) for (const f of c.fills) lastFillUs = Math.max(lastFillUs, f.tsUs);
      const untilUs = lastFillUs + live.markout_collect_s * 1e6;
      if (!Number.isFinite(lastFillUs) || untilUs <= clock.nowUs()) return finish();
      log(`live: all parents done — recording quotes for markouts until ${formatIsoUtcUs(untilUs)}`);
      markoutTimer = clock.setTimer(untilUs, finish);
    };
    const now = clock.nowUs();
    const leadUs = config.execution.stale_ms * 1000;
    for (const { p } of parents) {
      if (p.arrivalTsUs < now) late++;
      // A fresh quote waits at arrival, so the parent never waits on a REST round trip.
      const watchTimer = clock.setTimer(Math.max(now, p.arrivalTsUs - leadUs), () => {
        parentTimers.delete(`${p.clientOrderId}\u0000watch`);
        if (stopping) return;
        watching.add(p.clientOrderId);
        market.quotes.watch(p.symbol);
      });
      parentTimers.set(`${p.clientOrderId}\u0000watch`, watchTimer);
      const timer = clock.setTimer(Math.max(p.arrivalTsUs, now), () => {
        parentTimers.delete(p.clientOrderId);
        if (stopping) return;
        const arrivalTsUs = clock.nowUs();
        arrivals.set(p.clientOrderId, arrivalTsUs);
        engine.submit({ ...p, arrivalTsUs });
      });
      parentTimers.set(p.clientOrderId, timer);
    }
    if (parents.length === 0) finish();
  });
  if (late > 0) log(`live: ${late} parent(s) have times already past — sent at once`);
  log(`live: running ${parents.length} parent(s) on ${symbols.join(', ') || '(none)'} — run tag ${runTag}, Ctrl-C to stop`);
  options.onStarted?.({ clock, market, engine });

  const onAbort = () => {
    if (!stopping) {
      interrupted = true;
      log('live: interrupted — canceling working children, writing the partial run');
    }
    stopRun?.();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  await finished;
  options.signal?.removeEventListener('abort', onAbort);

  // 6. Stop: end the executors, cancel what still works, wait for the answers.
  const notStarted = [...parentTimers.keys()].filter((k) => !k.includes('\u0000'));
  for (const timer of parentTimers.values()) clock.cancelTimer(timer);
  if (engine.workingCount() > 0 || market.openChildren().length > 0) {
    try {
      engine.shutdown('shutdown');
    } catch (err) {
      onFatal(err);
    }
    market.cancelAllOpen();
    await waitUntil(() => market.openChildren().length === 0, live.shutdown_wait_ms);
  }
  const unconfirmed = market.openChildren().map((c) => c.engineId);
  if (unconfirmed.length > 0) log(`live: warning: no cancel confirmation for ${unconfirmed.join(', ')} — check the account`);

  // The tape closes with each symbol's quote as it stands now (asked over REST): a quiet symbol's
  // last quote still holds, so markout horizons up to now have a mid.
  if (recorder && !interrupted && fatalError === null) {
    await Promise.all(symbols.map((s) => market.quotes.refresh(s)));
    const nowUs = clock.nowUs();
    for (const s of symbols) {
      const q = market.quotes.latest(s);
      if (q && nowUs - q.tsUs < config.execution.stale_ms * 1000) recorder.quote(s, nowUs, q.bid, q.ask, q.bidSize, q.askSize);
    }
  }
  await Promise.race([market.settle(), new Promise((r) => setTimeout(r, Math.min(live.shutdown_wait_ms, 5000)).unref())]);
  closeAll();

  // Write: the tape, the orders as run, then the run directory (run.json last).
  const outDir = resolve(options.outDir);
  const tapeDir = join(outDir, 'tape');
  const tapeDays = recorder ? recorder.write(tapeDir) : [];
  const rank = new Map(parents.map(({ p }, i) => [p.clientOrderId, i]));
  records.sort((a, b) => (rank.get(a.clientOrderId) ?? 0) - (rank.get(b.clientOrderId) ?? 0));
  writeOrdersCsv(join(outDir, 'orders.csv'), records, arrivals);
  const files = writeRunDir(outDir, {
    records,
    manifest: {
      ladderlab: ladderlabVersion(),
      command: 'live',
      mode: endpoints.liveMoney ? 'live-money' : endpoints.loopback ? 'rehearsal' : 'paper',
      dataDir: recorder ? tapeDir : null,
      orders: { ...(options.ordersInfo ?? {}), asRun: join(outDir, 'orders.csv') },
      seed: config.seed,
      config,
      endpoints: {
        trading: endpoints.tradingUrl,
        data: endpoints.dataUrl,
        tradingStream: endpoints.tradingStreamUrl,
        dataStream: endpoints.dataStreamUrl,
      },
      feed: live.feed,
      speed: live.speed,
      runTag,
      clientIdPrefix: `${live.client_id_prefix}${runTag}-`,
      interrupted,
      error: fatalError === null ? null : describe(fatalError),
      notStarted,
      unconfirmedCancels: unconfirmed,
      reconciled,
      tape: recorder ? { symbolDays: tapeDays, quotes: recorder.quoteCount, trades: recorder.tradeCount } : null,
      live: market.stats,
      quotes: market.quotes.stats,
    },
  });
  files['orders.csv'] = join(outDir, 'orders.csv');
  if (recorder) files.tape = tapeDir;
  return { records, interrupted, error: fatalError, files, stats: market.stats, reconciled, notStarted, unconfirmed, endpoints, runTag };

  function closeAll(): void {
    market.stop();
    clock.stop();
    api.dataStream.close();
    api.tradeStream.close();
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
}

/** OUT/orders.csv: the parents as the engine got them (ts = the arrival it used), for a replay. */
function writeOrdersCsv(path: string, records: readonly ExecutionRecord[], arrivals: Map<string, number>): void {
  const lines = ['ts,symbol,side,qty,client_order_id'];
  for (const r of records) lines.push(`${formatIsoUtcUs(arrivals.get(r.clientOrderId) ?? r.arrivalTsUs)},${r.symbol},${r.side},${r.qty},${r.clientOrderId}`);
  writeFileAtomic(path, `${lines.join('\n')}\n`);
}
