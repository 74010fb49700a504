/**
 * The robustness band: the headline (paired ladder − market-order implementation shortfall) on
 * the same parents under every fill model and latency stress the backtest re-ran
 * (records/robustness.ts), each row with its 95 % block-bootstrap interval, and a one-line verdict:
 *   robust                      every row's interval excludes zero, all with the same sign
 *   depends on the fill model / latency   otherwise, naming the rows that disagree with the
 *                               majority call (or that cannot tell)
 * Each parent's shortfall comes from metrics.ts with its arrival quote from records.arrow and the
 * scenario's fills: nothing here defines a metric.
 */
import type { ExecutionRecord } from '../engine/types.ts';
import type { RobustnessScenario } from '../records/robustness.ts';
import { bootstrapMean } from './bootstrap.ts';
import { bps, count, withInterval } from './format.ts';
import { callOf } from './headline.ts';
import { escapeHtml } from './html.ts';
import { type MidAt, implementationShortfallBps, vsBaselineBps } from './metrics.ts';

export interface RobustnessRow {
  fillModel: string;
  latencyMs: number;
  pairs: number;
  vsBaselineBps: number | null;
  vsBaselineBps_lo: number | null;
  vsBaselineBps_hi: number | null;
  call: 'better' | 'worse' | 'cannot tell';
}

export interface Robustness {
  rows: RobustnessRow[];
  verdict: string;
  robust: boolean;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** One row per scenario: the paired difference's mean and interval over the parents known in both runs. */
export function robustnessRows(
  scenarios: readonly RobustnessScenario[],
  records: readonly ExecutionRecord[],
  midAt: MidAt,
  options: { replicates: number; seed: string | number },
): RobustnessRow[] {
  const byId = new Map(records.filter((r) => r.status !== 'rejected').map((r) => [r.clientOrderId, r]));
  return scenarios.map((s) => {
    const diff: number[] = [];
    const minute: number[] = [];
    for (const o of s.outcomes) {
      const r = byId.get(o.clientOrderId);
      if (!r || !o.baseline) continue;
      const ladder = implementationShortfallBps({ ...r, ...o.ladder }, midAt);
      const baseline = implementationShortfallBps({ ...r, ...o.baseline }, midAt);
      const d = vsBaselineBps(finite(ladder), finite(baseline));
      if (!Number.isFinite(d)) continue;
      diff.push(d);
      minute.push(Math.floor(r.arrivalTsUs / 60e6));
    }
    const e = bootstrapMean(diff, minute, { ...options, label: `robustness/${s.fillModel}/${s.latencyMs}` });
    const row = { fillModel: s.fillModel, latencyMs: s.latencyMs, pairs: diff.length, vsBaselineBps: finite(e.value), vsBaselineBps_lo: finite(e.lo), vsBaselineBps_hi: finite(e.hi) };
    return { ...row, call: callOf(row, 'vsBaselineBps') };
  });
}

/** "robust" or "depends on …" naming the rows that flip. */
export function robustnessVerdict(rows: readonly RobustnessRow[]): Robustness {
  if (rows.length === 0) return { rows: [], verdict: 'The robustness band was not run (backtest --no-robustness).', robust: false };
  const first = rows[0].call;
  if (first !== 'cannot tell' && rows.every((r) => r.call === first)) {
    return { rows: [...rows], robust: true, verdict: `Robust: in all ${rows.length} fill-model × latency rows the ladder is ${first} than a market order, every interval excluding zero.` };
  }
  const tally = new Map<string, number>();
  for (const r of rows) tally.set(r.call, (tally.get(r.call) ?? 0) + 1);
  const majority = [...tally].sort((a, b) => b[1] - a[1])[0][0];
  const flips = rows.filter((r) => r.call !== majority || r.call === 'cannot tell');
  const models = new Set(flips.map((r) => r.fillModel));
  const latencies = new Set(flips.map((r) => r.latencyMs));
  const what = models.size > 1 && latencies.size > 1 ? 'the fill model and latency' : models.size === 1 && rows.some((r) => r.fillModel !== flips[0].fillModel) ? 'the fill model' : 'the latency';
  const named = flips.map((r) => `${r.fillModel} at ${r.latencyMs} ms (${r.call}, ${withInterval(r as unknown as Record<string, unknown>, 'vsBaselineBps', bps)} bps)`).join('; ');
  return { rows: [...rows], robust: false, verdict: `Depends on ${what}: mostly ${majority}, but ${named}.` };
}

export function robustnessHtml(r: Robustness): string {
  const body = r.rows
    .map(
      (row) =>
        `<tr class="${row.call.replace(' ', '-')}"><td>${escapeHtml(row.fillModel)}</td><td class="num">${row.latencyMs} ms</td><td class="num">${count(row.pairs)}</td>` +
        `<td class="num">${escapeHtml(withInterval(row as unknown as Record<string, unknown>, 'vsBaselineBps', bps))}</td><td>${escapeHtml(row.call)}</td></tr>`,
    )
    .join('\n');
  const table = r.rows.length
    ? `<table class="robustness">\n<thead><tr><th>fill model</th><th class="num">latency (entry, cancel, response)</th><th class="num">pairs</th><th class="num">ladder − market order (bps)</th><th>verdict</th></tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`
    : '';
  return `<p class="robustness-verdict"><b>${escapeHtml(r.verdict)}</b></p>\n${table}`;
}
