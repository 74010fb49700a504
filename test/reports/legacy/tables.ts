// The arquero block bootstrap (row weights × replicates) the report used before per-block sums: kept as the reference the new path is checked against (1e-9 relative).
/**
 * The report's tables (DESIGN §5), built with arquero from per-parent metrics, each statistic
 * with a 95 % block-bootstrap interval by arrival minute (bootstrap.ts). Every statistic is a
 * weighted aggregate (w = the row's bootstrap weight; 1 for the point estimate):
 *
 *   fill rate per step k (parents = accepted parents; "filled at k" = fully filled, last fill at k):
 *     share_k       = Σw·[filled at k] / Σw
 *     cumulative_k  = Σ_{j≤k} share_j
 *     conditional_k = share_k / (1 − cumulative_{k−1})  (of the parents still open at step k;
 *                     parents that ended unfilled before step k count as still open)
 *   by spread bucket (arrival spreadPct): means of shortfall, paired improvement vs the simulated
 *     baseline, analytic improvement vs the arrival far touch (parents equally weighted)
 *   speed vs price by side: fill rate, mean time to fill (filled parents), mean shortfall
 *   markouts by side and horizon: filled-qty-weighted means  Σw·q·x / Σw·q
 *   ladder vs baseline by side: mean shortfall of each (paired parents only) and the mean paired
 *     improvement = baseline shortfall − ladder shortfall (positive = the ladder saved)
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { type BootstrapOptions, blockBootstrap, weightedCount, weightedMean, weightedMeanBy } from './bootstrap.ts';
import { MARKOUT_HORIZONS_S, type ParentMetrics, SPREAD_BUCKETS } from '../../../src/reports/metrics.ts';

export interface TableOptions {
  /** Limit steps S of the run's config; step S is the market step. */
  progressiveSteps: number;
  replicates: number;
  seed: string | number;
}

export interface ReportTables {
  /** All metrics rows (one per accepted parent), with the paired baseline columns. */
  parents: ColumnTable;
  fillRateByStep: ColumnTable;
  bySpreadBucket: ColumnTable;
  speedVsPrice: ColumnTable;
  markouts: ColumnTable;
  /** null when the run has no baseline. */
  ladderVsBaseline: ColumnTable | null;
  executionDetails: ColumnTable;
  overall: ColumnTable;
}

function bootstrapOptions(options: TableOptions, label: string, columns: readonly string[]): BootstrapOptions {
  return { replicates: options.replicates, seed: options.seed, label, columns };
}

/**
 * One row per accepted ladder parent; with a baseline, its paired columns joined on
 * client_order_id: baselineShortfallBps, baselineTimeToFillS, and
 * improvementBaselineBps = baselineShortfallBps − shortfallBps (null unless both are known).
 */
export function parentsTable(ladder: readonly ParentMetrics[], baseline: readonly ParentMetrics[] | null): ColumnTable {
  const rows = aq.from(ladder as ParentMetrics[], Object.keys(ladder[0] ?? { clientOrderId: 1 }));
  const byId = new Map((baseline ?? []).map((b) => [b.clientOrderId, b]));
  const baselineShortfallBps = ladder.map((m) => byId.get(m.clientOrderId)?.shortfallBps ?? null);
  return rows.assign({
    baselineShortfallBps,
    baselineTimeToFillS: ladder.map((m) => byId.get(m.clientOrderId)?.timeToFillS ?? null),
    improvementBaselineBps: ladder.map((m, i) => {
      const b = baselineShortfallBps[i];
      const x = m.shortfallBps === null || b === null ? Number.NaN : b - m.shortfallBps;
      return Number.isFinite(x) ? x : null;
    }),
  });
}

/** Steps are numbered 1 … S for people (as `ladderlab ladder` prints them); fillStep k is step k + 1. */
export function stepLabel(step: number, progressiveSteps: number): string {
  return step >= progressiveSteps ? 'market' : step === 0 ? 'step 1 (mid)' : `step ${step + 1}`;
}

/** `table` grouped by the bootstrap's `by` columns and then `keys` (ungrouped when both are empty). */
function grouped(table: ColumnTable, by: readonly string[], ...keys: string[]): ColumnTable {
  const all = [...by, ...keys];
  return all.length > 0 ? table.groupby(...all) : table;
}

/** Left joins leave `undefined` in rows without a match: make every missing cell null. */
function missingAsNull(table: ColumnTable): ColumnTable {
  const exprs: Record<string, string> = {};
  for (const name of table.columnNames()) exprs[name] = `d[${JSON.stringify(name)}] === undefined ? null : d[${JSON.stringify(name)}]`;
  return table.derive(exprs);
}

function concatAll(tables: ColumnTable[]): ColumnTable {
  return tables[0].concat(...tables.slice(1));
}

const FILL_RATE_COLUMNS = ['side', 'fillStep'];

/** Fill rate per step by side (buy, sell, all): per-step share, cumulative and conditional, with intervals. */
export function fillRateByStepTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const maxObserved = parents.numRows() > 0 ? ((parents.rollup({ m: 'op.max(d.fillStep)' }).get('m', 0) as number | undefined) ?? 0) : 0;
  const lastStep = Math.max(options.progressiveSteps, maxObserved);
  const stepList = Array.from({ length: lastStep + 1 }, (_, k) => k);
  const statistic = (weighted: ColumnTable, by: readonly string[]) => {
    const sums: Record<string, string> = { parents: 'op.sum(d.w)' };
    for (const k of stepList) sums[`filled${k}`] = `op.sum(d.fillStep === ${k} ? d.w : 0)`;
    const wide = bySideAndAll(weighted, by, sums);
    const long = concatAll(stepList.map((k) => wide.select(...by, 'side', 'parents', { [`filled${k}`]: 'filledAt' }).derive({ fillStep: `${k}` })));
    return grouped(long, by, 'side')
      .orderby('fillStep')
      .derive({ share: 'd.filledAt / d.parents', cumulative: aq.rolling('d => op.sum(d.filledAt) / op.max(d.parents)') })
      .derive({ conditional: 'd.share / (1 - op.lag(d.cumulative, 1, 0))' })
      .ungroup();
  };
  const table = blockBootstrap(
    parents,
    'arrivalMinute',
    ['side', 'fillStep'],
    ['share', 'cumulative', 'conditional'],
    statistic,
    bootstrapOptions(options, 'fill-rate-by-step', FILL_RATE_COLUMNS),
  );
  const labels = SIDE_ROWS.cross(aq.table({ fillStep: stepList, stepLabel: stepList.map((k) => stepLabel(k, options.progressiveSteps)) }));
  return missingAsNull(labels.join_left(table, [['side', 'fillStep'], ['side', 'fillStep']]).orderby('sideOrder', 'fillStep'))
    .derive({ parents: 'd.parents == null ? 0 : d.parents', filledAt: 'd.filledAt == null ? 0 : d.filledAt' })
    .reify();
}

const BUCKET_COLUMNS = ['spreadBucket', 'shortfallBps', 'improvementBaselineBps', 'improvementFarTouchBps'];

/** Shortfall and improvements by arrival spread bucket (all three buckets, empty ones with n = 0). */
export function bySpreadBucketTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const statistic = (weighted: ColumnTable, by: readonly string[]) =>
    grouped(weighted.filter('d.spreadBucket != null'), by, 'spreadBucket').rollup({
      n: 'op.sum(d.w)',
      shortfallBps: weightedMean('shortfallBps'),
      improvementBaselineBps: weightedMean('improvementBaselineBps'),
      pairedN: weightedCount('improvementBaselineBps'),
      improvementFarTouchBps: weightedMean('improvementFarTouchBps'),
    });
  const table = blockBootstrap(
    parents,
    'arrivalMinute',
    ['spreadBucket'],
    ['shortfallBps', 'improvementBaselineBps', 'improvementFarTouchBps'],
    statistic,
    bootstrapOptions(options, 'by-spread-bucket', BUCKET_COLUMNS),
  );
  const buckets = aq.table({ spreadBucket: SPREAD_BUCKETS as string[], bucketOrder: SPREAD_BUCKETS.map((_, i) => i) });
  return missingAsNull(buckets.join_left(table, 'spreadBucket').orderby('bucketOrder'))
    .derive({ n: 'd.n == null ? 0 : d.n', pairedN: 'd.pairedN == null ? 0 : d.pairedN' })
    .reify();
}

const SIDE_ROWS = aq.table({ side: ['buy', 'sell', 'all'], sideOrder: [0, 1, 2] });

/** Group by side and add an "all" row computed from the same weights. */
function bySideAndAll(weighted: ColumnTable, by: readonly string[], rollup: Record<string, string>): ColumnTable {
  const perSide = grouped(weighted, by, 'side').rollup(rollup);
  const all = grouped(weighted, by).rollup(rollup).derive({ side: () => 'all' });
  return perSide.concat(all);
}

/** Every side row (buy, sell, all) in that order, with n-like columns 0 when the side is absent. */
function sideRows(table: ColumnTable, countColumns: string[]): ColumnTable {
  const zeros: Record<string, string> = {};
  for (const c of countColumns) zeros[c] = `d.${c} == null ? 0 : d.${c}`;
  return missingAsNull(SIDE_ROWS.join_left(table, 'side').orderby('sideOrder')).derive(zeros);
}

const SPEED_COLUMNS = ['side', 'complete', 'timeToFillS', 'shortfallBps', 'improvementFarTouchBps'];

/** Speed vs price by side: fill rate, mean time to fill, mean shortfall and far-touch improvement. */
export function speedVsPriceTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const statistic = (weighted: ColumnTable, by: readonly string[]) =>
    bySideAndAll(weighted, by, {
      n: 'op.sum(d.w)',
      fillRate: weightedMean('complete'),
      timeToFillS: weightedMean('timeToFillS'),
      shortfallBps: weightedMean('shortfallBps'),
      improvementFarTouchBps: weightedMean('improvementFarTouchBps'),
    });
  const table = blockBootstrap(
    parents,
    'arrivalMinute',
    ['side'],
    ['fillRate', 'timeToFillS', 'shortfallBps', 'improvementFarTouchBps'],
    statistic,
    bootstrapOptions(options, 'speed-vs-price', SPEED_COLUMNS),
  );
  // Medians are point estimates only (a weighted median is not an arquero aggregate).
  const medians = bySideAndAll(parents, [], { medianTimeToFillS: 'op.median(d.timeToFillS)', p90TimeToFillS: 'op.quantile(d.timeToFillS, 0.9)' });
  return sideRows(table.join_left(medians, 'side'), ['n']).reify();
}

/** Markouts, realized spread and price impact by side and horizon (long format), with null counts. */
export function markoutsTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const rollup: Record<string, string> = {
    filledParents: 'op.sum(d.filledQty > 0 ? d.w : 0)',
    effectiveSpreadBps: weightedMeanBy('effectiveSpreadBps', 'filledQty'),
  };
  const statColumns: string[] = ['effectiveSpreadBps'];
  const columns: string[] = ['side', 'filledQty', 'effectiveSpreadBps'];
  for (const h of MARKOUT_HORIZONS_S) {
    for (const metric of ['markout', 'realizedSpread', 'priceImpact']) {
      rollup[`${metric}${h}sBps`] = weightedMeanBy(`${metric}${h}sBps`, 'filledQty');
      statColumns.push(`${metric}${h}sBps`);
      columns.push(`${metric}${h}sBps`);
    }
    rollup[`unknown${h}s`] = `op.sum(d.filledQty > 0 && d.markout${h}sBps == null ? d.w : 0)`;
  }
  const wide = sideRows(
    blockBootstrap(parents, 'arrivalMinute', ['side'], statColumns, (weighted, by) => bySideAndAll(weighted, by, rollup), bootstrapOptions(options, 'markouts', columns)),
    ['filledParents', ...MARKOUT_HORIZONS_S.map((h) => `unknown${h}s`)],
  );
  const long = MARKOUT_HORIZONS_S.map((h) => {
    const rename: Record<string, string> = { side: 'side', sideOrder: 'sideOrder', filledParents: 'filledParents', [`unknown${h}s`]: 'unknownHorizon' };
    for (const metric of ['markout', 'realizedSpread', 'priceImpact']) {
      for (const suffix of ['', '_lo', '_hi']) rename[`${metric}${h}sBps${suffix}`] = `${metric}Bps${suffix}`;
    }
    for (const suffix of ['', '_lo', '_hi']) rename[`effectiveSpreadBps${suffix}`] = `effectiveSpreadBps${suffix}`;
    return wide.select(rename).derive({ horizonS: `${h}` });
  });
  return concatAll(long).orderby('sideOrder', 'horizonS').reify();
}

const BASELINE_COLUMNS = ['side', 'shortfallBps', 'baselineShortfallBps', 'improvementBaselineBps', 'timeToFillS', 'baselineTimeToFillS'];

/** Ladder vs the simulated market-order baseline, paired parents only; null without a baseline. */
export function ladderVsBaselineTable(parents: ColumnTable, hasBaseline: boolean, options: TableOptions): ColumnTable | null {
  if (!hasBaseline) return null;
  const paired = parents.filter('d.improvementBaselineBps != null');
  const statistic = (weighted: ColumnTable, by: readonly string[]) =>
    bySideAndAll(weighted, by, {
      pairs: 'op.sum(d.w)',
      ladderShortfallBps: weightedMean('shortfallBps'),
      baselineShortfallBps: weightedMean('baselineShortfallBps'),
      improvementBps: weightedMean('improvementBaselineBps'),
      ladderTimeToFillS: weightedMean('timeToFillS'),
      baselineTimeToFillS: weightedMean('baselineTimeToFillS'),
    });
  const table = blockBootstrap(
    paired,
    'arrivalMinute',
    ['side'],
    ['ladderShortfallBps', 'baselineShortfallBps', 'improvementBps', 'ladderTimeToFillS', 'baselineTimeToFillS'],
    statistic,
    bootstrapOptions(options, 'ladder-vs-baseline', BASELINE_COLUMNS),
  );
  return sideRows(table, ['pairs']).reify();
}

/**
 * Execution details by side (point estimates): effective spread (qty-weighted), distinct price
 * levels sent and filled at, share of the filled qty beyond the far side's displayed size at
 * arrival (Σ beyond / Σ filled), and the mean fill step of fully filled parents.
 */
export function executionDetailsTable(parents: ColumnTable): ColumnTable {
  if (parents.numRows() === 0) return aq.table({ side: [] });
  const withW = parents.assign({ w: new Float64Array(parents.numRows()).fill(1) });
  return sideRows(bySideAndAll(withW, [], {
    n: 'op.count()',
    effectiveSpreadBps: weightedMeanBy('effectiveSpreadBps', 'filledQty'),
    priceLevelsSent: 'op.mean(d.priceLevelsSent)',
    fillPriceLevels: 'op.mean(d.filledQty > 0 ? d.fillPriceLevels : null)',
    beyondDisplayedShare: 'op.sum(d.beyondDisplayedQty) / op.sum(d.beyondDisplayedQty == null ? null : d.filledQty)',
    fillStep: 'op.mean(d.fillStep)',
  }), ['n']).reify();
}

/** One row for the verdict: the headline statistics over all accepted parents. */
export function overallTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const statistic = (weighted: ColumnTable, by: readonly string[]) =>
    grouped(weighted, by).rollup({
      n: 'op.sum(d.w)',
      fillRate: weightedMean('complete'),
      shortfallBps: weightedMean('shortfallBps'),
      improvementBaselineBps: weightedMean('improvementBaselineBps'),
      pairedN: weightedCount('improvementBaselineBps'),
      improvementFarTouchBps: weightedMean('improvementFarTouchBps'),
      timeToFillS: weightedMean('timeToFillS'),
    });
  const table = blockBootstrap(
    parents,
    'arrivalMinute',
    [],
    ['fillRate', 'shortfallBps', 'improvementBaselineBps', 'improvementFarTouchBps', 'timeToFillS'],
    statistic,
    bootstrapOptions(options, 'overall', ['complete', 'shortfallBps', 'improvementBaselineBps', 'improvementFarTouchBps', 'timeToFillS']),
  );
  const extras = parents.rollup({
    medianTimeToFillS: 'op.median(d.timeToFillS)',
    savedFarTouchUsd: 'op.sum(d.improvementFarTouchUsd)',
    marketStepParents: `op.sum(d.fillStep != null && d.fillStep >= ${options.progressiveSteps} ? 1 : 0)`,
    filledQty: 'op.sum(d.filledQty)',
    qty: 'op.sum(d.qty)',
  });
  return (parents.numRows() > 0 ? table.assign(extras) : table).reify();
}

/** The bootstrap tables buildTables makes, in order (for progress reporting). */
export const TABLE_STAGES = ['fill rate', 'spread buckets', 'speed vs price', 'markouts', 'baseline', 'details', 'overall'] as const;

/** Every report table; `onStage` is called after each one (progress bars on long runs). */
export function buildTables(
  ladder: readonly ParentMetrics[],
  baseline: readonly ParentMetrics[] | null,
  options: TableOptions,
  onStage: (stage: (typeof TABLE_STAGES)[number]) => void = () => {},
): ReportTables {
  const parents = parentsTable(ladder, baseline);
  const step = <T>(stage: (typeof TABLE_STAGES)[number], table: T): T => {
    onStage(stage);
    return table;
  };
  return {
    parents,
    fillRateByStep: step('fill rate', fillRateByStepTable(parents, options)),
    bySpreadBucket: step('spread buckets', bySpreadBucketTable(parents, options)),
    speedVsPrice: step('speed vs price', speedVsPriceTable(parents, options)),
    markouts: step('markouts', markoutsTable(parents, options)),
    ladderVsBaseline: step('baseline', ladderVsBaselineTable(parents, baseline !== null, options)),
    executionDetails: step('details', executionDetailsTable(parents)),
    overall: step('overall', overallTable(parents, options)),
  };
}

/** Current metrics under the names and signs this old path read (savings were positive). */
export function legacyMetrics(rows: readonly ParentMetrics[]): ParentMetrics[] {
  return rows.map((m) => {
    const old: Record<string, unknown> = { ...m, improvementFarTouchBps: neg(m.vsFarTouchBps), improvementFarTouchUsd: neg(m.vsFarTouchUsd) };
    for (const h of [1, 5, 60]) old[`markout${h}sBps`] = neg(m[`markout${h}sBps` as 'markout1sBps']);
    return old as unknown as ParentMetrics;
  });
}

const neg = (x: number | null) => (x === null ? null : -x);
