/**
 * The machinery of every bootstrap table: a table's rows (one per accepted parent, ParentRow),
 * its groups (GroupDef) and its ratio statistics (RatioStat: Σ num / Σ den over a group's rows),
 * estimated with one set of block draws per table (bootstrap.ts BlockSums).
 */
import type { ColumnTable } from 'arquero';
import { quantileSorted } from '../core/quantile.ts';
import { BlockSums } from './bootstrap.ts';
import type { ParentMetrics } from './metrics.ts';

/** A parent row of parentsTable (metrics plus the paired baseline columns). */
export type ParentRow = ParentMetrics & {
  baselineShortfallBps: number | null;
  baselineTimeToFillS: number | null;
  vsBaselineBps: number | null;
  baselineMarkout1sBps: number | null;
  baselineMarkout5sBps: number | null;
  baselineMarkout60sBps: number | null;
};

/** A row's value as a number: null/undefined → NaN (left out of the ratio). */
export const val = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

/** A ratio statistic: Σ num / Σ den over a group's rows (num NaN → row left out); den defaults to 1. */
export interface RatioStat<R> {
  name: string;
  num: (row: R) => number;
  den?: (row: R) => number;
}

/** mean of a column: Σx / Σ1 over rows where x is present. */
export const meanOf = <R>(name: string, x: (row: R) => number | null | undefined): RatioStat<R> => ({ name, num: (r) => val(x(r)) });

/** weight-weighted mean: Σ q·x / Σ q over rows where x is present. */
export const weightedMeanOf = <R>(name: string, x: (row: R) => number | null | undefined, q: (row: R) => number): RatioStat<R> => ({
  name,
  num: (r) => {
    const v = x(r);
    return v === null || v === undefined ? Number.NaN : q(r) * v;
  },
  den: q,
});

/** A group of a table: its key columns and which rows belong to it. */
export interface GroupDef<R> {
  key: Record<string, unknown>;
  member: (row: R) => boolean;
}

/**
 * For each group, each statistic's point estimate and interval (columns name, name_lo, name_hi;
 * NaN → null), all from one set of block draws (labelled `label`) over `rows`' arrival minutes.
 */
export function groupEstimates<R extends { arrivalMinute: number }>(
  rows: readonly R[],
  groups: readonly GroupDef<R>[],
  stats: readonly RatioStat<R>[],
  options: { replicates: number; seed: string | number },
  label: string,
): Record<string, unknown>[] {
  const sums = new BlockSums(rows.map((r) => r.arrivalMinute));
  for (const g of groups) {
    const inGroup = rows.map(g.member);
    for (const s of stats) sums.ratio((i) => (inGroup[i] ? s.num(rows[i]) : Number.NaN), s.den ? (i) => s.den!(rows[i]) : () => 1);
  }
  const estimates = sums.estimate({ replicates: options.replicates, seed: options.seed, label });
  return groups.map((g, gi) => {
    const out: Record<string, unknown> = { ...g.key };
    stats.forEach((s, si) => {
      const e = estimates[gi * stats.length + si];
      out[s.name] = finite(e.value);
      out[`${s.name}_lo`] = finite(e.lo);
      out[`${s.name}_hi`] = finite(e.hi);
    });
    return out;
  });
}

export const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

const rowsByTable = new WeakMap<ColumnTable, ParentRow[]>();

/** Rows of a parents table as plain objects (made once per table: every table reads them). */
export function parentRows(parents: ColumnTable): ParentRow[] {
  let rows = rowsByTable.get(parents);
  if (!rows) {
    rows = parents.objects() as ParentRow[];
    rowsByTable.set(parents, rows);
  }
  return rows;
}

export const SIDES = ['buy', 'sell', 'all'] as const;

/** buy, sell and all, in that order (sideOrder 0, 1, 2). */
export function sideGroups<R extends { side: string }>(): GroupDef<R>[] {
  return SIDES.map((side, i) => ({ key: { side, sideOrder: i }, member: side === 'all' ? () => true : (r) => r.side === side }));
}

/** Σ over a group's rows of `count(row)` (a point-only count). */
export function countWhere<R>(rows: readonly R[], member: (r: R) => boolean, count: (r: R) => number = () => 1): number {
  let n = 0;
  for (const r of rows) if (member(r)) n += count(r);
  return n;
}

/** Type-7 quantile of a column's present values over a group (point only); null for none. */
export function quantileWhere<R>(rows: readonly R[], member: (r: R) => boolean, x: (r: R) => number | null, p: number): number | null {
  const values = Float64Array.from(rows.filter((r) => member(r) && x(r) !== null).map((r) => x(r) as number)).sort();
  return finite(quantileSorted(values, p));
}

