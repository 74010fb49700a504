/**
 * A sweep directory (sweep.arrow + sweep.json) → one self-contained HTML report: the verdict
 * names the best-ranked cell and its out-of-sample difference from the baseline with its 95 %
 * interval; then the heatmap over two grid keys, the Pareto scatter, and the ranked table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { tableFromIPC } from '@uwdata/flechette';
import { writeFileAtomic } from '../../core/atomic-write.ts';
import { InputError } from '../../core/errors.ts';
import { bps, count, percent, seconds } from '../format.ts';
import { type Column, htmlTable, renderPage, type Section } from '../html.ts';
import { renderSvg } from '../render.ts';
import type { Verdict } from '../verdict.ts';
import { heatmapSpec, inOutSampleSpec, paretoSpec, rankedSpec, type SidePoint, type SweepPoint } from './charts.ts';

export interface SweepManifest {
  grid: { key: string; values: (string | number | boolean)[] }[];
  baseline: { id: string };
  parents: number;
  prescreenRejected: unknown[];
  seed: string | number;
  replicates: number;
  dataDir: string;
}

export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json')) && existsSync(join(dir, 'sweep.arrow'));
}

export function loadSweep(dir: string): { manifest: SweepManifest; points: SweepPoint[] } {
  const manifestPath = join(dir, 'sweep.json');
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SweepManifest;
  } catch (err) {
    throw new InputError(`${manifestPath}: not a readable sweep manifest (${(err as Error).message})`);
  }
  const table = tableFromIPC(readFileSync(join(dir, 'sweep.arrow')));
  const rows = table.toArray() as Record<string, unknown>[];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const points = rows.map((r) => ({
    id: String(r.cell_id),
    rank: Number(r.rank),
    diffEvenBps: num(r.diff_even_bps),
    diffOddBps: num(r.diff_odd_bps),
    diffOddLoBps: num(r.diff_odd_lo_bps),
    diffOddHiBps: num(r.diff_odd_hi_bps),
    shortfallOddBps: num(r.shortfall_odd_bps),
    medianTtfOddS: num(r.median_ttf_odd_s),
    p90TtfS: num(r.p90_ttf_s),
    fillRate: num(r.fill_rate),
    pareto: Boolean(r.pareto),
    assignments: Object.fromEntries(manifest.grid.map((axis) => [axis.key, r[axis.key] as string | number | boolean])),
    marketStepShare: num(r.market_step_share),
    ...('diff_odd_buy_bps' in r ? { bySide: { buy: sidePoint(r, 'buy'), sell: sidePoint(r, 'sell') } } : {}),
  }));
  return { manifest, points };
}

function sidePoint(r: Record<string, unknown>, side: 'buy' | 'sell'): SidePoint {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    diffOddBps: num(r[`diff_odd_${side}_bps`]),
    shortfallOddBps: num(r[`shortfall_odd_${side}_bps`]),
    p90TtfS: num(r[`p90_ttf_${side}_s`]),
    fillRate: num(r[`fill_rate_${side}`]),
    marketStepShare: num(r[`market_step_share_${side}`]),
  };
}

/** Grid keys that act on one side only (execution.step_timeout_buy, aggression_sell, …), by side. */
export function sideSpecificKeys(keys: readonly string[]): Record<'buy' | 'sell', string[]> {
  return { buy: keys.filter((k) => /_buy$/.test(k)), sell: keys.filter((k) => /_sell$/.test(k)) };
}

/** Per side with side-specific keys: the ranked cells with that side's own figures (a _buy key moves only buys). */
function sideSections(ranked: readonly SweepPoint[], keys: readonly string[]): Section[] {
  const bySide = sideSpecificKeys(keys);
  return (['buy', 'sell'] as const)
    .filter((side) => bySide[side].length > 0 && ranked.some((p) => p.bySide))
    .map((side) => ({
      id: `side-${side}`,
      title: `${side === 'buy' ? 'Buy' : 'Sell'} parents only`,
      lead: `${bySide[side].join(', ')} ${bySide[side].length > 1 ? 'act' : 'acts'} on ${side} parents only, so the cells are compared here on the ${side} parents alone (point figures; Δ and shortfall on the odd-numbered ones).`,
      table: htmlTable(
        ranked.map((p) => ({ ...p })),
        [
          column('rank', (r) => String(r.rank)),
          column('cell', (r) => String(r.id), false),
          column(`out-of-sample Δ bps, ${side}s`, (r) => bps((r.bySide as SweepPoint['bySide'])?.[side].diffOddBps ?? null)),
          column(`shortfall bps, ${side}s`, (r) => bps((r.bySide as SweepPoint['bySide'])?.[side].shortfallOddBps ?? null)),
          column(`p90 time to fill s, ${side}s`, (r) => seconds((r.bySide as SweepPoint['bySide'])?.[side].p90TtfS ?? null)),
          column(`fill rate, ${side}s`, (r) => percent((r.bySide as SweepPoint['bySide'])?.[side].fillRate ?? null)),
          column(`market-step share, ${side}s`, (r) => percent((r.bySide as SweepPoint['bySide'])?.[side].marketStepShare ?? null)),
        ],
      ),
    }));
}

/** Plain-language verdict: a difference is called only when its interval excludes zero. */
export function sweepVerdict(points: readonly SweepPoint[], baselineId: string): Verdict {
  const best = [...points].sort((a, b) => a.rank - b.rank)[0];
  if (!best || best.diffOddBps === null) return { headline: 'The sweep has no filled parents to compare.', call: 'no-data', points: [] };
  const ci = `95 % interval ${bps(best.diffOddLoBps)} to ${bps(best.diffOddHiBps)} bps`;
  const lo = best.diffOddLoBps ?? -Infinity;
  const hi = best.diffOddHiBps ?? Infinity;
  const call: Verdict['call'] = hi < 0 ? 'better' : lo > 0 ? 'worse' : 'unclear';
  const headline =
    call === 'better'
      ? `Best ladder: ${best.id} — ${bps(Math.abs(best.diffOddBps))} bps cheaper than the ${baselineId} on orders it was not chosen on (${ci}).`
      : call === 'worse'
        ? `Even the best-ranked ladder (${best.id}) costs ${bps(best.diffOddBps)} bps more than the ${baselineId} out of sample (${ci}): keep the baseline.`
        : `Best-ranked ladder: ${best.id}, ${bps(best.diffOddBps)} bps vs the ${baselineId} out of sample — the ${ci} includes zero, so this sweep cannot tell it from the baseline.`;
  const front = points.filter((p) => p.pareto).length;
  return {
    headline,
    call,
    points: [
      `Cells were ranked on even-numbered parent orders and every figure here comes from the odd-numbered ones, so the winner is not an in-sample pick.`,
      `Median time to fill of the best cell: ${seconds(best.medianTtfOddS)} s; ${count(front)} of ${count(points.length)} cells are on the time-vs-cost Pareto front.`,
    ],
  };
}

/**
 * Grid keys that changed nothing: for each key, the pairs of cells that differ only in it; when
 * most such pairs have identical out-of-sample results (Δ and shortfall equal to 1e-9 bps), the
 * key had no effect on these parents (on tight spreads the steps round onto the same ticks).
 */
export function axesWithoutEffect(points: readonly SweepPoint[], keys: readonly string[]): { key: string; same: number; pairs: number }[] {
  const out: { key: string; same: number; pairs: number }[] = [];
  for (const key of keys) {
    const groups = new Map<string, SweepPoint[]>();
    for (const p of points) {
      const rest = JSON.stringify(keys.filter((k) => k !== key).map((k) => p.assignments[k]));
      groups.set(rest, [...(groups.get(rest) ?? []), p]);
    }
    let pairs = 0;
    let same = 0;
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) {
        pairs++;
        const [a, b] = [group[i], group[j]];
        const eq = (x: number | null, y: number | null) => (x === null && y === null) || (x !== null && y !== null && Math.abs(x - y) < 1e-9);
        if (eq(a.diffOddBps, b.diffOddBps) && eq(a.shortfallOddBps, b.shortfallOddBps)) same++;
      }
    }
    if (pairs > 0 && same / pairs > 0.5) out.push({ key, same, pairs });
  }
  return out;
}

function withNoEffect(v: Verdict, noEffect: readonly { key: string; same: number; pairs: number }[]): Verdict {
  const warnings = noEffect.map((a) => `Warning: ${a.key} changed nothing in ${a.same} of ${a.pairs} cell pairs that differ only in it — on these parents its values give the same orders (see the run report's degenerate-ladder share).`);
  return { ...v, points: [...warnings, ...v.points] };
}

const column = (label: string, cell: Column['cell'], numeric = true): Column => ({ label, cell, numeric });

export interface SweepReportOptions {
  out?: string;
  /** Grid keys for the heatmap's axes (default: the first two). */
  x?: string;
  y?: string;
  /** Called as each stage finishes (load, each chart, write). */
  onProgress?: (done: number, total: number, stage: string) => void;
}

/** The ranked cells as an HTML table (rank order). */
function rankedCellsTable(ranked: readonly SweepPoint[]): string {
  return htmlTable(
    ranked.map((p) => ({ ...p })),
    [
      column('rank', (r) => String(r.rank)),
      column('cell', (r) => String(r.id), false),
      column('in-sample Δ bps (ranking)', (r) => bps(r.diffEvenBps)),
      column('out-of-sample Δ bps [95 % CI]', (r) => `${bps(r.diffOddBps)} [${bps(r.diffOddLoBps)}, ${bps(r.diffOddHiBps)}]`),
      column('shortfall bps', (r) => bps(r.shortfallOddBps)),
      column('median time to fill s', (r) => seconds(r.medianTtfOddS)),
      column('p90 time to fill s (all parents)', (r) => seconds(r.p90TtfS)),
      column('fill rate', (r) => percent(r.fillRate)),
      column('market-step share', (r) => percent((r.marketStepShare as number | null | undefined) ?? null)),
      column('Pareto', (r) => (r.pareto ? 'yes' : ''), false),
    ],
  );
}

const SWEEP_DEFINITIONS: [string, string][] = [
  ['Δ shortfall', 'Per parent: shortfall in the cell − shortfall in the baseline cell, same parent, same seed (common random numbers); the mean over odd-numbered parents, with a 95 % block-bootstrap interval by arrival minute (every cell resampled with the same draws, so two cells\' intervals differ only by what the cells did).'],
  ['Ranking', 'By the mean Δ on even-numbered parents (arrival order); reported figures come from odd-numbered parents, which the ranking never saw.'],
  ['Pareto front', 'Cells for which no other cell has both a lower median time to fill and a lower mean shortfall (odd parents).'],
  ['Market-step share', 'Of the completely filled parents, the share whose last fill came at the market step (the ladder ran out of limit steps).'],
];

/** The stages reportSweepDir reports through onProgress. */
export const SWEEP_REPORT_STAGES = ['load', 'heatmap', 'in sample vs out of sample', 'speed vs price', 'ranked cells', 'write'] as const;

export async function reportSweepDir(dir: string, options: SweepReportOptions = {}): Promise<string> {
  let done = 0;
  const progress = (stage: (typeof SWEEP_REPORT_STAGES)[number]) => options.onProgress?.(++done, SWEEP_REPORT_STAGES.length, stage);
  const { manifest, points } = loadSweep(dir);
  progress('load');
  const keys = manifest.grid.map((a) => a.key);
  const xKey = options.x ?? keys[0];
  const yKey = options.y ?? keys[1] ?? keys[0];
  for (const [flag, key] of [['--x', xKey], ['--y', yKey]] as const) {
    if (!keys.includes(key)) throw new InputError(`${flag} ${key}: not a key of this sweep's grid (${keys.join(', ')})`);
  }
  const specs = { heatmap: heatmapSpec(points, xKey, yKey), inOut: inOutSampleSpec(points, keys), pareto: paretoSpec(points), ranked: rankedSpec(points, keys) };
  const noEffect = axesWithoutEffect(points, keys);
  const ranked = [...points].sort((a, b) => a.rank - b.rank);
  const table = rankedCellsTable(ranked);
  const sections: Section[] = [
    {
      id: 'heatmap',
      title: `Δ shortfall over ${xKey} × ${yKey}`,
      lead: 'Paired difference in implementation shortfall from the baseline on the odd-numbered parents (negative: the cell is cheaper), one panel per value of the other grid keys — nothing averaged.',
      svg: await renderSvg(specs.heatmap).then((svg) => (progress('heatmap'), svg)),
      table: '',
      note: noEffect.length ? noEffect.map((a) => `Warning: ${a.key} had no effect in ${a.same} of ${a.pairs} cell pairs that differ only in it (identical results).`).join(' ') : undefined,
    },
    {
      id: 'in-out-sample',
      title: 'In sample vs out of sample',
      lead: 'Each cell\'s Δ on the parents it was ranked on (even) beside the parents it was not (odd): a winner whose advantage vanishes out of sample was picked by chance.',
      svg: await renderSvg(specs.inOut).then((svg) => (progress('in sample vs out of sample'), svg)),
      table: '',
    },
    {
      id: 'pareto',
      title: 'Speed vs price',
      lead: 'Each cell\'s median time to fill against its mean shortfall; the Pareto front holds the cells no other cell beats on both.',
      svg: await renderSvg(specs.pareto).then((svg) => (progress('speed vs price'), svg)),
      table: '',
    },
    {
      id: 'ranked',
      title: 'Ranked cells, out of sample',
      lead: 'Ranked by the paired difference on even-numbered parents; every figure from the odd-numbered parents.',
      svg: await renderSvg(specs.ranked).then((svg) => (progress('ranked cells'), svg)),
      table,
    },
    ...sideSections(ranked, keys),
  ];
  const html = renderPage({
    title: `ladderlab sweep — ${basename(resolve(dir))}`,
    meta: [
      ['sweep', resolve(dir)],
      ['grid', manifest.grid.map((a) => `${a.key} = ${a.values.join(', ')}`).join('; ')],
      ['baseline', manifest.baseline.id],
      ['parents', `${count(manifest.parents)} in every cell, ${count(manifest.prescreenRejected.length)} removed by the order-list risk checks`],
      ['bootstrap', `${count(manifest.replicates)} replicates, seed ${String(manifest.seed)}`],
    ],
    verdict: withNoEffect(sweepVerdict(points, manifest.baseline.id), noEffect),
    sections,
    definitions: SWEEP_DEFINITIONS,
    specs,
    run: { sweep: manifest },
  });
  const out = resolve(options.out ?? join(dir, 'report.html'));
  writeFileAtomic(out, html);
  progress('write');
  return out;
}
