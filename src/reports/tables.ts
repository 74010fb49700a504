/**
 * The report's tables (DESIGN §5), from per-parent metrics, each statistic with a 95 %
 * block-bootstrap interval by arrival minute (bootstrap.ts: per-block sums). Every statistic is
 * a ratio of sums over the rows of its group, R = Σ a / Σ b (rows where the value is missing left
 * out), so a replicate is Σ_b k_b·S_b / Σ_b k_b·N_b:
 *
 *   fill rate per step k, by side (parents = accepted parents; "filled at k" = fully filled, last fill at k):
 *     share_k       = Σ[filled at k] / Σ1
 *     cumulative_k  = Σ[filled at j ≤ k] / Σ1
 *     conditional_k = Σ[filled at k] / Σ(1 − [filled at j < k]) = share_k / (1 − cumulative_{k−1})
 *                     (of the parents still open at step k; parents that ended unfilled count as open)
 *   by spread bucket (arrival spreadPct): means of shortfall, paired improvement vs the simulated
 *     baseline, analytic improvement vs the arrival far touch (parents equally weighted)
 *   speed vs price by side: fill rate, mean time to fill (filled parents), mean shortfall
 *   markouts by side and horizon: filled-qty-weighted means  Σq·x / Σq
 *   ladder vs baseline by side (paired parents only): the mean of IS(ladder) − IS(baseline)
 *     (positive = the ladder cost more) and its decomposition (ladderVsBaselineTable)
 * Every bps figure is a cost: positive = worse for us.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { BlockSums } from './bootstrap.ts';
import { MARKOUT_HORIZONS_S, PARENT_METRIC_COLUMNS, type ParentMetrics, SPREAD_BUCKETS, shortfallBeyondTouchBps, vsBaselineBps } from './metrics.ts';

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
  /** null when the run has no baseline. */
  markoutsVsBaseline: ColumnTable | null;
  executionDetails: ColumnTable;
  overall: ColumnTable;
}

/**
 * One row per accepted ladder parent; with a baseline, its paired columns joined on
 * client_order_id: baselineShortfallBps, baselineTimeToFillS, and
 * vsBaselineBps = shortfallBps − baselineShortfallBps (metrics.ts; null unless both are known).
 */
export function parentsTable(ladder: readonly ParentMetrics[], baseline: readonly ParentMetrics[] | null): ColumnTable {
  const rows = aq.from(ladder as ParentMetrics[], PARENT_METRIC_COLUMNS);
  const byId = new Map((baseline ?? []).map((b) => [b.clientOrderId, b]));
  const baselineShortfallBps = ladder.map((m) => byId.get(m.clientOrderId)?.shortfallBps ?? null);
  return rows.assign({
    baselineShortfallBps,
    baselineTimeToFillS: ladder.map((m) => byId.get(m.clientOrderId)?.timeToFillS ?? null),
    baselineMarkout1sBps: ladder.map((m) => byId.get(m.clientOrderId)?.markout1sBps ?? null),
    baselineMarkout5sBps: ladder.map((m) => byId.get(m.clientOrderId)?.markout5sBps ?? null),
    baselineMarkout60sBps: ladder.map((m) => byId.get(m.clientOrderId)?.markout60sBps ?? null),
    vsBaselineBps: ladder.map((m, i) => {
      const x = vsBaselineBps(m.shortfallBps, baselineShortfallBps[i]);
      return Number.isFinite(x) ? x : null;
    }),
  });
}

/** Steps are numbered 1 … S for people (as `ladderlab ladder` prints them); fillStep k is step k + 1. */
export function stepLabel(step: number, progressiveSteps: number): string {
  return step >= progressiveSteps ? 'market' : step === 0 ? 'step 1 (mid)' : `step ${step + 1}`;
}

export {
  type GroupDef,
  type ParentRow,
  type RatioStat,
  SIDES,
  countWhere,
  groupEstimates,
  meanOf,
  parentRows,
  quantileWhere,
  sideGroups,
  val,
  weightedMeanOf,
} from './group-estimates.ts';
import { type ParentRow, type RatioStat, countWhere, finite, groupEstimates, meanOf, parentRows, quantileWhere, sideGroups, weightedMeanOf } from './group-estimates.ts';

/** Fill rate per step by side (buy, sell, all): per-step share, cumulative and conditional, with intervals. */
export function fillRateByStepTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const rows = parentRows(parents);
  const maxObserved = rows.reduce((m, r) => Math.max(m, r.fillStep ?? 0), 0);
  const lastStep = Math.max(options.progressiveSteps, maxObserved);
  const steps = Array.from({ length: lastStep + 1 }, (_, k) => k);
  const done = (r: ParentRow, k: number) => r.fillStep !== null && r.fillStep <= k;
  const groups = sideGroups<ParentRow>().flatMap((g) => steps.map((k) => ({ key: { ...g.key, fillStep: k, stepLabel: stepLabel(k, options.progressiveSteps) }, member: g.member })));
  const stats = (k: number): RatioStat<ParentRow>[] => [
    { name: 'share', num: (r) => (r.fillStep === k ? 1 : 0) },
    { name: 'cumulative', num: (r) => (done(r, k) ? 1 : 0) },
    { name: 'conditional', num: (r) => (r.fillStep === k ? 1 : 0), den: (r) => (k > 0 && done(r, k - 1) ? 0 : 1) },
  ];
  // One BlockSums for the table: each (side, step) group has its own three ratios.
  const perStep = steps.map((k) => stats(k));
  const sums = new BlockSums(rows.map((r) => r.arrivalMinute));
  for (const g of groups) {
    const inGroup = rows.map(g.member);
    for (const s of perStep[g.key.fillStep]) sums.ratio((i) => (inGroup[i] ? s.num(rows[i]) : Number.NaN), s.den ? (i) => s.den!(rows[i]) : () => 1);
  }
  const estimates = sums.estimate({ replicates: options.replicates, seed: options.seed, label: 'fill-rate-by-step' });
  return aq.from(
    groups.map((g, gi) => {
      const out: Record<string, unknown> = {
        ...g.key,
        parents: countWhere(rows, g.member),
        filledAt: countWhere(rows, (r) => g.member(r) && r.fillStep === g.key.fillStep),
      };
      ['share', 'cumulative', 'conditional'].forEach((name, si) => {
        const e = estimates[gi * 3 + si];
        out[name] = finite(e.value);
        out[`${name}_lo`] = finite(e.lo);
        out[`${name}_hi`] = finite(e.hi);
      });
      return out;
    }),
  );
}

/** Shortfall and improvements by arrival spread bucket (all three buckets, empty ones with n = 0). */
export function bySpreadBucketTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const rows = parentRows(parents);
  const groups = SPREAD_BUCKETS.map((bucket, i) => ({ key: { spreadBucket: bucket as string, bucketOrder: i }, member: (r: ParentRow) => r.spreadBucket === bucket }));
  const stats = [
    meanOf<ParentRow>('shortfallBps', (r) => r.shortfallBps),
    meanOf<ParentRow>('vsBaselineBps', (r) => r.vsBaselineBps),
    meanOf<ParentRow>('vsFarTouchBps', (r) => r.vsFarTouchBps),
  ];
  const out = groupEstimates(rows, groups, stats, options, 'by-spread-bucket').map((row, i) => ({
    ...row,
    n: countWhere(rows, groups[i].member),
    pairedN: countWhere(rows, (r) => groups[i].member(r) && r.vsBaselineBps !== null),
  }));
  return aq.from(out);
}

/** Speed vs price by side: fill rate, mean time to fill, mean shortfall and far-touch improvement. */
export function speedVsPriceTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const rows = parentRows(parents);
  const groups = sideGroups<ParentRow>();
  const stats = [
    meanOf<ParentRow>('fillRate', (r) => r.complete),
    meanOf<ParentRow>('timeToFillS', (r) => r.timeToFillS),
    meanOf<ParentRow>('shortfallBps', (r) => r.shortfallBps),
    meanOf<ParentRow>('vsFarTouchBps', (r) => r.vsFarTouchBps),
  ];
  // Medians and p90 are point estimates only.
  return aq.from(
    groupEstimates(rows, groups, stats, options, 'speed-vs-price').map((row, i) => ({
      ...row,
      n: countWhere(rows, groups[i].member),
      medianTimeToFillS: quantileWhere(rows, groups[i].member, (r) => r.timeToFillS, 0.5),
      p90TimeToFillS: quantileWhere(rows, groups[i].member, (r) => r.timeToFillS, 0.9),
    })),
  );
}

type HorizonColumn = `${'markout' | 'realizedSpread' | 'priceImpact'}${(typeof MARKOUT_HORIZONS_S)[number]}sBps`;

/** Markouts, realized spread and price impact by side and horizon (long format), with null counts. */
export function markoutsTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const rows = parentRows(parents);
  const sides = sideGroups<ParentRow>();
  const q = (r: ParentRow) => r.filledQty;
  const metrics = ['markout', 'realizedSpread', 'priceImpact'] as const;
  const stats: RatioStat<ParentRow>[] = [weightedMeanOf('effectiveSpreadBps', (r) => r.effectiveSpreadBps, q)];
  for (const h of MARKOUT_HORIZONS_S) {
    for (const m of metrics) stats.push(weightedMeanOf(`${m}${h}sBps`, (r) => r[`${m}${h}sBps` as HorizonColumn], q));
  }
  const wide = groupEstimates(rows, sides, stats, options, 'markouts');
  const out: Record<string, unknown>[] = [];
  sides.forEach((g, i) => {
    for (const h of MARKOUT_HORIZONS_S) {
      const row: Record<string, unknown> = {
        side: g.key.side,
        sideOrder: g.key.sideOrder,
        filledParents: countWhere(rows, (r) => g.member(r) && r.filledQty > 0),
        unknownHorizon: countWhere(rows, (r) => g.member(r) && r.filledQty > 0 && r[`markout${h}sBps` as HorizonColumn] === null),
        horizonS: h,
      };
      for (const suffix of ['', '_lo', '_hi']) {
        for (const m of metrics) row[`${m}Bps${suffix}`] = wide[i][`${m}${h}sBps${suffix}`];
        row[`effectiveSpreadBps${suffix}`] = wide[i][`effectiveSpreadBps${suffix}`];
      }
      out.push(row);
    }
  });
  return aq.from(out);
}

/**
 * Ladder vs the simulated market-order baseline, paired parents only (both shortfalls known), by
 * side; null without a baseline. The "all" row is the report's headline. With H = the half spread
 * at arrival, every column a paired mean over the same parents, so the decomposition adds up:
 *   vsBaselineBps = ladderShortfallBps − baselineShortfallBps
 *                 = ladderVsFarTouchBps − baselineBeyondTouchBps
 *   ladderShortfallBps   = halfSpreadBps + ladderVsFarTouchBps
 *   baselineShortfallBps = halfSpreadBps + baselineBeyondTouchBps  (what the market order paid beyond the touch)
 */
export function ladderVsBaselineTable(parents: ColumnTable, hasBaseline: boolean, options: TableOptions): ColumnTable | null {
  if (!hasBaseline) return null;
  const paired = parentRows(parents).filter((r) => r.vsBaselineBps !== null && r.halfSpreadBps !== null);
  const groups = sideGroups<ParentRow>();
  const stats = [
    meanOf<ParentRow>('vsBaselineBps', (r) => r.vsBaselineBps),
    meanOf<ParentRow>('ladderShortfallBps', (r) => r.shortfallBps),
    meanOf<ParentRow>('baselineShortfallBps', (r) => r.baselineShortfallBps),
    meanOf<ParentRow>('halfSpreadBps', (r) => r.halfSpreadBps),
    meanOf<ParentRow>('ladderVsFarTouchBps', (r) => shortfallBeyondTouchBps(r.shortfallBps, r.halfSpreadBps)),
    meanOf<ParentRow>('baselineBeyondTouchBps', (r) => shortfallBeyondTouchBps(r.baselineShortfallBps, r.halfSpreadBps)),
    meanOf<ParentRow>('ladderTimeToFillS', (r) => r.timeToFillS),
    meanOf<ParentRow>('baselineTimeToFillS', (r) => r.baselineTimeToFillS),
  ];
  return aq.from(groupEstimates(paired, groups, stats, options, 'ladder-vs-baseline').map((row, i) => ({ ...row, pairs: countWhere(paired, groups[i].member) })));
}

/**
 * Markouts of the ladder's fills against the market order's on the same parents, by side and
 * horizon: per parent the qty-weighted markout of each (a cost), the paired difference
 * ladder − market order, parents where both are known; null without a baseline.
 */
export function markoutsVsBaselineTable(parents: ColumnTable, hasBaseline: boolean, options: TableOptions): ColumnTable | null {
  if (!hasBaseline) return null;
  const rows = parentRows(parents);
  const sides = sideGroups<ParentRow>();
  const stats: RatioStat<ParentRow>[] = [];
  const both = (r: ParentRow, h: number) => r[`markout${h}sBps` as HorizonColumn] !== null && r[`baselineMarkout${h}sBps` as 'baselineMarkout1sBps'] !== null;
  for (const h of MARKOUT_HORIZONS_S) {
    const ladder = (r: ParentRow) => r[`markout${h}sBps` as HorizonColumn];
    const base = (r: ParentRow) => r[`baselineMarkout${h}sBps` as 'baselineMarkout1sBps'];
    stats.push(
      meanOf(`ladder${h}`, (r: ParentRow) => (both(r, h) ? ladder(r) : null)),
      meanOf(`baseline${h}`, (r: ParentRow) => (both(r, h) ? base(r) : null)),
      meanOf(`vs${h}`, (r: ParentRow) => (both(r, h) ? vsBaselineBps(ladder(r), base(r)) : null)),
    );
  }
  const wide = groupEstimates(rows, sides, stats, options, 'markouts-vs-baseline');
  const out: Record<string, unknown>[] = [];
  sides.forEach((g, i) => {
    for (const h of MARKOUT_HORIZONS_S) {
      const row: Record<string, unknown> = { side: g.key.side, sideOrder: g.key.sideOrder, horizonS: h, pairs: countWhere(rows, (r) => g.member(r) && both(r, h)) };
      for (const suffix of ['', '_lo', '_hi']) {
        row[`ladderMarkoutBps${suffix}`] = wide[i][`ladder${h}${suffix}`];
        row[`baselineMarkoutBps${suffix}`] = wide[i][`baseline${h}${suffix}`];
        row[`vsBaselineBps${suffix}`] = wide[i][`vs${h}${suffix}`];
      }
      out.push(row);
    }
  });
  return aq.from(out);
}

/**
 * Execution details by side (point estimates): effective spread (qty-weighted), distinct price
 * levels sent and filled at, share of the filled qty beyond the far side's displayed size at
 * arrival (Σ beyond / Σ filled), and the mean fill step of fully filled parents.
 */
export function executionDetailsTable(parents: ColumnTable): ColumnTable {
  if (parents.numRows() === 0) return aq.table({ side: [] });
  const rows = parentRows(parents);
  const ratio = (member: (r: ParentRow) => boolean, num: (r: ParentRow) => number | null, den: (r: ParentRow) => number = () => 1): number | null => {
    let a = 0;
    let b = 0;
    for (const r of rows) {
      const x = num(r);
      if (!member(r) || x === null) continue;
      a += x;
      b += den(r);
    }
    return b > 0 ? a / b : null;
  };
  return aq.from(
    sideGroups<ParentRow>().map((g) => ({
      ...g.key,
      n: countWhere(rows, g.member),
      effectiveSpreadBps: ratio(g.member, (r) => (r.effectiveSpreadBps === null ? null : r.filledQty * r.effectiveSpreadBps), (r) => r.filledQty),
      priceLevelsSent: ratio(g.member, (r) => r.priceLevelsSent),
      fillPriceLevels: ratio(g.member, (r) => (r.filledQty > 0 ? r.fillPriceLevels : null)),
      beyondDisplayedShare: ratio(g.member, (r) => r.beyondDisplayedQty, (r) => r.filledQty),
      fillStep: ratio(g.member, (r) => r.fillStep),
    })),
  );
}

/** One row for the verdict: the headline statistics over all accepted parents. */
export function overallTable(parents: ColumnTable, options: TableOptions): ColumnTable {
  const rows = parentRows(parents);
  const all = () => true;
  const stats = [
    meanOf<ParentRow>('fillRate', (r) => r.complete),
    meanOf<ParentRow>('shortfallBps', (r) => r.shortfallBps),
    meanOf<ParentRow>('vsBaselineBps', (r) => r.vsBaselineBps),
    meanOf<ParentRow>('vsFarTouchBps', (r) => r.vsFarTouchBps),
    meanOf<ParentRow>('timeToFillS', (r) => r.timeToFillS),
  ];
  const [row] = groupEstimates(rows, [{ key: {}, member: all }], stats, options, 'overall');
  const sum = (x: (r: ParentRow) => number | null) => (rows.length > 0 ? rows.reduce((s, r) => s + (x(r) ?? 0), 0) : null);
  return aq.from([
    {
      n: rows.length,
      ...row,
      pairedN: countWhere(rows, (r) => r.vsBaselineBps !== null),
      medianTimeToFillS: quantileWhere(rows, all, (r) => r.timeToFillS, 0.5),
      vsFarTouchUsd: rows.some((r) => r.vsFarTouchUsd !== null) ? sum((r) => r.vsFarTouchUsd) : null,
      marketStepParents: countWhere(rows, (r) => r.fillStep !== null && r.fillStep >= options.progressiveSteps),
      filledQty: sum((r) => r.filledQty),
      qty: sum((r) => r.qty),
    },
  ]);
}

/** The bootstrap tables buildTables makes, in order (for progress reporting). */
export const TABLE_STAGES = ['fill rate', 'spread buckets', 'speed vs price', 'markouts', 'baseline', 'markouts vs baseline', 'details', 'overall'] as const;

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
    markoutsVsBaseline: step('markouts vs baseline', markoutsVsBaselineTable(parents, baseline !== null, options)),
    executionDetails: step('details', executionDetailsTable(parents)),
    overall: step('overall', overallTable(parents, options)),
  };
}
