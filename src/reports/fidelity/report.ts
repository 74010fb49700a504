/**
 * The fidelity report: ONE self-contained HTML page (../html.ts, same style and CSP as the run
 * report) saying how well each simulator configuration reproduces a live run, parent by parent:
 * agreement rates with 95 % Wilson intervals (one row per configuration), the sim − live
 * difference distributions, time-to-fill ECDFs with their Kolmogorov–Smirnov distance, and the
 * worst parents, each with a timeline (quotes, our child's limit, live vs simulated fills).
 */
import type { ReconcileRow } from '../../records/reconcile.ts';
import { fixed, percent } from '../format.ts';
import { htmlTable, renderPage, type Column, type Section } from '../html.ts';
import { renderSvg } from '../render.ts';
import { stepLabel } from '../tables.ts';
import type { Verdict } from '../verdict.ts';
import { agreementChart, differenceChart, timelineChart, timeToFillEcdfChart } from './charts.ts';
import type { FidelitySummary, ParentTimeline } from './types.ts';

export type { FidelitySummary, ParentTimeline } from './types.ts';

export interface FidelityReportInput {
  title: string;
  meta: [string, string][];
  summaries: readonly FidelitySummary[];
  rows: readonly ReconcileRow[];
  worst: readonly { row: ReconcileRow; timeline: ParentTimeline }[];
  /** execution.progressive_steps of the run: names the steps (../tables.ts stepLabel). */
  progressiveSteps: number;
  /** Embedded as JSON (run.json and the variants' sim sections). */
  run: unknown;
}

const rate = (k: number, n: number, r: number, lo: number, hi: number) => (n > 0 ? `${percent(r)} [${percent(lo)}, ${percent(hi)}] (${k}/${n})` : '—');
const q3 = (xs: number[], digits: number) => `${fixed(xs[2], digits)} [${fixed(xs[0], digits)}, ${fixed(xs[4], digits)}]`;

export function fidelityVerdict(summaries: readonly FidelitySummary[]): Verdict {
  if (summaries.length === 0 || summaries[0].parents === 0) return { headline: 'No parents to compare.', call: 'no-data', points: [] };
  const [first, ...rest] = summaries;
  const best = [...summaries].sort((a, b) => b.stepAgreeRate - a.stepAgreeRate)[0];
  const points = summaries.map(
    (s) =>
      `${s.label} (fill model ${s.fillModel}): fill step agrees on ${percent(s.stepAgreeRate)} of parents [${percent(s.stepAgreeLo)}, ${percent(s.stepAgreeHi)}], filled-or-not on ${percent(s.childAgreeRate)} of children; time-to-fill KS distance ${fixed(s.ksTimeToFill, 2)}; median shortfall difference ${fixed(s.shortfallDiffBps[2], 1)} bps.`,
  );
  const headline =
    `The simulator as "${first.label}" reproduces the live fill step of ${percent(first.stepAgreeRate)} of ${first.parents} parents` +
    (rest.length > 0 ? `; the best configuration is "${best.label}" at ${percent(best.stepAgreeRate)}.` : '.');
  const call = first.stepAgreeLo >= 0.9 ? 'better' : first.stepAgreeHi < 0.75 ? 'worse' : 'unclear';
  return { headline, call, points };
}

function summaryTable(summaries: readonly FidelitySummary[]): string {
  const columns: Column[] = [
    { label: 'configuration', cell: (r) => String(r.label) },
    { label: 'fill model', cell: (r) => String(r.fillModel) },
    { label: 'parents', cell: (r) => String(r.parents), numeric: true },
    { label: 'fill step agrees [95 %]', cell: (r) => rate(r.stepAgree as number, r.parents as number, r.stepAgreeRate as number, r.stepAgreeLo as number, r.stepAgreeHi as number), numeric: true },
    { label: 'child filled-or-not agrees [95 %]', cell: (r) => rate(r.childrenAgree as number, r.childrenCompared as number, r.childAgreeRate as number, r.childAgreeLo as number, r.childAgreeHi as number), numeric: true },
    { label: 'KS time to fill', cell: (r) => fixed(r.ksTimeToFill, 3), numeric: true },
  ];
  return htmlTable(summaries as unknown as Record<string, unknown>[], columns);
}

function differenceTable(summaries: readonly FidelitySummary[]): string {
  const columns: Column[] = [
    { label: 'configuration', cell: (r) => String(r.label) },
    { label: 'time to fill, s: median [5 %, 95 %]', cell: (r) => q3(r.ttfDiffS as number[], 2), numeric: true },
    { label: 'fill price, bps: median [5 %, 95 %]', cell: (r) => q3(r.priceDiffBps as number[], 2), numeric: true },
    { label: 'shortfall, bps: median [5 %, 95 %]', cell: (r) => q3(r.shortfallDiffBps as number[], 2), numeric: true },
    { label: 'shortfall, bps: mean', cell: (r) => fixed(r.meanShortfallDiffBps, 2), numeric: true },
  ];
  return htmlTable(summaries as unknown as Record<string, unknown>[], columns);
}

function worstTable(row: ReconcileRow, progressiveSteps: number): string {
  const stepName = (step: number) => (step < 0 ? 'none' : stepLabel(step, progressiveSteps));
  const columns: Column[] = [
    { label: '', cell: (r) => String(r.who) },
    { label: 'status', cell: (r) => String(r.status) },
    { label: 'fill step', cell: (r) => String(r.step) },
    { label: 'avg price', cell: (r) => fixed(r.price, 4), numeric: true },
    { label: 'time to fill, s', cell: (r) => fixed(r.ttf, 3), numeric: true },
    { label: 'shortfall, bps', cell: (r) => fixed(r.shortfall, 2), numeric: true },
    { label: 'children', cell: (r) => String(r.children), numeric: true },
  ];
  return htmlTable(
    [
      { who: 'live', status: row.liveStatus, step: stepName(row.liveFillStep), price: row.liveAvgPrice, ttf: row.liveTtfMs / 1000, shortfall: row.liveShortfallBps, children: row.childrenLive },
      { who: `sim (${row.variant})`, status: row.simStatus, step: stepName(row.simFillStep), price: row.simAvgPrice, ttf: row.simTtfMs / 1000, shortfall: row.simShortfallBps, children: row.childrenSim },
    ],
    columns,
  );
}

export async function buildFidelityReport(input: FidelityReportInput): Promise<string> {
  const variants = input.summaries.map((s) => s.label);
  const specs: Record<string, unknown> = {
    agreement: agreementChart(input.summaries),
    differences: differenceChart(input.rows, variants),
    'time-to-fill': timeToFillEcdfChart(input.rows, variants),
  };
  input.worst.forEach((w, i) => (specs[`worst-${i + 1}`] = timelineChart(w.timeline)));
  const svg = async (id: string) => renderSvg(specs[id] as Record<string, unknown>);
  const sections: Section[] = [
    {
      id: 'agreement',
      title: 'Agreement with the live run',
      lead: 'Each live parent re-simulated at its real arrival time on the tape the run recorded, one row per simulator configuration. A parent agrees when the simulator fills it at the same ladder step (or leaves it unfilled too); a child agrees when both filled something or neither did.',
      svg: await svg('agreement'),
      table: summaryTable(input.summaries),
    },
    {
      id: 'differences',
      title: 'How far off: sim − live',
      lead: 'Per parent, the simulated value minus the live one: time to fill (parents filled in both) and shortfall vs the arrival mid. Zero everywhere means the simulator reproduced the run.',
      svg: await svg('differences'),
      table: differenceTable(input.summaries),
    },
    {
      id: 'time-to-fill',
      title: 'Time to fill, live vs simulated',
      lead: 'The distributions of time to fill over parents that filled; the Kolmogorov–Smirnov distance (the table above) is the largest vertical gap between the live curve and a simulated one.',
      svg: await svg('time-to-fill'),
      table: htmlTable(
        input.summaries.map((s) => ({ label: s.label, ks: s.ksTimeToFill, median: s.ttfDiffS[2] })),
        [
          { label: 'configuration', cell: (r) => String(r.label) },
          { label: 'KS distance', cell: (r) => fixed(r.ks, 3), numeric: true },
          { label: 'median sim − live, s', cell: (r) => fixed(r.median, 2), numeric: true },
        ],
      ),
    },
  ];
  for (let i = 0; i < input.worst.length; i++) {
    const w = input.worst[i];
    sections.push({
      id: `worst-${i + 1}`,
      title: `Worst parent ${i + 1}: ${w.row.clientOrderId}`,
      lead: `${w.timeline.caption}. Bid and ask as the tape shows them; blue bars: our child's limit while it worked (live solid, simulated dashed); circles live fills, crosses simulated fills.`,
      svg: await svg(`worst-${i + 1}`),
      table: worstTable(w.row, input.progressiveSteps),
    });
  }
  if (input.worst.length === 0) {
    sections.push({ id: 'worst', title: 'Worst parents', lead: 'Every parent agrees: there is nothing to show.', table: '' });
  }
  return renderPage({
    title: input.title,
    meta: input.meta,
    verdict: fidelityVerdict(input.summaries),
    sections,
    definitions: [
      ['fill step agreement', 'share of parents whose last fill came at the same ladder step live and simulated (unfilled in both counts as agreeing); interval: 95 % Wilson score interval.'],
      ['child agreement', 'children matched by their place in the parent (first with first …); agree when both filled something or neither did.'],
      ['sim − live', 'time to fill: simulated − live seconds; shortfall: D·(P − M₀)/M₀·10⁴ bps simulated − live; fill price: D·(P_sim − P_live)/M₀·10⁴ bps.'],
      ['KS distance', 'sup over t of |F_live(t) − F_sim(t)|, the empirical distribution functions of time to fill over the parents that filled.'],
    ],
    specs,
    run: input.run,
  });
}
