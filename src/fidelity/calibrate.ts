/**
 * `ladderlab calibrate RUN_DIR…`: fit the simulator to observed children.
 *   1. load each run (observed.ts) and check it records receipt times and quote receipts;
 *   2. split parents by arrival order: even → fit, odd → goodness of fit (split.ts);
 *   3. latency channels from the even parents' own timestamps (latency-fit.ts: closed-form MLE);
 *   4. the queue model by simulated moments: child-level replay (fill-fit.ts); intensity A, k by
 *      the survival likelihood of the inside-spread children (intensity-fit.ts);
 *   5. the calibrated `sim` section re-simulates the odd parents (goodness.ts), beside the run's
 *      own sim section and the defaults.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { defaultConfig } from '../config.ts';
import type { SimConfig } from '../sim/config.ts';
import { dirTapeSource } from '../sim/backtest.ts';
import { FEED_RECEIPTS_FILE, readFeedReceipts, type FeedReceipt } from '../records/feed-receipts.ts';
import { replayChildrenOf } from './child-replay.ts';
import { childExposures, type ChildExposure } from './intensity-fit.ts';
import { makeTickTable } from '../engine/ticks.ts';
import { fillFitSteps, fitFillModel, type FillModelFit, type ReplaySet } from './fill-fit.ts';
import { stepRates, ttfQuantilesS, type GoodnessOfFit } from './goodness.ts';
import { feedDelays, fitChannel, latencyDelays, type ChannelFit } from './latency-fit.ts';
import { loadObservedRun, requireReceiptTimes, type ObservedRun } from './observed.ts';
import { reconcileRun, summarize, type VariantSummary } from './reconcile.ts';
import { inArrivalOrder, selectHalf } from './split.ts';

export interface CalibrateOptions {
  replicates?: number;
  /** A replayed fill matches an observed one within this many ms (default MATCH_MS). */
  matchMs?: number;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface Calibration {
  runDirs: string[];
  fitParents: number;
  holdoutParents: number;
  /** Children of the fit half resting inside the spread when they reached the venue (intensity's data). */
  insideSpreadChildren: number;
  /** Fill-time tolerance of the child replay, ms. */
  matchMs: number;
  latency: ChannelFit[];
  fill: FillModelFit;
  sim: SimConfig;
  /** Held-out parents under the calibrated sim (first), the runs' own sim, and the defaults. */
  goodness: GoodnessOfFit;
  comparison: VariantSummary[];
}

export const DEFAULT_REPLICATES = 200;
/**
 * Default fill-time tolerance: far below the seconds between the ladder's steps and the prints a
 * different queue estimate would fill on, above the stamp offsets between a venue and the tape.
 */
export const MATCH_MS = 50;

/**
 * Quote receipts (feed.arrow). A live run must have them (an older one is refused, naming the
 * field); a backtest used as a stand-in may not — its feed channel is then left as configured.
 */
function feedOf(run: ObservedRun): FeedReceipt[] {
  const path = join(run.runDir, FEED_RECEIPTS_FILE);
  if (!existsSync(path)) {
    if (run.command === 'backtest') return [];
    throw new InputError(`${path}: missing — field "recv_ts" of streamed quotes (feed latency) is not recorded in this run directory; record it again with this version of ladderlab live`);
  }
  return readFeedReceipts(run.runDir);
}

/** A child inside the spread at its venue arrival: better than its own side's touch in the quote it was priced from. */
function insideSpread(records: readonly ExecutionRecord[]): number {
  let n = 0;
  for (const r of records) {
    for (const c of r.children) {
      if (c.isMarketStep || !(c.sentBid > 0 && c.sentAsk > c.sentBid)) continue;
      if (r.side === 'buy' ? c.limitPrice > c.sentBid + 1e-9 && c.limitPrice < c.sentAsk - 1e-9 : c.limitPrice < c.sentAsk - 1e-9 && c.limitPrice > c.sentBid + 1e-9) n++;
    }
  }
  return n;
}

export function calibrateRuns(runDirs: readonly string[], options: CalibrateOptions = {}): Calibration {
  if (runDirs.length === 0) throw new InputError('calibrate: name at least one run directory');
  const replicates = options.replicates ?? DEFAULT_REPLICATES;
  const runs = runDirs.map(loadObservedRun);
  for (const run of runs) requireReceiptTimes(run);
  const feeds = runs.map(feedOf);
  const seed = runs[0].config.seed;
  const progress = options.onProgress ?? (() => {});
  const matchMs = options.matchMs ?? MATCH_MS;

  // 3. Latency on the fit half.
  const fitRecords = runs.map((run) => selectHalf(run.records, 'even'));
  const delays = runs.map((run) => latencyDelays(inArrivalOrder(run.records), (i) => i % 2 === 0));
  const latency: ChannelFit[] = [
    fitChannel('entry', delays.flatMap((d) => d.entry), replicates, seed),
    fitChannel('cancel', delays.flatMap((d) => d.cancel), replicates, seed),
    fitChannel('response', delays.flatMap((d) => d.response), replicates, seed),
    fitChannel('feed', feeds.flatMap(feedDelays), replicates, seed),
  ];

  // 4. Fill model: replay every child of each run, score the even parents' children.
  const base = runs[0].config.sim;
  const insideSpreadChildren = fitRecords.reduce((s, r) => s + insideSpread(r), 0);
  const fitIntensity = insideSpreadChildren > 0;
  const sets = replaySets(runs);
  const intensityExposures = fitIntensity ? sets.flatMap((set, r) => exposuresOf(set, runs[r])) : undefined;
  const fill = fitFillModel({ sim: base, sets, replicates, seed, matchToleranceUs: matchMs * 1000, intensityExposures, onStep: (d, t) => progress(d, t + 3, 'fill model') });
  const sim = calibratedSim(base, latency, fill);

  // 5. Held-out parents.
  const steps = fillFitSteps(fitIntensity);
  progress(steps, steps + 3, 'goodness of fit');
  const comparison = heldOut(runs, sim);
  progress(steps + 3, steps + 3, 'done');
  const calibrated = comparison[0];
  const goodness: GoodnessOfFit = {
    parents: calibrated.live.length,
    stepRates: stepRates(calibrated.live, calibrated.sim, runs[0].config.execution.progressive_steps),
    ttfObservedS: ttfQuantilesS(calibrated.live),
    ttfPredictedS: ttfQuantilesS(calibrated.sim),
    summary: calibrated.summary,
  };
  return {
    runDirs: runs.map((r) => r.runDir),
    fitParents: fitRecords.reduce((s, r) => s + r.length, 0),
    holdoutParents: calibrated.live.length,
    insideSpreadChildren,
    matchMs,
    latency,
    fill,
    sim,
    goodness,
    comparison: comparison.map((c) => c.summary),
  };
}

/** Each run's children, all replayed; the even parents' ones scored; parents kept apart across runs. */
function replaySets(runs: readonly ObservedRun[]): ReplaySet[] {
  let offset = 0;
  return runs.map((run) => {
    const ordered = inArrivalOrder(run.records);
    const children = replayChildrenOf(ordered, run.config.execution);
    const scored = children.flatMap((c, i) => (c.parentIndex % 2 === 0 ? [i] : []));
    const set = { seed: run.config.seed, tapes: dirTapeSource(run.tapeDir), children, scored, parentOffset: offset };
    offset += ordered.length;
    return set;
  });
}

/** The fit half's children as the intensity likelihood sees them (their quote intervals on the run's tape). */
function exposuresOf(set: ReplaySet, run: ObservedRun): ChildExposure[] {
  const scored = set.scored.map((i) => set.children[i]);
  return childExposures(scored, set.tapes, {
    ticks: makeTickTable(run.config.ticks.overrides),
    parentOffset: set.parentOffset,
    includeIneligible: run.config.sim.include_ineligible,
    stampResolutionUs: stampResolutionUs(run),
  });
}

/** Every fill stamped on a whole ms (a live run: trade-update times read through a Date): 1 ms; else 1 µs. */
function stampResolutionUs(run: ObservedRun): number {
  const fills = run.records.flatMap((r) => r.children.flatMap((c) => c.fills));
  return fills.length > 0 && fills.every((f) => f.tsUs % 1000 === 0) ? 1000 : 1;
}

/** The fitted `sim` section; a channel with no samples (e.g. no cancel raced nothing) keeps the run's setting. */
function calibratedSim(base: SimConfig, latency: readonly ChannelFit[], fill: FillModelFit): SimConfig {
  const byName = Object.fromEntries(latency.map((f) => [f.channel, f]));
  const channel = (f: ChannelFit) =>
    f.samples === 0 || !Number.isFinite(f.medianMs) ? base.latency[f.channel] : { ms: round(f.medianMs), jitter: f.jitter, sigma: f.jitter === 'lognormal' ? round(f.sigma) : 0.5 };
  return {
    ...base,
    fill_model: fill.fillModel,
    queue_prob: fill.queueProb,
    queue_power: round(fill.queuePower.value),
    p_touch: round(fill.pTouch.value),
    intensity: fill.intensity ? { a_per_s: round(fill.intensity.aPerS.value), k_per_tick: round(fill.intensity.kPerTick.value) } : base.intensity,
    latency: { entry: channel(byName.entry), cancel: channel(byName.cancel), response: channel(byName.response), feed: channel(byName.feed) },
  };
}

/** The odd parents of every run under the calibrated sim, the run's own, and the defaults (rows pooled across runs). */
function heldOut(runs: readonly ObservedRun[], sim: SimConfig): { label: string; live: ExecutionRecord[]; sim: ExecutionRecord[]; summary: VariantSummary }[] {
  const variantsOf = (run: ObservedRun) => [
    { label: 'calibrated', config: { ...run.config, sim } },
    { label: 'as run', config: run.config },
    { label: 'sim defaults', config: { ...run.config, sim: defaultConfig().sim } },
  ];
  const results = runs.map((run) => reconcileRun(run, variantsOf(run), { half: 'odd' }));
  return ['calibrated', 'as run', 'sim defaults'].map((label, v) => {
    const live = results.flatMap((r) => r.live);
    const simRecords = results.flatMap((r) => r.live.map((p) => r.simulated.get(label)!.get(p.clientOrderId)!));
    const rows = results.flatMap((r) => r.rows.filter((row) => row.variant === label));
    return { label, live, sim: simRecords, summary: summarize(results[0].variants[v], rows) };
  });
}

/** Four significant digits: a config a person can read, finer than any interval. */
export function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}
