/**
 * The assumptions panel at the top of a run report: what the numbers below rest on. Symbols and
 * days, parents accepted and rejected by reason, every ladder key with the step percentages the
 * parents actually used (records' step_percentages), the fill model and its parameters, each
 * latency channel (a warning when all are 0), the market-order model, the data source, the
 * version and the random seed. All read from the run directory (run.json's config and counts).
 */
import type { LadderConfig } from '../config.ts';
import { nyDay } from '../core/calendar.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { escapeHtml } from './html.ts';

export interface AssumptionRow {
  label: string;
  value: string;
  warning?: boolean;
}

/**
 * The market-order model the run used (run.json's config, sim.beyond_touch): how the market step
 * and the baseline take quantity beyond the displayed touch. A run written before the key existed
 * rested the rest at the collar.
 */
export function marketOrderModel(config: LadderConfig): string {
  const beyond = (config.sim as { beyond_touch?: { model: string; level_size_factor?: number; level_spacing_ticks?: number } }).beyond_touch;
  if (!beyond || beyond.model === 'collar') {
    return 'collar: displayed size at the far touch, the rest resting at the collar price until a later quote or print reaches it (sim.beyond_touch.model collar)';
  }
  return (
    `levels: synthetic levels every ${beyond.level_spacing_ticks} tick(s) behind the far touch, each ${beyond.level_size_factor} × the displayed touch size, ` +
    'walked up to the collar — the market step and the baseline alike (sim.beyond_touch.model levels)'
  );
}

/** "5 %: 87 % of priced steps, 10 %: 13 %" from the step percentages each parent's steps used. */
export function stepPercentagesUsed(records: readonly ExecutionRecord[]): string {
  const counts = new Map<number, number>();
  let total = 0;
  for (const r of records) {
    for (const p of r.stepPercentages) {
      if (!Number.isFinite(p)) continue;
      counts.set(p, (counts.get(p) ?? 0) + 1);
      total++;
    }
  }
  if (total === 0) return 'none priced';
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([p, n]) => `${p} %: ${((100 * n) / total).toFixed(0)} % of priced steps`)
    .join(', ');
}

function latencyText(channel: { ms: number; jitter: string; sigma: number }): string {
  return `${channel.ms} ms${channel.jitter === 'lognormal' ? ` lognormal σ ${channel.sigma}` : ''}`;
}

export interface AssumptionInput {
  config: LadderConfig;
  records: readonly ExecutionRecord[];
  runInfo: Record<string, unknown>;
  dataDir: string | null;
  seed: string | number;
  replicates: number;
  degenerateLine: string;
}

export function assumptionRows(input: AssumptionInput): AssumptionRow[] {
  const { config, records } = input;
  const e = config.execution;
  const sim = config.sim;
  const symbols = [...new Set(records.map((r) => r.symbol))].sort();
  const days = [...new Set(records.map((r) => nyDay(r.arrivalTsUs)))].sort();
  const rejected = new Map<string, number>();
  for (const r of records) if (r.status === 'rejected') rejected.set(r.reason ?? 'unknown', (rejected.get(r.reason ?? 'unknown') ?? 0) + 1);
  const accepted = records.length - [...rejected.values()].reduce((a, b) => a + b, 0);
  const latency = sim.latency;
  const allZero = [latency.entry, latency.cancel, latency.response, latency.feed].every((c) => c.ms === 0);
  const fillParams = sim.fill_model === 'touch' ? `p_touch ${sim.p_touch}` : sim.fill_model === 'queue' ? `queue_power ${sim.queue_power}` : 'fills only when the price trades through the limit';
  const version = typeof input.runInfo.ladderlab === 'string' ? input.runInfo.ladderlab : 'unknown';
  return [
    { label: 'symbols and days', value: `${symbols.join(', ') || '—'} · ${days.join(', ') || '—'}` },
    {
      label: 'parents',
      value: `${accepted} accepted, ${records.length - accepted} rejected${rejected.size ? ` (${[...rejected].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
    },
    {
      label: 'ladder',
      value:
        `${e.progressive_steps} steps, step_percentage ${e.step_percentage} %, aggression buy ${e.aggression_buy} / sell ${e.aggression_sell}, ` +
        `step every ${e.step_timeout_buy} s buy / ${e.step_timeout_sell} s sell, max_execution_time ${e.max_execution_time} s, ` +
        `adaptive_step ${e.adaptive_step ? `on (< ${e.adaptive_narrow_spread_pct} % → ${e.adaptive_narrow_step_percentage} %, > ${e.adaptive_wide_spread_pct} % → ${e.adaptive_wide_step_percentage} %)` : 'off'}, ` +
        `reprice ${e.reprice}, market step collar ${e.market_step.collar_bps !== undefined ? `${e.market_step.collar_bps} bps` : `${e.market_step.collar_ticks} ticks`}`,
    },
    { label: 'step percentages used', value: stepPercentagesUsed(records) },
    { label: 'degenerate ladders', value: input.degenerateLine },
    { label: 'fill model', value: `${sim.fill_model} (${fillParams})${sim.include_ineligible ? ', ineligible prints fill' : ''}` },
    {
      label: 'latency',
      value: `entry ${latencyText(latency.entry)}, cancel ${latencyText(latency.cancel)}, response ${latencyText(latency.response)}, feed ${latencyText(latency.feed)}`,
    },
    ...(allZero ? [{ label: 'warning', value: 'every latency channel is 0 ms: orders act on quotes no real system could; see the robustness table for 50 and 250 ms.', warning: true }] : []),
    { label: 'market-order model', value: marketOrderModel(config) },
    { label: 'data', value: input.dataDir ?? 'not named in run.json' },
    { label: 'version, seed', value: `ladderlab ${version}, random seed ${String(input.seed)}, ${input.replicates} bootstrap replicates` },
  ];
}

/** The panel as HTML (a definition table; warnings marked). */
export function assumptionsHtml(rows: readonly AssumptionRow[]): string {
  const body = rows
    .map((r) => `<tr${r.warning ? ' class="warning"' : ''}><th scope="row">${escapeHtml(r.label)}</th><td>${escapeHtml(r.value)}</td></tr>`)
    .join('\n');
  return `<section id="assumptions">\n<h2>Assumptions</h2>\n<table class="assumptions">\n<tbody>\n${body}\n</tbody>\n</table>\n</section>`;
}
