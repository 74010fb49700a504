/**
 * Chart specs: each function takes a report table and returns a Vega-Lite spec with the data
 * inlined (values), so a spec is plain JSON — testable as data, rendered to SVG by render.ts and
 * embedded verbatim in the HTML.
 */
import type { ColumnTable } from 'arquero';

/** A Vega-Lite spec as plain JSON (render.ts hands it to vega-lite's compiler). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 720;
const HEIGHT = 260;
/** One colour per concept in every chart: the ladder, the market-order baseline, their difference. */
export const LADDER_COLOR = '#2166ac';
export const BASELINE_COLOR = '#b2182b';
export const DIFFERENCE_COLOR = '#4d4d4d';
/** Sides are not good or bad: neither the ladder's blue, the baseline's red nor the difference's grey. */
const SIDE_COLORS = { domain: ['buy', 'sell', 'all'], range: ['#7570b3', '#e08214', '#000000'] };

/**
 * The published claim's cumulative fill rates (the reference design's figures) by limit step (step 0 = mid … step 3), shown next to
 * the measured ones: 15–25 %, 35–50 %, 65–80 %, 85–95 %.
 */
export const PUBLISHED_CLAIM_FILL_RATES: readonly [number, number][] = [
  [0.15, 0.25],
  [0.35, 0.5],
  [0.65, 0.8],
  [0.85, 0.95],
];

/** Rows of a table as plain objects (nulls kept). */
function rowsOf(table: ColumnTable): Record<string, unknown>[] {
  return table.objects() as Record<string, unknown>[];
}

/**
 * Title and size. Keep the lines short and axis titles shorter than the plot: vega sizes the
 * SVG to fit every label, so an overlong line widens or heightens the whole chart.
 */
function base(title: string, subtitle?: string | string[]): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    description: title,
    // The page's section heading names the chart; the chart itself carries how to read it.
    title: subtitle ? { text: subtitle, fontSize: 12, fontWeight: 'normal', color: '#444' } : title,
    width: WIDTH,
    height: HEIGHT,
  };
}

/**
 * [min, max] over the given fields and 0, so interval rules never leave the plot (vega-lite
 * sizes a layered scale from the bars alone here, and the rules would stretch the padding).
 */
export function valueDomain(values: Record<string, unknown>[], fields: string[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    for (const f of fields) {
      const x = v[f];
      if (typeof x === 'number' && Number.isFinite(x)) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
  }
  return lo === hi ? [0, 1] : [lo, hi];
}

/** Grouped bars with 95 % interval rules: one group per `x` category, one bar per series. */
function groupedBarsWithIntervals(
  values: Record<string, unknown>[],
  x: { field: string; title: string; sort: string[] },
  series: { field: string; title: string; domain: string[]; range: string[] },
  yTitle: string,
  yFormat: string,
): Record<string, unknown> {
  const xEnc = { field: x.field, type: 'nominal', title: x.title, sort: x.sort, axis: { labelAngle: 0 } };
  const domain = valueDomain(values, ['value', 'base', 'lo', 'hi']);
  const offset = { field: series.field, sort: series.domain };
  return {
    data: { values },
    encoding: { x: xEnc, xOffset: offset },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: yTitle, axis: { format: yFormat }, scale: { domain, nice: true } },
          y2: { field: 'base' },
          color: { field: series.field, type: 'nominal', title: series.title || null, scale: { domain: series.domain, range: series.range }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 480 } },
          tooltip: [
            { field: x.field, title: x.title },
            { field: series.field, title: series.title },
            { field: 'value', format: yFormat, title: 'value' },
            { field: 'lo', format: yFormat, title: '95 % low' },
            { field: 'hi', format: yFormat, title: '95 % high' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#222', strokeWidth: 1.5 },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
    ],
  };
}

/** Fill rate per step: share filled at the step and cumulative, with intervals; the published claim beside them. */
export function fillRateChart(fillRate: ColumnTable): VegaLiteSpec {
  const rows = rowsOf(fillRate).filter((r) => r.side === undefined || r.side === 'all');
  const values: Record<string, unknown>[] = [];
  for (const r of rows) {
    values.push({ stepLabel: r.stepLabel, series: 'filled at this step', value: r.share, base: 0, lo: r.share_lo, hi: r.share_hi });
    values.push({ stepLabel: r.stepLabel, series: 'filled by this step', value: r.cumulative, base: 0, lo: r.cumulative_lo, hi: r.cumulative_hi });
    const claim = PUBLISHED_CLAIM_FILL_RATES[r.fillStep as number];
    if (claim && r.stepLabel !== 'market') {
      values.push({ stepLabel: r.stepLabel, series: "published claim (by this step)", value: claim[1], base: claim[0], lo: null, hi: null });
    }
  }
  const layered = groupedBarsWithIntervals(
    values,
    { field: 'stepLabel', title: 'ladder step', sort: rows.map((r) => r.stepLabel as string) },
    {
      field: 'series',
      title: '',
      domain: ['filled at this step', 'filled by this step', "published claim (by this step)"],
      range: ['#92c5de', '#2166ac', '#d9d9d9'],
    },
    'share of parent orders',
    '.0%',
  );
  return { ...base('Fill rate per step', 'bars: point estimate · black rules: 95 % block-bootstrap interval'), ...layered };
}

/** Shortfall and improvements by arrival spread bucket. */
export function spreadBucketChart(bySpread: ColumnTable, hasBaseline: boolean): VegaLiteSpec {
  const metrics: [string, string][] = [
    ['shortfallBps', 'ladder implementation shortfall'],
    ['vsBaselineBps', 'ladder − market-order baseline (simulated, paired)'],
    ['vsFarTouchBps', 'vs arrival far touch (analytic, filled qty)'],
  ];
  const values: Record<string, unknown>[] = [];
  for (const r of rowsOf(bySpread)) {
    for (const [field, label] of metrics) {
      values.push({ spreadBucket: r.spreadBucket, metric: label, value: r[field], base: 0, lo: r[`${field}_lo`], hi: r[`${field}_hi`], n: r.n });
    }
  }
  const layered = groupedBarsWithIntervals(
    values,
    { field: 'spreadBucket', title: 'arrival spread (ask − bid)/ask', sort: ['< 0.5 %', '0.5–1.5 %', '> 1.5 %'] },
    { field: 'metric', title: '', domain: metrics.map((m) => m[1]), range: [LADDER_COLOR, DIFFERENCE_COLOR, '#bababa'] },
    'bps',
    '.1f',
  );
  const subtitle = hasBaseline ? 'mean per parent order · rules: 95 % interval' : 'mean per parent order · rules: 95 % interval · baseline not run';
  return { ...base('Costs by arrival spread', [subtitle, 'every bar is a cost in bps: positive = worse for the ladder, negative = better']), ...layered };
}

/** At most this many ECDF points per side: beyond it the curve is thinned (to within 1/ECDF_POINTS of a share). */
const ECDF_POINTS = 500;

/**
 * Time-to-fill ECDF by side: y = share of ALL the side's accepted parents fully filled within t
 * (so the curve tops out at the side's fill rate, not at 100 %); a side with more than ECDF_POINTS
 * filled parents keeps every k-th point and its last one.
 */
export function timeToFillEcdfValues(parents: ColumnTable): Record<string, unknown>[] {
  if (parents.numRows() === 0) return [];
  const all = parents
    .groupby('side')
    .derive({ sideParents: 'op.count()' })
    .filter('d.timeToFillS != null')
    .groupby('side')
    .orderby('timeToFillS')
    .derive({ filledShare: 'op.row_number() / d.sideParents' })
    .ungroup()
    .select('side', 'timeToFillS', 'filledShare')
    .objects() as Record<string, unknown>[];
  const out: Record<string, unknown>[] = [];
  for (const side of new Set(all.map((r) => r.side))) {
    const rows = all.filter((r) => r.side === side);
    const every = Math.ceil(rows.length / ECDF_POINTS);
    rows.forEach((r, i) => {
      if (i % every === every - 1 || i === rows.length - 1) out.push(r);
    });
  }
  return out;
}

export function timeToFillChart(parents: ColumnTable): VegaLiteSpec {
  const values = timeToFillEcdfValues(parents);
  return {
    ...base('Time to fill by side', 'share of parent orders fully filled within t (step curve; tops out at the fill rate)'),
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'timeToFillS', type: 'quantitative', title: 'time to fill (s)' },
      y: { field: 'filledShare', type: 'quantitative', title: 'share filled', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
      color: { field: 'side', type: 'nominal', scale: { domain: ['buy', 'sell'], range: SIDE_COLORS.range.slice(0, 2) }, legend: { orient: 'bottom' } },
      tooltip: [
        { field: 'side' },
        { field: 'timeToFillS', title: 'seconds', format: '.2f' },
        { field: 'filledShare', title: 'filled', format: '.1%' },
      ],
    },
  };
}

/** Sides are drawn a little apart on the log time axis so their interval rules do not hide each other. */
const MARKOUT_DODGE: Record<string, number> = { buy: 0.92, sell: 1, all: 1.087 };

/** Markout curves by side: mean markout at +1 s, +5 s, +60 s with intervals (a cost: positive = the mid moved against the fill). */
export function markoutChart(markouts: ColumnTable): VegaLiteSpec {
  const values = rowsOf(markouts).map((r) => ({ ...r, horizon: `+${r.horizonS} s`, horizonPlotS: (r.horizonS as number) * (MARKOUT_DODGE[r.side as string] ?? 1) }));
  const horizons = [...new Set(rowsOf(markouts).map((r) => r.horizonS as number))];
  const x = {
    field: 'horizonPlotS',
    type: 'quantitative',
    title: 'time after each fill (log scale)',
    scale: { type: 'log', domain: [Math.min(...horizons) * 0.7, Math.max(...horizons) * 1.4] },
    axis: { values: horizons, labelExpr: "'+' + datum.value + ' s'", grid: false },
  };
  const color = { field: 'side', type: 'nominal', scale: SIDE_COLORS, legend: { orient: 'bottom' } };
  const domain = valueDomain(values, ['markoutBps', 'markoutBps_lo', 'markoutBps_hi']);
  return {
    ...base('Markouts after fills', [
      'D·(fill price − mid Δ after the fill)/arrival mid, qty-weighted, a cost · rules: 95 % interval',
      'positive = the mid moved against the fill (adverse selection); negative = it moved our way',
    ]),
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#999', strokeDash: [4, 3] }, encoding: { y: { datum: 0, type: 'quantitative', scale: { domain, nice: true } } } },
      {
        mark: { type: 'line', point: { size: 40 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'markoutBps', type: 'quantitative', title: 'markout (bps)', scale: { domain, nice: true } },
          color,
          tooltip: [
            { field: 'side' },
            { field: 'horizon' },
            { field: 'markoutBps', format: '.2f', title: 'markout bps' },
            { field: 'markoutBps_lo', format: '.2f', title: '95 % low' },
            { field: 'markoutBps_hi', format: '.2f', title: '95 % high' },
            { field: 'unknownHorizon', title: 'unknown (past tape/close)' },
          ],
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'markoutBps_lo', type: 'quantitative', scale: { domain, nice: true } }, y2: { field: 'markoutBps_hi' }, color },
      },
    ],
  };
}

/** A chart that only says why there is nothing to draw (still an SVG with a mark). */
export function messageChart(title: string, message: string): VegaLiteSpec {
  return {
    ...base(title),
    height: 80,
    data: { values: [{ message }] },
    mark: { type: 'text', fontSize: 16, color: '#666' },
    encoding: { text: { field: 'message', type: 'nominal' } },
  };
}

export const BASELINE_MISSING = 'baseline not run: this run has no baseline.arrow';

/** Ladder vs market-order baseline by side: mean shortfall of each, with intervals. */
export function baselineChart(ladderVsBaseline: ColumnTable | null): VegaLiteSpec {
  if (ladderVsBaseline === null) return messageChart('Ladder vs market-order baseline', BASELINE_MISSING);
  const values: Record<string, unknown>[] = [];
  for (const r of rowsOf(ladderVsBaseline)) {
    values.push({ side: r.side, who: 'ladder', value: r.ladderShortfallBps, base: 0, lo: r.ladderShortfallBps_lo, hi: r.ladderShortfallBps_hi });
    values.push({ side: r.side, who: 'market-order baseline', value: r.baselineShortfallBps, base: 0, lo: r.baselineShortfallBps_lo, hi: r.baselineShortfallBps_hi });
    values.push({ side: r.side, who: 'ladder − market order (paired)', value: r.vsBaselineBps, base: 0, lo: r.vsBaselineBps_lo, hi: r.vsBaselineBps_hi });
  }
  const layered = groupedBarsWithIntervals(
    values,
    { field: 'side', title: 'side', sort: ['buy', 'sell', 'all'] },
    {
      field: 'who',
      title: '',
      domain: ['ladder', 'market-order baseline', 'ladder − market order (paired)'],
      range: [LADDER_COLOR, BASELINE_COLOR, DIFFERENCE_COLOR],
    },
    'bps',
    '.1f',
  );
  return {
    ...base('Ladder vs market-order baseline', [
      'same parents, same simulated market · mean implementation shortfall per parent, a cost (lower is better)',
      'ladder − market order below 0 = the ladder was cheaper · rules: 95 % interval',
    ]),
    ...layered,
  };
}

/** Histogram of per-parent ladder − market order (bps): how the headline's mean is made. */
export function differenceHistogramChart(bins: readonly { fromBps: number; toBps: number; parents: number }[]): VegaLiteSpec {
  if (bins.length === 0) return messageChart('Per-parent ladder − market order', BASELINE_MISSING);
  return {
    ...base('Per-parent ladder − market order', 'implementation shortfall difference per parent, bps (a cost: left of 0 = the ladder was cheaper)'),
    data: { values: bins.map((b) => ({ ...b, label: `${b.fromBps} to ${b.toBps} bps` })) },
    mark: { type: 'bar', color: DIFFERENCE_COLOR },
    encoding: {
      x: { field: 'fromBps', type: 'quantitative', bin: { binned: true, step: bins[0].toBps - bins[0].fromBps }, title: 'ladder − market order (bps)' },
      x2: { field: 'toBps' },
      y: { field: 'parents', type: 'quantitative', title: 'parents' },
      tooltip: [{ field: 'label', title: 'bin' }, { field: 'parents', title: 'parents' }],
    },
  };
}

/** All report charts, keyed by section id. */
export interface ReportCharts {
  fillRate: VegaLiteSpec;
  spreadBuckets: VegaLiteSpec;
  timeToFill: VegaLiteSpec;
  markouts: VegaLiteSpec;
  baseline: VegaLiteSpec;
}

export function reportCharts(tables: {
  parents: ColumnTable;
  fillRateByStep: ColumnTable;
  bySpreadBucket: ColumnTable;
  markouts: ColumnTable;
  ladderVsBaseline: ColumnTable | null;
}): ReportCharts {
  const empty = tables.parents.numRows() === 0;
  const none = (title: string) => messageChart(title, 'no accepted parent orders in this run');
  return {
    fillRate: empty ? none('Fill rate per step') : fillRateChart(tables.fillRateByStep),
    spreadBuckets: empty ? none('Costs by arrival spread') : spreadBucketChart(tables.bySpreadBucket, tables.ladderVsBaseline !== null),
    timeToFill: empty ? none('Time to fill by side') : timeToFillChart(tables.parents),
    markouts: empty ? none('Markouts after fills') : markoutChart(tables.markouts),
    baseline: baselineChart(tables.ladderVsBaseline),
  };
}

