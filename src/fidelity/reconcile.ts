/**
 * `reconcile`: re-simulate a run's parents at their real arrival times on the run's own tape,
 * under each variant's configuration (variants.ts), and compare parent by parent (compare.ts) —
 * all of them, or one half (calibrate fits on the even half; the odd half scores it).
 * The summary per variant is what the fidelity report's table shows:
 *   step agreement k/n with its Wilson interval, filled-or-not agreement per child, the KS
 *   distance between the live and simulated time-to-fill distributions (parents filled in each),
 *   and the sim − live differences (price, time to fill, shortfall) as quantiles.
 */
import type { ExecutionRecord } from '../engine/types.ts';
import { dirTapeSource, runBacktest } from '../sim/backtest.ts';
import type { ReconcileRow } from '../records/reconcile.ts';
import { tapeMidAt } from '../reports/tape-mids.ts';
import { compareParent } from './compare.ts';
import { parentsOf, type ObservedRun } from './observed.ts';
import { selectHalf, type ParentHalf } from './split.ts';
import { ksDistance, mean, wilsonInterval } from './stats.ts';
import { quantile } from '../core/quantile.ts';
import type { Variant } from './variants.ts';
import type { FidelitySummary } from '../reports/fidelity/types.ts';

/** One configuration's agreement with the live run: the shape the fidelity report renders. */
export type VariantSummary = FidelitySummary;

export interface ReconcileResult {
  variants: Variant[];
  rows: ReconcileRow[];
  summaries: VariantSummary[];
  /** Observed parents used (arrival order) and each variant's simulated records, by parent id. */
  live: ExecutionRecord[];
  simulated: Map<string, Map<string, ExecutionRecord>>;
}

export interface ReconcileOptions {
  half?: ParentHalf;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export const DIFF_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

export function reconcileRun(run: ObservedRun, variants: readonly Variant[], options: ReconcileOptions = {}): ReconcileResult {
  // Every parent is re-simulated (risk state and shared displayed size as live had them); only the
  // chosen half is compared.
  const live = selectHalf(run.records, options.half ?? 'all');
  const parents = parentsOf(run.records);
  const tapes = dirTapeSource(run.tapeDir);
  const midAt = tapeMidAt(run.tapeDir);
  const rows: ReconcileRow[] = [];
  const summaries: VariantSummary[] = [];
  const simulated = new Map<string, Map<string, ExecutionRecord>>();
  variants.forEach((variant, v) => {
    const result = runBacktest({
      config: variant.config,
      tapes,
      parents,
      onProgress: (done, total) => options.onProgress?.(v * total + done, variants.length * total, variant.label),
    });
    const byId = new Map(result.records.map((r) => [r.clientOrderId, r]));
    simulated.set(variant.label, byId);
    const variantRows = live.map((r) => compareParent(variant.label, r, byId.get(r.clientOrderId)!, midAt));
    rows.push(...variantRows);
    summaries.push(summarize(variant, variantRows));
  });
  return { variants: [...variants], rows, summaries, live, simulated };
}

export function summarize(variant: Variant, rows: readonly ReconcileRow[]): VariantSummary {
  const n = rows.length;
  const k = rows.filter((r) => r.stepAgree).length;
  const [lo, hi] = wilsonInterval(k, n);
  const compared = rows.reduce((s, r) => s + r.childrenCompared, 0);
  const agree = rows.reduce((s, r) => s + r.childrenAgree, 0);
  const [clo, chi] = wilsonInterval(agree, compared);
  const finite = (xs: number[]) => xs.filter(Number.isFinite);
  const q = (xs: number[]) => DIFF_QUANTILES.map((p) => quantile(xs, p));
  const shortfallDiffs = finite(rows.map((r) => r.shortfallDiffBps));
  return {
    label: variant.label,
    fillModel: variant.config.sim.fill_model,
    parents: n,
    stepAgree: k,
    stepAgreeRate: n > 0 ? k / n : Number.NaN,
    stepAgreeLo: lo,
    stepAgreeHi: hi,
    childrenCompared: compared,
    childrenAgree: agree,
    childAgreeRate: compared > 0 ? agree / compared : Number.NaN,
    childAgreeLo: clo,
    childAgreeHi: chi,
    ksTimeToFill: ksDistance(finite(rows.map((r) => r.liveTtfMs)), finite(rows.map((r) => r.simTtfMs))),
    ttfDiffS: q(finite(rows.map((r) => r.ttfDiffMs / 1000))),
    priceDiffBps: q(finite(rows.map((r) => r.priceDiffBps))),
    shortfallDiffBps: q(shortfallDiffs),
    meanShortfallDiffBps: mean(shortfallDiffs),
  };
}

/**
 * The parents that disagree most under one variant: step disagreement first (by how many steps),
 * then the largest |time-to-fill difference|, then the largest |shortfall difference|.
 */
export function worstParents(rows: readonly ReconcileRow[], variant: string, count: number): ReconcileRow[] {
  const score = (r: ReconcileRow) => [
    r.stepAgree ? 0 : 1 + Math.abs(r.simFillStep - r.liveFillStep),
    Number.isFinite(r.ttfDiffMs) ? Math.abs(r.ttfDiffMs) : Number.isFinite(r.liveTtfMs) || Number.isFinite(r.simTtfMs) ? Infinity : 0,
    Number.isFinite(r.shortfallDiffBps) ? Math.abs(r.shortfallDiffBps) : 0,
  ];
  return rows
    .filter((r) => r.variant === variant)
    .map((r) => ({ r, s: score(r) }))
    .filter(({ s }) => s[0] > 0 || s[1] > 0 || s[2] > 0)
    .sort((a, b) => b.s[0] - a.s[0] || b.s[1] - a.s[1] || b.s[2] - a.s[2] || a.r.arrivalTsUs - b.r.arrivalTsUs)
    .slice(0, count)
    .map(({ r }) => r);
}
