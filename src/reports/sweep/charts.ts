/**
 * Sweep chart specs (plain Vega-Lite JSON, data inlined): a heatmap of the out-of-sample paired
 * difference over two grid keys, the time-vs-cost scatter with the Pareto front, and the ranked
 * cells with their intervals.
 */
import type { VegaLiteSpec } from '../charts.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const subtitle = (text: string) => ({ text, fontSize: 12, fontWeight: 'normal', color: '#444' });

export interface SweepPoint {
  id: string;
  rank: number;
  /** In-sample (even parents, the ranking set) mean paired difference. */
  diffEvenBps: number | null;
  diffOddBps: number | null;
  diffOddLoBps: number | null;
  diffOddHiBps: number | null;
  shortfallOddBps: number | null;
  medianTtfOddS: number | null;
  /** p90 time to fill over all parents of the cell. */
  p90TtfS: number | null;
  fillRate: number | null;
  pareto: boolean;
  assignments: Record<string, string | number | boolean>;
  /** Share of completely filled parents whose last fill was the market step (null: an older sweep.arrow). */
  marketStepShare?: number | null;
  /** The buy and the sell parents' own figures (side-specific grid keys); absent in an older sweep.arrow. */
  bySide?: Record<'buy' | 'sell', SidePoint>;
}

/** One side's figures of a cell: Δ and shortfall on its odd parents, p90 time to fill, fill rate, market-step share. */
export interface SidePoint {
  diffOddBps: number | null;
  shortfallOddBps: number | null;
  p90TtfS: number | null;
  fillRate: number | null;
  marketStepShare: number | null;
}

/**
 * Heatmaps over keys x and y, one small panel per combination of the remaining keys (no averaging
 * across them): each square is one cell's out-of-sample Δ shortfall vs the baseline (bps; blue
 * cheaper, orange dearer), printed in it.
 */
export function heatmapSpec(points: readonly SweepPoint[], xKey: string, yKey: string): VegaLiteSpec {
  const rest = Object.keys(points[0]?.assignments ?? {}).filter((k) => k !== xKey && k !== yKey);
  const values = points
    .filter((p) => p.diffOddBps !== null)
    .map((p) => ({
      x: String(p.assignments[xKey]),
      y: String(p.assignments[yKey]),
      panel: rest.length ? rest.map((k) => `${k} = ${String(p.assignments[k])}`).join(', ') : 'all cells',
      diff: p.diffOddBps,
      cell: p.id,
      rank: p.rank,
    }));
  const order = (key: string) => [...new Set(points.map((p) => p.assignments[key]))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1)).map(String);
  const extent = Math.max(0.01, ...values.map((v) => Math.abs(v.diff as number)));
  return {
    $schema: SCHEMA,
    description: `Δ shortfall over ${xKey} × ${yKey}`,
    title: subtitle(`Out-of-sample Δ shortfall vs the baseline (bps), one panel per ${rest.length ? rest.join(' × ') : 'grid'} — blue is cheaper`),
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 12, labelLimit: 400 } },
    columns: 3,
    spec: {
      width: 220,
      height: 150,
      encoding: {
        x: { field: 'x', type: 'ordinal', title: xKey, sort: order(xKey) },
        y: { field: 'y', type: 'ordinal', title: yKey, sort: order(yKey) },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white' },
          encoding: {
            color: { field: 'diff', type: 'quantitative', title: 'Δ bps', scale: { scheme: 'blueorange', domain: [-extent, extent] } },
            tooltip: [{ field: 'cell', title: 'cell' }, { field: 'rank', title: 'rank' }, { field: 'diff', type: 'quantitative', format: '.2f', title: 'Δ bps' }],
          },
        },
        { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'diff', type: 'quantitative', format: '.2f' } } },
      ],
    },
  };
}

/** In-sample (ranking) and out-of-sample Δ per cell, side by side in rank order: a rank that holds up out of sample is a real winner. */
export function inOutSampleSpec(points: readonly SweepPoint[], keys: readonly string[], limit = 20): VegaLiteSpec {
  const ranked = [...points].sort((a, b) => a.rank - b.rank).slice(0, limit);
  const label = (p: SweepPoint) => `#${p.rank}  ${keys.map((k) => String(p.assignments[k])).join(' · ')}`;
  const values = ranked.flatMap((p) => [
    { label: label(p), sample: 'in sample (even parents: the ranking)', diff: p.diffEvenBps, cell: p.id },
    { label: label(p), sample: 'out of sample (odd parents: reported)', diff: p.diffOddBps, cell: p.id },
  ]);
  return {
    $schema: SCHEMA,
    description: 'in-sample vs out-of-sample',
    title: { ...subtitle(`In-sample and out-of-sample Δ shortfall vs the baseline (bps), the ${ranked.length} best-ranked cells`), subtitle: `cells as ${keys.join(' · ')}` },
    width: 420,
    height: { step: 11 },
    data: { values },
    mark: { type: 'point', filled: true, size: 60 },
    encoding: {
      y: { ...LABEL, sort: ranked.map(label) },
      x: { field: 'diff', type: 'quantitative', title: 'Δ shortfall (bps)' },
      yOffset: { field: 'sample' },
      color: { field: 'sample', type: 'nominal', title: null, scale: { range: ['#999999', '#2166ac'] }, legend: { orient: 'bottom', labelLimit: 400 } },
      tooltip: [{ field: 'cell' }, { field: 'sample' }, { field: 'diff', format: '.2f', title: 'Δ bps' }],
    },
  };
}

/** Median time to fill vs shortfall per cell (odd parents); the Pareto front drawn and marked. */
export function paretoSpec(points: readonly SweepPoint[]): VegaLiteSpec {
  const values = points
    .filter((p) => p.medianTtfOddS !== null && p.shortfallOddBps !== null)
    .map((p) => ({ id: p.id, rank: p.rank, ttf: p.medianTtfOddS, shortfall: p.shortfallOddBps, front: p.pareto ? 'Pareto front' : 'dominated' }));
  const front = values.filter((v) => v.front === 'Pareto front').sort((a, b) => (a.ttf as number) - (b.ttf as number));
  return {
    $schema: SCHEMA,
    description: 'time to fill vs shortfall',
    title: subtitle('Each cell: median time to fill vs mean shortfall (odd parents); lower-left is better'),
    width: 620,
    height: 300,
    layer: [
      {
        data: { values: front },
        mark: { type: 'line', color: '#1b7837', strokeDash: [4, 3] },
        encoding: { x: { field: 'ttf', type: 'quantitative' }, y: { field: 'shortfall', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'ttf', type: 'quantitative', title: 'median time to fill (s)', scale: { zero: false } },
          y: { field: 'shortfall', type: 'quantitative', title: 'shortfall (bps)', scale: { zero: false } },
          color: { field: 'front', type: 'nominal', title: null, scale: { domain: ['Pareto front', 'dominated'], range: ['#1b7837', '#aaaaaa'] } },
          tooltip: [{ field: 'id' }, { field: 'rank' }, { field: 'ttf', format: '.1f' }, { field: 'shortfall', format: '.2f' }],
        },
      },
    ],
  };
}

const LABEL = { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 420 } };

/** The best `limit` cells by rank: out-of-sample Δ with its 95 % interval. */
export function rankedSpec(points: readonly SweepPoint[], keys: readonly string[], limit = 12): VegaLiteSpec {
  // Labels carry only the values (key order in the subtitle): full ids would not fit.
  const values = [...points]
    .sort((a, b) => a.rank - b.rank)
    .slice(0, limit)
    .map((p) => ({ label: `#${p.rank}  ${keys.map((k) => String(p.assignments[k])).join(' · ')}`, id: p.id, diff: p.diffOddBps, lo: p.diffOddLoBps, hi: p.diffOddHiBps }));
  return {
    $schema: SCHEMA,
    description: 'ranked cells',
    title: {
      ...subtitle(`The ${values.length} best-ranked cells: out-of-sample Δ shortfall vs the baseline, 95 % intervals (left of 0 is cheaper)`),
      subtitle: `cells as ${keys.join(' · ')}`,
    },
    width: 420,
    height: { step: 22 },
    layer: [
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#b2182b', strokeDash: [3, 3] }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
      { data: { values }, mark: { type: 'rule', color: '#666' }, encoding: { y: LABEL, x: { field: 'lo', type: 'quantitative', title: 'Δ shortfall (bps)' }, x2: { field: 'hi' } } },
      { data: { values }, mark: { type: 'point', filled: true, color: '#2166ac', size: 60 }, encoding: { y: LABEL, x: { field: 'diff', type: 'quantitative' } } },
    ],
  };
}
