/**
 * A run directory → one self-contained HTML report: load the records, compute the metrics
 * (metrics.ts) against the tape's mids, build the bootstrap tables (tables.ts), draw the charts
 * (charts.ts → render.ts), write the verdict and the page, and write it atomically.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { basename, join, resolve } from 'node:path';
import type { ColumnTable } from 'arquero';
import type { LadderConfig } from '../config.ts';
import { nyDay } from '../core/calendar.ts';
import { InputError } from '../core/errors.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { BASELINE_MISSING, SEED_CLAIMED_FILL_RATES, reportCharts } from './charts.ts';
import { type Row, bps, count, percent, seconds, withInterval } from './format.ts';
import { type Column, type Section, htmlTable, renderPage } from './html.ts';
import { type MidAt, runMetrics } from './metrics.ts';
import { renderSvg } from './render.ts';
import { loadRun } from '../records/read.ts';
import { type ReportTables, TABLE_STAGES, buildTables } from './tables.ts';
import { noMids, tapeMidAt } from './tape-mids.ts';
import { type Verdict, verdict } from './verdict.ts';

export { DEFAULT_REPLICATES } from './summary.ts';
import { DEFAULT_REPLICATES } from './summary.ts';

export interface ReportInput {
  title: string;
  /** [label, value] lines describing the run, shown under the title. */
  meta: [string, string][];
  config: LadderConfig;
  seed: string | number;
  records: readonly ExecutionRecord[];
  baseline: readonly ExecutionRecord[] | null;
  midAt: MidAt;
  replicates: number;
  /** Embedded verbatim as JSON (run.json). */
  run: unknown;
  /** Called as each stage finishes: metrics, the tables, the charts. */
  onProgress?: (done: number, total: number, stage: string) => void;
}

/** Stages reported through onProgress. */
export const REPORT_STAGES = ['metrics', ...TABLE_STAGES, 'charts'] as const;

export interface Report {
  html: string;
  tables: ReportTables;
  verdict: Verdict;
}

const rowsOf = (t: ColumnTable | null): Row[] => (t ? (t.objects() as Row[]) : []);
const num = (label: string, cell: (r: Row) => string): Column => ({ label, cell, numeric: true });
const text = (label: string, cell: (r: Row) => string): Column => ({ label, cell });

const DEFINITIONS: [string, string][] = [
  ['D', '+1 for a buy, −1 for a sell. M₀ = arrival mid, P = average fill price, F₀ = arrival far touch (buy: ask, sell: bid). bps = × 10 000.'],
  ['Implementation shortfall', 'D·(P − M₀)/M₀ on the filled quantity; unfilled quantity is charged its opportunity cost D·(M_end − M₀)/M₀ at the last mid of the parent\'s window; weighted by quantity within a parent. Positive = cost.'],
  ['Improvement vs market-order baseline', 'Baseline shortfall − ladder shortfall for the same parent: the baseline sends the same parent at arrival as a market step (collared marketable limit) through the same simulated market. Positive = the ladder saved.'],
  ['Improvement vs arrival far touch (analytic)', 'D·(F₀ − P)/M₀: what the fills saved against an assumed market order filling everything at the arrival touch (the seed\'s "saves $X vs market"; ignores depth and latency).'],
  ['Effective spread', '2·D·(p − M)/M per fill, M the mid when its child was sent; quantity-weighted.'],
  ['Markout at +Δ', 'D·(M₊Δ − p)/M₀ per fill, M₊Δ the mid Δ after the fill; quantity-weighted. Positive = the price moved our way after we traded. A parent with any fill whose horizon runs past the tape or the regular-session close has no value at that horizon (counted as "unknown").'],
  ['Realized spread, price impact', 'Realized 2·D·(p − M₊Δ)/M and impact 2·D·(M₊Δ − M)/M, M the mid at the child\'s send; effective spread = realized spread + price impact.'],
  ['Fill rate per step', 'Share of accepted parents fully filled with their last fill at the step; cumulative = filled by the step; conditional = filled at the step among parents still open when it began.'],
  ['Spread bucket', 'Arrival spread (ask − bid)/ask · 100, the same spreadPct the ladder and the risk checks use: < 0.5 %, 0.5–1.5 % (inclusive), > 1.5 %.'],
  ['Share beyond displayed size', 'max(0, filled qty − far-side displayed size at arrival)/filled qty, summed over parents: the part of the order a marketable order at arrival could not have taken at the touch.'],
  ['95 % intervals', 'Percentile intervals of a block bootstrap: arrival minutes are resampled with replacement (orders in the same minute stay together), seeded from the config seed.'],
];

function fillRateTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('step', (r) => String(r.stepLabel)),
    num('filled here', (r) => count(r.filledAt)),
    num('filled at this step', (r) => withInterval(r, 'share', percent)),
    num('filled by this step', (r) => withInterval(r, 'cumulative', percent)),
    num('of those still open', (r) => withInterval(r, 'conditional', percent)),
    num("seed's claim (by step)", (r) => {
      const claim = r.stepLabel === 'market' ? undefined : SEED_CLAIMED_FILL_RATES[r.fillStep as number];
      return claim ? `${percent(claim[0])}–${percent(claim[1])}` : '—';
    }),
  ]);
}

function spreadTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('arrival spread', (r) => String(r.spreadBucket)),
    num('parents', (r) => count(r.n)),
    num('shortfall (bps)', (r) => withInterval(r, 'shortfallBps', bps)),
    num('vs baseline (bps)', (r) => withInterval(r, 'improvementBaselineBps', bps)),
    num('vs far touch, analytic (bps)', (r) => withInterval(r, 'improvementFarTouchBps', bps)),
  ]);
}

function speedTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    num('parents', (r) => count(r.n)),
    num('filled completely', (r) => withInterval(r, 'fillRate', percent)),
    num('mean time to fill (s)', (r) => withInterval(r, 'timeToFillS', seconds)),
    num('median (s)', (r) => seconds(r.medianTimeToFillS)),
    num('shortfall (bps)', (r) => withInterval(r, 'shortfallBps', bps)),
    num('vs far touch, analytic (bps)', (r) => withInterval(r, 'improvementFarTouchBps', bps)),
  ]);
}

function markoutTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    text('horizon', (r) => `+${r.horizonS} s`),
    num('parents with fills', (r) => count(r.filledParents)),
    num('unknown (past tape/close)', (r) => count(r.unknownHorizon)),
    num('markout (bps)', (r) => withInterval(r, 'markoutBps', bps)),
    num('realized spread (bps)', (r) => withInterval(r, 'realizedSpreadBps', bps)),
    num('price impact (bps)', (r) => withInterval(r, 'priceImpactBps', bps)),
    num('effective spread (bps)', (r) => withInterval(r, 'effectiveSpreadBps', bps)),
  ]);
}

function baselineTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    num('pairs', (r) => count(r.pairs)),
    num('ladder shortfall (bps)', (r) => withInterval(r, 'ladderShortfallBps', bps)),
    num('baseline shortfall (bps)', (r) => withInterval(r, 'baselineShortfallBps', bps)),
    num('saving (bps)', (r) => withInterval(r, 'improvementBps', bps)),
    num('ladder time to fill (s)', (r) => withInterval(r, 'ladderTimeToFillS', seconds)),
    num('baseline time to fill (s)', (r) => withInterval(r, 'baselineTimeToFillS', seconds)),
  ]);
}

function detailsTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    num('parents', (r) => count(r.n)),
    num('effective spread (bps)', (r) => bps(r.effectiveSpreadBps)),
    num('price levels sent', (r) => (typeof r.priceLevelsSent === 'number' ? r.priceLevelsSent.toFixed(2) : '—')),
    num('fill price levels', (r) => (typeof r.fillPriceLevels === 'number' ? r.fillPriceLevels.toFixed(2) : '—')),
    num('qty beyond displayed size', (r) => percent(r.beyondDisplayedShare)),
    num('mean fill step', (r) => (typeof r.fillStep === 'number' ? r.fillStep.toFixed(2) : '—')),
  ]);
}

export async function buildReport(input: ReportInput): Promise<Report> {
  let done = 0;
  const progress = (stage: string) => input.onProgress?.(++done, REPORT_STAGES.length, stage);
  const ladder = runMetrics(input.records, input.midAt);
  const baseline = input.baseline ? runMetrics(input.baseline, input.midAt) : null;
  const rejected = input.records.length - ladder.length;
  progress('metrics');
  const tables = buildTables(
    ladder,
    baseline,
    { progressiveSteps: input.config.execution.progressive_steps, replicates: input.replicates, seed: input.seed },
    progress,
  );
  const markoutRows = rowsOf(tables.markouts);
  const longestAll = markoutRows.filter((r) => r.side === 'all').sort((a, b) => (b.horizonS as number) - (a.horizonS as number))[0] ?? null;
  const baselineRows = rowsOf(tables.ladderVsBaseline);
  const theVerdict = verdict({
    overall: rowsOf(tables.overall)[0] ?? {},
    baselineAll: baselineRows.find((r) => r.side === 'all') ?? null,
    markoutLongest: longestAll,
    acceptedParents: ladder.length,
    rejectedParents: rejected,
  });
  const charts = reportCharts(tables);
  const svgs = {
    fillRate: await renderSvg(charts.fillRate),
    spreadBuckets: await renderSvg(charts.spreadBuckets),
    timeToFill: await renderSvg(charts.timeToFill),
    markouts: await renderSvg(charts.markouts),
    baseline: await renderSvg(charts.baseline),
  };
  progress('charts');
  const sections: Section[] = [
    {
      id: 'fill-rate',
      title: 'Fill rate per step',
      lead: 'How many parent orders were completely filled at each ladder step, and by it; grey ranges are the seed\'s claimed fill rates, for comparison.',
      svg: svgs.fillRate,
      table: fillRateTable(rowsOf(tables.fillRateByStep).filter((r) => r.side === 'all')),
    },
    {
      id: 'spread-buckets',
      title: 'Shortfall and improvement by spread bucket',
      lead: 'Cost against the arrival mid, and the saving against a market order, by how wide the spread was when the order arrived.',
      svg: svgs.spreadBuckets,
      table: spreadTable(rowsOf(tables.bySpreadBucket)),
      note: input.baseline ? undefined : 'The market-order baseline was not run: the "vs baseline" column is empty.',
    },
    {
      id: 'time-to-fill',
      title: 'Speed vs price by side',
      lead: 'How long the ladder takes to fill completely, and what each side paid for it.',
      svg: svgs.timeToFill,
      table: speedTable(rowsOf(tables.speedVsPrice)),
    },
    {
      id: 'markouts',
      title: 'Markouts after fills',
      lead: 'Where the mid went 1, 5 and 60 seconds after each fill, relative to the fill price. Negative means the market moved against the ladder after it traded (adverse selection).',
      svg: svgs.markouts,
      table: markoutTable(markoutRows),
    },
    {
      id: 'baseline',
      title: 'Ladder vs market-order baseline',
      lead: 'The same parent orders, sent at arrival as market steps through the same simulated market.',
      svg: svgs.baseline,
      table: input.baseline ? baselineTable(baselineRows) : `<p class="note">${BASELINE_MISSING}. Rerun the backtest with the baseline to compare.</p>`,
    },
    {
      id: 'details',
      title: 'Execution details',
      lead: 'Effective spread, how many distinct prices the ladder used, and how much of the filled quantity exceeded what was displayed on the far side at arrival.',
      table: detailsTable(rowsOf(tables.executionDetails)),
    },
  ];
  const html = renderPage({
    title: input.title,
    meta: [...input.meta, ['parents', `${count(ladder.length)} accepted, ${count(rejected)} rejected`], ['bootstrap', `${count(input.replicates)} replicates, seed ${String(input.seed)}`]],
    verdict: theVerdict,
    sections,
    definitions: DEFINITIONS,
    specs: { ...charts },
    run: { config: input.config, run: input.run },
  });
  return { html, tables, verdict: theVerdict };
}

export interface ReportRunOptions {
  /** Output file; default RUN_DIR/report.html. */
  out?: string;
  replicates?: number;
  /** Tape directory for mids, instead of the one run.json names (a run moved to another machine). */
  dataDir?: string;
  onProgress?: ReportInput['onProgress'];
  /** Only the parents on these symbol-days (`--symbols/--from/--to`: data/catalogue.ts `isSelected`). */
  select?: (symbol: string, day: string) => boolean;
}

/** `ladderlab report RUN_DIR`: load, build, write; returns the report's path. */
export async function reportRunDir(runDir: string, options: ReportRunOptions = {}): Promise<string> {
  const run = loadRun(runDir);
  const select = options.select;
  if (select) {
    const selected = (r: ExecutionRecord) => select(r.symbol, nyDay(r.arrivalTsUs));
    run.records = run.records.filter(selected);
    if (run.baseline) run.baseline = run.baseline.filter(selected);
    if (run.records.length === 0) throw new InputError(`${runDir}: no parent of the run is on the selected symbol-days`);
  }
  if (options.dataDir !== undefined) {
    if (!existsSync(options.dataDir)) throw new InputError(`--data ${options.dataDir}: no such directory`);
    run.dataDir = resolve(options.dataDir);
  }
  const tapeFound = run.dataDir !== null && existsSync(run.dataDir);
  const meta: [string, string][] = [
    ['run', run.runDir],
    ['tape', tapeFound ? run.dataDir! : `${run.dataDir ?? 'not named in run.json'} (not found: markouts and opportunity costs unknown)`],
    ['baseline', run.baseline ? 'simulated market orders (baseline.arrow)' : 'not run'],
  ];
  const report = await buildReport({
    title: `ladderlab report — ${basename(run.runDir)}`,
    meta,
    config: run.config,
    seed: run.seed,
    records: run.records,
    baseline: run.baseline,
    midAt: tapeFound ? tapeMidAt(run.dataDir!) : noMids,
    replicates: options.replicates ?? DEFAULT_REPLICATES,
    run: run.runInfo,
    onProgress: options.onProgress,
  });
  const out = resolve(options.out ?? join(run.runDir, 'report.html'));
  writeFileAtomic(out, report.html);
  return out;
}
