/**
 * Goodness of fit on the held-out (odd) parents: the calibrated configuration re-simulates them
 * (reconcile.ts) and its predictions are set beside what was observed —
 *   fill rate per step   share of parents whose last fill came at step k (k = 0 … S, S the market
 *                        step; "none" = nothing filled), observed vs predicted
 *   time to fill         quantiles 25, 50, 75, 90 % over parents that filled, observed vs predicted
 *   step agreement       reconcile's per-parent agreement, with its Wilson interval
 */
import type { ExecutionRecord } from '../engine/types.ts';
import { stepLabel } from '../reports/tables.ts';
import { quantile } from '../core/quantile.ts';
import type { VariantSummary } from './reconcile.ts';

export const TTF_QUANTILES = [0.25, 0.5, 0.75, 0.9];

export interface StepRateRow {
  step: string;
  observed: number;
  predicted: number;
}

export interface GoodnessOfFit {
  parents: number;
  stepRates: StepRateRow[];
  ttfObservedS: number[];
  ttfPredictedS: number[];
  summary: VariantSummary;
}

export function stepRates(live: readonly ExecutionRecord[], sim: readonly ExecutionRecord[], progressiveSteps: number): StepRateRow[] {
  const share = (records: readonly ExecutionRecord[], step: number) => (records.length > 0 ? records.filter((r) => r.fillStep === step).length / records.length : Number.NaN);
  const rows: StepRateRow[] = [];
  for (let k = 0; k <= progressiveSteps; k++) rows.push({ step: stepLabel(k, progressiveSteps), observed: share(live, k), predicted: share(sim, k) });
  rows.push({ step: 'none', observed: share(live, -1), predicted: share(sim, -1) });
  return rows;
}

export function ttfQuantilesS(records: readonly ExecutionRecord[]): number[] {
  const ttf = records.filter((r) => r.filledQty > 0 && Number.isFinite(r.timeToFillUs)).map((r) => r.timeToFillUs / 1e6);
  return TTF_QUANTILES.map((q) => quantile(ttf, q));
}
