/**
 * The text summary `ladderlab backtest` prints: the same tables, from the same functions, options
 * and bootstrap labels as the HTML report (tables.ts), so the two print the same numbers for the
 * same run. Nothing here computes a metric; it only selects and formats.
 */
import type { ColumnTable } from 'arquero';
import type { LadderConfig } from '../config.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { type Row, bps, count, percent, seconds, withInterval } from './format.ts';
import type { RobustnessScenario } from '../records/robustness.ts';
import { type Headline, formatHeadline, headline } from './headline.ts';
import { type MidAt, runMetrics } from './metrics.ts';
import { type Robustness, robustnessRows, robustnessVerdict } from './robustness.ts';
import { type TableOptions, fillRateByStepTable, ladderVsBaselineTable, parentsTable, speedVsPriceTable } from './tables.ts';

/** Block-bootstrap replicates of the report and the backtest summary. */
export const DEFAULT_REPLICATES = 1000;

export interface SummaryInput {
  records: readonly ExecutionRecord[];
  baseline: readonly ExecutionRecord[] | null;
  config: LadderConfig;
  midAt: MidAt;
  replicates: number;
  seed: string | number;
  /** The robustness band's scenarios (robustness.arrow), or null when not run. */
  robustness: readonly RobustnessScenario[] | null;
}

export interface SummaryTables {
  headline: Headline;
  robustness: Robustness | null;
  fillRateByStep: ColumnTable;
  speedVsPrice: ColumnTable;
  ladderVsBaseline: ColumnTable | null;
}

export function tableOptions(config: LadderConfig, replicates: number, seed: string | number): TableOptions {
  return { progressiveSteps: config.execution.progressive_steps, replicates, seed };
}

/** The summary's tables, computed exactly as buildTables computes them for the report. */
export function summaryTables(input: SummaryInput): SummaryTables {
  const ladder = runMetrics(input.records, input.midAt);
  const baseline = input.baseline ? runMetrics(input.baseline, input.midAt) : null;
  const parents = parentsTable(ladder, baseline);
  const options = tableOptions(input.config, input.replicates, input.seed);
  const ladderVsBaseline = ladderVsBaselineTable(parents, baseline !== null, options);
  const all = (ladderVsBaseline?.objects() as Row[] | undefined)?.find((r) => r.side === 'all') ?? null;
  return {
    headline: headline(all, ladder.length),
    robustness: input.robustness ? robustnessVerdict(robustnessRows(input.robustness, input.records, input.midAt, options)) : null,
    ladderVsBaseline,
    fillRateByStep: fillRateByStepTable(parents, options),
    speedVsPrice: speedVsPriceTable(parents, options),
  };
}

const rowsOf = (t: ColumnTable | null): Row[] => (t ? (t.objects() as Row[]) : []);

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned. */
export function formatColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
}

/** Fill rate per step by side: share filled completely at each step (cumulative in brackets). */
export function formatFillRateByStep(table: ColumnTable): string[] {
  const rows = rowsOf(table);
  const stepNames = [...new Set(rows.map((r) => String(r.stepLabel)))];
  const lines: string[][] = [['side', 'parents', ...stepNames]];
  for (const side of ['buy', 'sell', 'all']) {
    const mine = rows.filter((r) => r.side === side);
    if (mine.length === 0 || !(Number(mine[0].parents) > 0)) continue;
    lines.push([side, count(mine[0].parents), ...mine.map((r) => `${percent(r.share)} (${percent(r.cumulative)})`)]);
  }
  return formatColumns(lines);
}

/** Execution quality by side: fill rate, shortfall and the far-touch comparison with intervals, time to fill. */
export function formatSpeedVsPrice(table: ColumnTable): string[] {
  const lines: string[][] = [['side', 'parents', 'filled', 'shortfall bps', 'vs far touch bps', 'ttf median s', 'p90 s']];
  for (const r of rowsOf(table)) {
    if (!(Number(r.n) > 0)) continue;
    lines.push([
      String(r.side),
      count(r.n),
      percent(r.fillRate),
      withInterval(r, 'shortfallBps', bps),
      withInterval(r, 'vsFarTouchBps', bps),
      seconds(r.medianTimeToFillS),
      seconds(r.p90TimeToFillS),
    ]);
  }
  return formatColumns(lines);
}

/** Ladder vs the simulated market-order baseline by side (paired parents). */
export function formatLadderVsBaseline(table: ColumnTable | null): string[] {
  if (table === null) return ['market-order baseline not run (--no-baseline)'];
  const lines: string[][] = [['side', 'pairs', 'ladder shortfall bps', 'baseline shortfall bps', 'ladder − baseline bps']];
  for (const r of rowsOf(table)) {
    if (!(Number(r.pairs) > 0)) continue;
    lines.push([String(r.side), count(r.pairs), withInterval(r, 'ladderShortfallBps', bps), withInterval(r, 'baselineShortfallBps', bps), withInterval(r, 'vsBaselineBps', bps)]);
  }
  return formatColumns(lines);
}

/** The whole summary block (without the run line): three tables with their captions. */
export function formatSummary(tables: SummaryTables): string[] {
  const robustness = tables.robustness
    ? [
        '',
        tables.robustness.verdict,
        ...formatColumns([
          ['fill model', 'latency ms', 'pairs', 'ladder − market order bps', 'verdict'],
          ...tables.robustness.rows.map((r) => [r.fillModel, String(r.latencyMs), count(r.pairs), withInterval(r as unknown as Row, 'vsBaselineBps', bps), r.call]),
        ]),
      ]
    : [];
  return [
    ...formatHeadline(tables.headline),
    ...robustness,
    '',
    'fill rate by step (share of accepted parents completely filled at that step; cumulative in brackets)',
    ...formatFillRateByStep(tables.fillRateByStep),
    '',
    'execution quality by side (bps, a cost: mean [95 % block-bootstrap interval]; time to fill: completely filled parents)',
    ...formatSpeedVsPrice(tables.speedVsPrice),
    '',
    'ladder vs market-order baseline by side (implementation shortfall, a cost: positive = the ladder cost more)',
    ...formatLadderVsBaseline(tables.ladderVsBaseline),
  ];
}
