/**
 * Breakdowns of the headline: the same paired ladder − market-order difference (and the ladder's
 * implementation shortfall and fill rate) per symbol, per New York day, per side, per arrival spread in ticks
 * (1, 2–3, 4+) and in % buckets (metrics.ts spreadBucket), and per time of day (first 30 min of
 * the regular session, the middle, the last 30 min) — every mean with its 95 % block-bootstrap
 * interval from one set of draws (label "breakdowns"); rows with fewer than THIN_N parents are
 * flagged thin. Plus the histogram of per-parent differences (tails past the 1st/99th percentile in
 * the edge bins).
 *
 *   spread ticks = (ask₀ − bid₀) / tick, the tick from the engine's tick table (ticks.ts)
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { LadderConfig } from '../config.ts';
import { nyDay, regularSession } from '../core/calendar.ts';
import { dollarsToUnits, makeTickTable } from '../engine/ticks.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { SPREAD_BUCKETS } from './metrics.ts';
import { type GroupDef, type ParentRow, type TableOptions, groupEstimates, meanOf, parentRows } from './tables.ts';

/** Below this many parents a breakdown row is flagged thin (its interval is rough). */
export const THIN_N = 30;
const HALF_HOUR_US = 30 * 60 * 1_000_000;

export type TickRegime = '1 tick' | '2–3 ticks' | '4+ ticks';
export type TimeOfDay = 'first 30 min' | 'middle' | 'last 30 min';

export function tickRegime(ticks: number): TickRegime {
  return ticks <= 1 ? '1 tick' : ticks <= 3 ? '2–3 ticks' : '4+ ticks';
}

export function timeOfDay(arrivalTsUs: number): TimeOfDay {
  const { openUs, closeUs } = regularSession(nyDay(arrivalTsUs));
  if (arrivalTsUs < openUs + HALF_HOUR_US) return 'first 30 min';
  if (arrivalTsUs >= closeUs - HALF_HOUR_US) return 'last 30 min';
  return 'middle';
}

/** Arrival spread in whole ticks per parent id (null without a two-sided quote). */
export function spreadTicksById(records: readonly ExecutionRecord[], config: LadderConfig): Map<string, number | null> {
  const ticks = makeTickTable(config.ticks.overrides);
  const out = new Map<string, number | null>();
  for (const r of records) {
    if (!(r.arrivalBid > 0 && r.arrivalAsk > r.arrivalBid)) {
      out.set(r.clientOrderId, null);
      continue;
    }
    const unit = ticks.tickUnits(r.symbol, (r.arrivalBid + r.arrivalAsk) / 2, nyDay(r.arrivalTsUs));
    out.set(r.clientOrderId, Math.round((dollarsToUnits(r.arrivalAsk) - dollarsToUnits(r.arrivalBid)) / unit));
  }
  return out;
}

/** One table, long format: dimension, group, n, thin, and the statistics with intervals. */
export function breakdownTable(parents: ColumnTable, records: readonly ExecutionRecord[], config: LadderConfig, options: TableOptions): ColumnTable {
  const rows = parentRows(parents);
  const ticksById = spreadTicksById(records, config);
  const groups: GroupDef<ParentRow>[] = [];
  const add = (dimension: string, group: string, member: (r: ParentRow) => boolean) => groups.push({ key: { dimension, group }, member });
  for (const symbol of [...new Set(rows.map((r) => r.symbol))].sort()) add('symbol', symbol, (r) => r.symbol === symbol);
  // one row per New York trading day: a verdict from one day is an anecdote, so a many-day run shows each
  const dayOf = new Map(rows.map((r) => [r.clientOrderId, nyDay(r.arrivalTsUs)]));
  for (const day of [...new Set(dayOf.values())].sort()) add('day', day, (r) => dayOf.get(r.clientOrderId) === day);
  for (const side of ['buy', 'sell']) add('side', side, (r) => r.side === side);
  for (const regime of ['1 tick', '2–3 ticks', '4+ ticks'] as const) {
    add('spread in ticks', regime, (r) => {
      const t = ticksById.get(r.clientOrderId);
      return t !== null && t !== undefined && tickRegime(t) === regime;
    });
  }
  for (const bucket of SPREAD_BUCKETS) add('spread in %', bucket, (r) => r.spreadBucket === bucket);
  const tod = new Map(rows.map((r) => [r.clientOrderId, timeOfDay(r.arrivalTsUs)]));
  for (const part of ['first 30 min', 'middle', 'last 30 min'] as const) add('time of day', part, (r) => tod.get(r.clientOrderId) === part);
  const stats = [
    meanOf<ParentRow>('vsBaselineBps', (r) => r.vsBaselineBps),
    meanOf<ParentRow>('shortfallBps', (r) => r.shortfallBps),
    meanOf<ParentRow>('fillRate', (r) => r.complete),
  ];
  const estimated = groupEstimates(rows, groups, stats, options, 'breakdowns');
  return aq.from(
    estimated.map((row, i) => {
      const n = rows.filter(groups[i].member).length;
      const pairs = rows.filter((r) => groups[i].member(r) && r.vsBaselineBps !== null).length;
      return { ...row, n, pairs, thin: n < THIN_N };
    }),
  );
}

/** A bin width of 1, 2 or 5 × 10ᵏ bps giving about `bins` bins over the 1st–99th percentile range. */
export function niceBinWidth(sorted: readonly number[], bins = 24): number {
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))];
  const raw = Math.max(hi - lo, 1e-6) / bins;
  const k = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * k).find((w) => w >= raw)!;
}

/** Histogram of per-parent ladder − market order (bps), bins of `widthBps` (default niceBinWidth) (counts). */
export function differenceHistogram(parents: ColumnTable, widthBps?: number): { fromBps: number; toBps: number; parents: number }[] {
  const values = parentRows(parents)
    .map((r) => r.vsBaselineBps)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  if (values.length === 0) return [];
  widthBps ??= niceBinWidth(values);
  // Tails beyond the 1st/99th percentile go to the edge bins (an outlier must not make 1,000 empty bins).
  const first = Math.floor(values[Math.floor(0.01 * (values.length - 1))] / widthBps);
  const last = Math.floor(values[Math.ceil(0.99 * (values.length - 1))] / widthBps);
  const counts = new Map<number, number>();
  for (const v of values) {
    const bin = Math.min(last, Math.max(first, Math.floor(v / widthBps)));
    counts.set(bin, (counts.get(bin) ?? 0) + 1);
  }
  const bins = [...counts.keys()].sort((a, b) => a - b);
  const out: { fromBps: number; toBps: number; parents: number }[] = [];
  for (let b = bins[0]; b <= bins[bins.length - 1]; b++) out.push({ fromBps: b * widthBps, toBps: (b + 1) * widthBps, parents: counts.get(b) ?? 0 });
  return out;
}
