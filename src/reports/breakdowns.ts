/**
 * Breakdowns of the headline: the same paired ladder − market-order difference (and the ladder's
 * implementation shortfall and fill rate) per symbol, per side, per arrival spread in ticks
 * (1, 2–3, 4+) and in % buckets (metrics.ts spreadBucket), and per time of day (first 30 min of
 * the regular session, the middle, the last 30 min) — every mean with its 95 % block-bootstrap
 * interval from one set of draws (label "breakdowns"); rows with fewer than THIN_N parents are
 * flagged thin. Plus the histogram of per-parent differences.
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

/** Histogram of per-parent ladder − market order (bps), bins of `widthBps` (counts). */
export function differenceHistogram(parents: ColumnTable, widthBps = 2): { fromBps: number; toBps: number; parents: number }[] {
  const values = parentRows(parents)
    .map((r) => r.vsBaselineBps)
    .filter((x): x is number => x !== null);
  if (values.length === 0) return [];
  const counts = new Map<number, number>();
  for (const v of values) {
    const bin = Math.floor(v / widthBps);
    counts.set(bin, (counts.get(bin) ?? 0) + 1);
  }
  const bins = [...counts.keys()].sort((a, b) => a - b);
  const out: { fromBps: number; toBps: number; parents: number }[] = [];
  for (let b = bins[0]; b <= bins[bins.length - 1]; b++) out.push({ fromBps: b * widthBps, toBps: (b + 1) * widthBps, parents: counts.get(b) ?? 0 });
  return out;
}
