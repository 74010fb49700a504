/**
 * The fidelity report's chart specs (Vega-Lite, data inlined), in the style of ../charts.ts: each
 * function takes plain rows and returns a spec; render.ts turns it into inline SVG.
 */
import type { VegaLiteSpec } from '../charts.ts';
import type { FidelitySummary, ParentTimeline } from './types.ts';
import type { ReconcileRow } from '../../records/reconcile.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 720;

function base(description: string, subtitle: string, height: number): VegaLiteSpec {
  return { $schema: SCHEMA, description, title: { text: subtitle, fontSize: 12, fontWeight: 'normal', color: '#444' }, width: WIDTH, height };
}

/** Agreement rates per variant (step; filled-or-not per child) with their 95 % Wilson intervals. */
export function agreementChart(summaries: readonly FidelitySummary[]): VegaLiteSpec {
  const values = summaries.flatMap((s) => [
    { variant: s.label, measure: 'fill step (per parent)', value: s.stepAgreeRate, lo: s.stepAgreeLo, hi: s.stepAgreeHi },
    { variant: s.label, measure: 'filled or not (per child)', value: s.childAgreeRate, lo: s.childAgreeLo, hi: s.childAgreeHi },
  ]);
  const measures = ['fill step (per parent)', 'filled or not (per child)'];
  return {
    ...base('Agreement with the live run', 'bars: share of parents (children) where the simulator agrees · black rules: 95 % Wilson interval', 260),
    data: { values },
    encoding: {
      x: { field: 'variant', type: 'nominal', title: 'simulator configuration', sort: summaries.map((s) => s.label), axis: { labelAngle: 0, labelLimit: 160 } },
      xOffset: { field: 'measure', sort: measures },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: 'agreement', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
          color: { field: 'measure', type: 'nominal', title: null, scale: { domain: measures, range: ['#2166ac', '#92c5de'] }, legend: { orient: 'bottom' } },
          tooltip: [{ field: 'variant' }, { field: 'measure' }, { field: 'value', format: '.1%' }, { field: 'lo', format: '.1%', title: '95 % low' }, { field: 'hi', format: '.1%', title: '95 % high' }],
        },
      },
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  };
}

/** sim − live per parent, one box per variant: time to fill (s) and shortfall (bps) side by side. */
export function differenceChart(rows: readonly ReconcileRow[], variants: readonly string[]): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const r of rows) {
    if (Number.isFinite(r.ttfDiffMs)) values.push({ variant: r.variant, measure: 'time to fill, s', diff: r.ttfDiffMs / 1000 });
    if (Number.isFinite(r.shortfallDiffBps)) values.push({ variant: r.variant, measure: 'shortfall, bps', diff: r.shortfallDiffBps });
  }
  return {
    $schema: SCHEMA,
    description: 'sim − live differences',
    title: { text: 'sim − live per parent (boxes: quartiles; whiskers: 5–95 %; 0 = the simulator matched)', fontSize: 12, fontWeight: 'normal', color: '#444' },
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['time to fill, s', 'shortfall, bps'] } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 330,
      height: Math.max(90, 34 * variants.length),
      mark: { type: 'boxplot', extent: 'min-max', median: { color: '#111' } },
      encoding: {
        y: { field: 'variant', type: 'nominal', title: null, sort: [...variants], axis: { labelLimit: 160 } },
        x: { field: 'diff', type: 'quantitative', title: 'sim − live', scale: { zero: true } },
        color: { value: '#4393c3' },
      },
    },
  };
}

/** Time to fill ECDFs: live beside each variant (the KS distance is the largest vertical gap). */
export function timeToFillEcdfChart(rows: readonly ReconcileRow[], variants: readonly string[]): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  const ecdf = (series: string, xs: number[]) => {
    xs.sort((a, b) => a - b);
    xs.forEach((x, i) => values.push({ series, ttfS: x, share: (i + 1) / xs.length }));
  };
  const first = variants[0];
  ecdf('live', rows.filter((r) => r.variant === first && Number.isFinite(r.liveTtfMs)).map((r) => r.liveTtfMs / 1000));
  for (const v of variants) ecdf(v, rows.filter((r) => r.variant === v && Number.isFinite(r.simTtfMs)).map((r) => r.simTtfMs / 1000));
  const domain = ['live', ...variants];
  const palette = ['#111111', '#2166ac', '#b2182b', '#1b7837', '#d08c00', '#762a83', '#8c510a', '#01665e'];
  return {
    ...base('Time to fill, live vs simulated', 'share of filled parents filled within t (step curves) · live in black', 240),
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'ttfS', type: 'quantitative', title: 'time to fill (s)' },
      y: { field: 'share', type: 'quantitative', title: 'share filled', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain, range: palette.slice(0, domain.length) }, legend: { orient: 'bottom', columns: 3 } },
    },
  };
}

/**
 * One parent's timeline, seconds from arrival: bid and ask (step lines), each child's limit while
 * it worked (live solid, simulated dashed) and the fills (live circles, simulated crosses).
 */
export function timelineChart(t: ParentTimeline): VegaLiteSpec {
  const s = (us: number) => (us - t.arrivalTsUs) / 1e6;
  const quotes = t.quotes.flatMap((q) => [
    { kind: 'bid', x: s(q.tsUs), price: q.bid },
    { kind: 'ask', x: s(q.tsUs), price: q.ask },
  ]);
  const limits = [
    ...t.liveChildren.map((c) => ({ who: 'live limit', x: s(c.fromUs), x2: s(c.toUs), price: c.limitPrice })),
    ...t.simChildren.map((c) => ({ who: 'sim limit', x: s(c.fromUs), x2: s(c.toUs), price: c.limitPrice })),
  ];
  const fills = [...t.liveFills.map((f) => ({ who: 'live fill', x: s(f.tsUs), price: f.price, qty: f.qty })), ...t.simFills.map((f) => ({ who: 'sim fill', x: s(f.tsUs), price: f.price, qty: f.qty }))];
  const prices = [...quotes.map((q) => q.price), ...limits.map((l) => l.price), ...fills.map((f) => f.price)].filter((p) => p > 0);
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  const pad = Math.max((hi - lo) * 0.08, 0.005);
  const y = { field: 'price', type: 'quantitative', title: 'price ($)', scale: { domain: [lo - pad, hi + pad], zero: false } };
  const x = { field: 'x', type: 'quantitative', title: 'seconds since arrival' };
  // One color scale shared by every layer (vega-lite merges them): quotes, limits and fills.
  const colorScale = { domain: ['bid', 'ask', 'live limit', 'sim limit', 'live fill', 'sim fill'], range: ['#1b7837', '#b2182b', '#2166ac', '#6baed6', '#111111', '#d08c00'] };
  return {
    ...base(`Timeline of ${t.clientOrderId}`, `${t.side} ${t.qty} ${t.symbol} · limits: live solid, sim dashed · fills: live circles, sim crosses`, 200),
    resolve: { scale: { strokeDash: 'independent', shape: 'independent' } },
    layer: [
      {
        data: { values: quotes },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.2 },
        encoding: { x, y, color: { field: 'kind', type: 'nominal', title: null, scale: colorScale, legend: { orient: 'bottom' } } },
      },
      {
        data: { values: limits },
        mark: { type: 'rule', strokeWidth: 3 },
        encoding: {
          x,
          x2: { field: 'x2' },
          y,
          strokeDash: { field: 'who', type: 'nominal', title: null, scale: { domain: ['live limit', 'sim limit'], range: [[1, 0], [5, 3]] }, legend: null },
          color: { field: 'who', type: 'nominal', scale: colorScale },
        },
      },
      {
        data: { values: fills },
        mark: { type: 'point', size: 90, filled: false, strokeWidth: 2 },
        encoding: {
          x,
          y,
          shape: { field: 'who', type: 'nominal', title: null, scale: { domain: ['live fill', 'sim fill'], range: ['circle', 'cross'] }, legend: null },
          color: { field: 'who', type: 'nominal', scale: colorScale },
          tooltip: [{ field: 'who' }, { field: 'x', title: 's', format: '.3f' }, { field: 'price', format: '.4f' }, { field: 'qty' }],
        },
      },
    ],
  };
}
