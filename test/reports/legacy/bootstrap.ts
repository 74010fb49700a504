// The arquero block bootstrap (row weights × replicates) the report used before per-block sums: kept as the reference the new path is checked against (1e-9 relative).
/**
 * Block bootstrap by arrival minute (DESIGN §5): orders that arrive close together see the same
 * market, so their outcomes are correlated; resampling single orders would understate the
 * uncertainty. The blocks are the arrival minutes present in the run.
 *
 * One replicate draws B blocks with replacement from the B blocks (seedrandom, seeded from the
 * config seed and the table's label, so every table is reproducible on its own). A block drawn
 * k times contributes each of its rows k times; instead of copying rows each row gets the weight
 * w = k of its block, and every statistic is written as a weighted aggregate (Σ w·x / Σ w).
 * The interval is the percentile interval of the replicate statistics: [q(α/2), q(1 − α/2)],
 * α = 1 − level. A statistic undefined in a replicate (its group drawn empty: 0/0) is left out
 * of that group's quantiles.
 *
 * Speed: arquero compiles every expression on each call, so replicates are evaluated many at a
 * time — the rows are crossed with a chunk of replicate ids (column `rep`) and the statistic
 * groups by `rep` as well — keeping each chunk near CHUNK_ROWS rows.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { seededRandom } from '../../../src/core/rng.ts';

export interface BootstrapOptions {
  /** Number of replicates (1000 gives stable 95 % percentile intervals). */
  replicates: number;
  /** The run's config seed. */
  seed: string | number;
  /** Names the table: mixed into the seed so each table has its own stream. */
  label: string;
  /** Confidence level, default 0.95. */
  level?: number;
  /** The columns the statistic reads (only those are crossed with replicates); default all. */
  columns?: readonly string[];
}

/**
 * A statistic over a table that carries a row-weight column `w`, grouped by `by` (the replicate
 * id when bootstrapping, nothing for the point estimate) and then by its own keys: returns one
 * row per group with the `by` columns, the key columns and the statistic columns. It must use
 * only weighted aggregates.
 */
export type WeightedStatistic = (weighted: ColumnTable, by: readonly string[]) => ColumnTable;

/** Rows of one chunk of replicates (rows × replicates). */
const CHUNK_ROWS = 250_000;

/** Σ w·x / Σ w over the rows where x is present: an arquero rollup expression. */
export function weightedMean(column: string): string {
  return `op.sum(d.${column} == null ? null : d.w * d.${column}) / op.sum(d.${column} == null ? null : d.w)`;
}

/** Σ w·y·x / Σ w·y over the rows where x is present (y a weight column such as filled qty). */
export function weightedMeanBy(column: string, by: string): string {
  return `op.sum(d.${column} == null ? null : d.w * d.${by} * d.${column}) / op.sum(d.${column} == null ? null : d.w * d.${by})`;
}

/** Σ w over the rows where x is present: the (weighted) count behind a statistic. */
export function weightedCount(column: string): string {
  return `op.sum(d.${column} == null ? null : d.w)`;
}

/** Row → block index, blocks being the sorted distinct values of `blockColumn`. */
function blockIndex(table: ColumnTable, blockColumn: string): { rowBlock: Int32Array; blockCount: number } {
  const blocks = table.dedupe(blockColumn).orderby(blockColumn).array(blockColumn) as number[];
  const index = new Map<number, number>(blocks.map((b, i) => [b, i]));
  const values = table.array(blockColumn) as number[];
  const rowBlock = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) rowBlock[i] = index.get(values[i])!;
  return { rowBlock, blockCount: blocks.length };
}

/**
 * Block multiplicities of every replicate: drawn[r·B + b] = times block b is drawn in replicate r.
 * Exposed for tests: the same seed and label give the same draws.
 */
export function drawBlocks(blockCount: number, replicates: number, seed: string | number, label: string): Float64Array {
  const rng = seededRandom(`${seed}/bootstrap/${label}`);
  const drawn = new Float64Array(blockCount * replicates);
  for (let r = 0; r < replicates; r++) {
    for (let b = 0; b < blockCount; b++) drawn[r * blockCount + Math.floor(rng() * blockCount)] += 1;
  }
  return drawn;
}

/**
 * Point estimates (every weight 1) with percentile intervals: the output has the `keys`
 * columns, and for each statistic column c: c, c_lo, c_hi, in the point table's row order.
 * A statistic that ignores `by` still works: it is then evaluated one replicate at a time.
 */
export function blockBootstrap(
  table: ColumnTable,
  blockColumn: string,
  keys: readonly string[],
  statColumns: readonly string[],
  statistic: WeightedStatistic,
  options: BootstrapOptions,
): ColumnTable {
  const rows = table.numRows();
  const point = statistic(table.assign({ w: new Float64Array(rows).fill(1) }), []);
  if (rows === 0 || options.replicates <= 0) return withIntervals(point, keys, statColumns, null);

  const { rowBlock, blockCount } = blockIndex(table, blockColumn);
  const drawn = drawBlocks(blockCount, options.replicates, options.seed, options.label);
  const data = (options.columns ? table.select(...new Set([...options.columns, ...keys])) : table).assign({
    bootRow: Array.from({ length: rows }, (_, i) => i),
  });
  const evaluate = (first: number, count: number): ColumnTable => {
    const reps = Array.from({ length: count }, (_, i) => first + i);
    const crossed = aq.table({ rep: reps }).cross(data);
    const repCol = crossed.array('rep') as number[];
    const rowCol = crossed.array('bootRow') as number[];
    const w = new Float64Array(repCol.length);
    for (let i = 0; i < w.length; i++) w[i] = drawn[repCol[i] * blockCount + rowBlock[rowCol[i]]];
    return statistic(crossed.assign({ w }), ['rep']);
  };
  let perChunk = Math.max(1, Math.floor(CHUNK_ROWS / rows));
  const results: ColumnTable[] = [];
  for (let first = 0; first < options.replicates; first += perChunk) {
    const count = Math.min(perChunk, options.replicates - first);
    const result = evaluate(first, count);
    if (result.columnIndex('rep') < 0) {
      // The statistic ignored `by`: only correct with one replicate per evaluation.
      if (count > 1) {
        perChunk = 1;
        first -= 1; // the loop adds perChunk: redo this chunk from `first`
        continue;
      }
      results.push(result.assign({ rep: new Array(result.numRows()).fill(first) }));
    } else {
      results.push(result);
    }
  }
  const all = results[0].concat(...results.slice(1));
  const alpha = 1 - (options.level ?? 0.95);
  const bounds: Record<string, string> = {};
  for (const c of statColumns) {
    bounds[`${c}_lo`] = `op.quantile(d.${c}, ${alpha / 2})`;
    bounds[`${c}_hi`] = `op.quantile(d.${c}, ${1 - alpha / 2})`;
  }
  const intervals = keys.length > 0 ? all.groupby(...keys).rollup(bounds) : all.rollup(bounds);
  return withIntervals(point, keys, statColumns, intervals);
}

/** Join intervals onto point estimates, keeping the point table's row order; NaN → null. */
function withIntervals(point: ColumnTable, keys: readonly string[], statColumns: readonly string[], intervals: ColumnTable | null): ColumnTable {
  let out: ColumnTable;
  if (intervals === null) {
    const empty: Record<string, (number | null)[]> = {};
    for (const c of statColumns) {
      empty[`${c}_lo`] = new Array(point.numRows()).fill(null);
      empty[`${c}_hi`] = new Array(point.numRows()).fill(null);
    }
    out = point.assign(empty);
  } else if (keys.length === 0) {
    out = point.assign(intervals);
  } else {
    // join_left moves unmatched rows to the end: restore the point table's order.
    const order = Array.from({ length: point.numRows() }, (_, i) => i);
    out = point
      .assign({ pointRow: order })
      .join_left(intervals, [keys as string[], keys as string[]])
      .orderby('pointRow')
      .select(aq.not('pointRow'));
  }
  const clean: Record<string, string> = {};
  for (const c of statColumns) {
    for (const name of [c, `${c}_lo`, `${c}_hi`]) clean[name] = `op.is_finite(d.${name}) ? d.${name} : null`;
  }
  return out.derive(clean).reify();
}
