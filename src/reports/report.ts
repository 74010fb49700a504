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
import type { RobustnessScenario } from '../records/robustness.ts';
import { assumptionRows, assumptionsHtml } from './assumptions.ts';
import { breakdownTable, differenceHistogram } from './breakdowns.ts';
import { BASELINE_MISSING, differenceHistogramChart, reportCharts } from './charts.ts';
import { degenerateLadders, degenerateLine } from './degenerate.ts';
import type { Row } from './format.ts';
import { type Section, escapeHtml, renderPage } from './html.ts';
import { type MidAt, runMetrics } from './metrics.ts';
import { renderSvg } from './render.ts';
import { loadRun } from '../records/read.ts';
import { type Robustness, robustnessHtml, robustnessRows, robustnessVerdict } from './robustness.ts';
import { DEFINITIONS, baselineTable, breakdownsTable, detailsTable, fillRateTable, markoutTable, markoutsVsBaselineTable, speedTable, spreadTable } from './run-sections.ts';
import { tableOptions } from './summary.ts';
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
  /** The tape directory the run replayed (shown in the assumptions). */
  dataDir?: string | null;
  /** The robustness band's scenarios (robustness.arrow), or null when not run. */
  robustness?: readonly RobustnessScenario[] | null;
  /** Called as each stage finishes: metrics, the tables, the charts. */
  onProgress?: (done: number, total: number, stage: string) => void;
}

/** Stages reported through onProgress. */
export const REPORT_STAGES = ['metrics', ...TABLE_STAGES, 'breakdowns and robustness', 'charts'] as const;

export interface Report {
  html: string;
  tables: ReportTables;
  verdict: Verdict;
  breakdowns: ColumnTable;
  robustness: Robustness;
  degenerate: string;
}

const rowsOf = (t: ColumnTable | null): Row[] => (t ? (t.objects() as Row[]) : []);

export async function buildReport(input: ReportInput): Promise<Report> {
  let done = 0;
  const progress = (stage: string) => input.onProgress?.(++done, REPORT_STAGES.length, stage);
  const ladder = runMetrics(input.records, input.midAt);
  const baseline = input.baseline ? runMetrics(input.baseline, input.midAt) : null;
  const rejected = input.records.length - ladder.length;
  progress('metrics');
  const options = tableOptions(input.config, input.replicates, input.seed);
  const tables = buildTables(ladder, baseline, options, progress);
  const breakdowns = breakdownTable(tables.parents, input.records, input.config, options);
  const robustness = robustnessVerdict(input.robustness ? robustnessRows(input.robustness, input.records, input.midAt, options) : []);
  progress('breakdowns and robustness');
  const baselineRows = rowsOf(tables.ladderVsBaseline);
  const markoutVsBaseline = rowsOf(tables.markoutsVsBaseline);
  const longest = markoutVsBaseline.filter((r) => r.side === 'all').sort((a, b) => (b.horizonS as number) - (a.horizonS as number))[0] ?? null;
  const theVerdict = verdict({
    overall: rowsOf(tables.overall)[0] ?? {},
    baselineAll: baselineRows.find((r) => r.side === 'all') ?? null,
    markoutLongest: longest,
    acceptedParents: ladder.length,
    rejectedParents: rejected,
  });
  const degenerate = degenerateLine(degenerateLadders(input.records, input.config), input.config);
  const assumptions = assumptionRows({ config: input.config, records: input.records, runInfo: (input.run ?? {}) as Record<string, unknown>, dataDir: input.dataDir ?? null, seed: input.seed, replicates: input.replicates, degenerateLine: degenerate });
  const charts = { ...reportCharts(tables), histogram: differenceHistogramChart(differenceHistogram(tables.parents)) };
  const svg: Record<string, string> = {};
  for (const [id, spec] of Object.entries(charts)) svg[id] = await renderSvg(spec);
  progress('charts');
  const noBaseline = `<p class="note">${BASELINE_MISSING}. Rerun the backtest with the baseline to compare.</p>`;
  const sections: Section[] = [
    { id: 'robustness', title: 'Robustness: the headline under other fill models and latencies', lead: 'The same parents re-run, ladder and market order, under each fill model and latency (entry, cancel and response). Robust only if every row agrees in sign with its interval excluding zero.', table: robustnessHtml(robustness) },
    { id: 'baseline', title: 'Ladder vs market-order baseline', lead: 'The same parent orders, sent at arrival as market steps through the same simulated market; the decomposition of the headline by side.', svg: svg.baseline, table: input.baseline ? baselineTable(baselineRows) : noBaseline },
    { id: 'breakdowns', title: 'Breakdowns', lead: 'The headline by symbol, New York day, side, arrival spread (in ticks and in %) and time of day, and how it is spread over the parents. Rows with fewer than 30 parents are thin.', svg: svg.histogram, table: breakdownsTable(rowsOf(breakdowns)) },
    { id: 'degenerate', title: 'Degenerate ladders', lead: 'Ladders whose limit steps round to fewer distinct prices than steps (rebuilt from each arrival quote with the engine\'s pricing).', table: `<p class="degenerate-line">${escapeHtml(degenerate)}</p>` },
    { id: 'fill-rate', title: 'Fill rate per step, by side', lead: 'How many parent orders were completely filled at each ladder step, and by it; grey ranges are the published claim, for comparison.', svg: svg.fillRate, table: fillRateTable(rowsOf(tables.fillRateByStep)) },
    { id: 'spread-buckets', title: 'Costs by arrival spread', lead: 'The ladder\'s shortfall, its difference from the market order and its comparison with the arrival far touch, by how wide the spread was when the order arrived.', svg: svg.spreadBuckets, table: spreadTable(rowsOf(tables.bySpreadBucket)), note: input.baseline ? undefined : 'The market-order baseline was not run: the "ladder − market order" column is empty.' },
    { id: 'time-to-fill', title: 'Speed vs price by side', lead: 'How long the ladder takes to fill completely, and what each side paid for it.', svg: svg.timeToFill, table: speedTable(rowsOf(tables.speedVsPrice)) },
    { id: 'markouts', title: 'Markouts after fills, against the market order\'s', lead: 'Where the mid went 1, 5 and 60 seconds after each fill, relative to the fill price, as a cost (positive = the mid moved against the fill), and the same for the market order on the same parents.', svg: svg.markouts, table: (input.baseline ? markoutsVsBaselineTable(markoutVsBaseline) : noBaseline) + markoutTable(rowsOf(tables.markouts)) },
    { id: 'details', title: 'Execution details', lead: 'Effective spread, how many distinct prices the ladder used, and how much of the filled quantity exceeded what was displayed on the far side at arrival.', table: detailsTable(rowsOf(tables.executionDetails)) },
  ];
  const html = renderPage({
    title: input.title,
    meta: input.meta,
    assumptions: assumptionsHtml(assumptions),
    verdict: theVerdict,
    sections,
    definitions: DEFINITIONS,
    specs: { ...charts },
    run: { config: input.config, run: input.run },
  });
  return { html, tables, verdict: theVerdict, breakdowns, robustness, degenerate };
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
    dataDir: run.dataDir,
    robustness: run.robustness,
    onProgress: options.onProgress,
  });
  const out = resolve(options.out ?? join(run.runDir, 'report.html'));
  writeFileAtomic(out, report.html);
  return out;
}
