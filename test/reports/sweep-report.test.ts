import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SweepRow } from '../../src/sweep/analysis.ts';
import { heatmapSpec, type SweepPoint } from '../../src/reports/sweep/charts.ts';
import { loadSweep, reportSweepDir, sweepVerdict } from '../../src/reports/sweep/report.ts';
import { parseGridAxis } from '../../src/sweep/grid.ts';
import { sweepToArrow } from '../../src/records/sweep-results.ts';

const point = (id: string, rank: number, diff: number, lo: number, hi: number, a: Record<string, number>): SweepPoint => ({
  id,
  rank,
  diffEvenBps: diff - 0.5,
  diffOddBps: diff,
  diffOddLoBps: lo,
  diffOddHiBps: hi,
  shortfallOddBps: 3 + diff,
  medianTtfOddS: 10 + rank,
  p90TtfS: 40 + rank,
  fillRate: 1,
  pareto: rank === 1,
  assignments: a,
});

describe('sweep verdict', () => {
  it('calls a winner only when its interval excludes zero', () => {
    expect(sweepVerdict([point('A', 1, -1.5, -2.5, -0.5, {})], 'baseline (x)')).toMatchObject({ call: 'better' });
    expect(sweepVerdict([point('A', 1, -1.5, -2.5, -0.5, {})], 'baseline (x)').headline).toContain('A — 1.5 bps cheaper than the baseline (x)');
    expect(sweepVerdict([point('A', 1, -1, -2.7, 0.1, {})], 'baseline (x)')).toMatchObject({ call: 'unclear' });
    expect(sweepVerdict([point('A', 1, 0.5, 0.2, 0.9, {}), point('B', 2, 1, 0.5, 2, {})], 'baseline (x)')).toMatchObject({ call: 'worse' });
  });
});

describe('sweep heatmap', () => {
  it('one panel per value of the other keys: nothing averaged', () => {
    const points = [
      point('1', 1, -1, -2, 0, { p: 5, t: 15, s: 2 }),
      point('2', 2, -3, -4, 0, { p: 5, t: 15, s: 4 }),
      point('3', 3, 2, 1, 3, { p: 10, t: 15, s: 2 }),
      point('4', 4, 4, 3, 5, { p: 10, t: 15, s: 4 }),
    ];
    const spec = heatmapSpec(points, 'p', 't') as { data: { values: Record<string, unknown>[] }; facet: { field: string } };
    expect(spec.facet.field).toBe('panel');
    expect(spec.data.values.map((v) => [v.x, v.y, v.panel, v.diff, v.cell])).toEqual([
      ['5', '15', 's = 2', -1, '1'],
      ['5', '15', 's = 4', -3, '2'],
      ['10', '15', 's = 2', 2, '3'],
      ['10', '15', 's = 4', 4, '4'],
    ]);
  });
  it('a key whose cells give identical results is named as having no effect', async () => {
    const { axesWithoutEffect } = await import('../../src/reports/sweep/report.ts');
    const same = (id: string, rank: number, p: number, s: number, diff: number) => point(id, rank, diff, diff - 1, diff + 1, { p, s });
    // p changes nothing (same diff and shortfall for p = 5 and 10 at each s); s does
    const points = [same('a', 1, 5, 2, -1), same('b', 2, 10, 2, -1), same('c', 3, 5, 4, 2), same('d', 4, 10, 4, 2)];
    expect(axesWithoutEffect(points, ['p', 's'])).toEqual([{ key: 'p', same: 2, pairs: 2 }]);
  });
});

describe('sweep report file', () => {
  it('reads sweep.arrow back and renders every chart with marks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-report-'));
    const axes = [parseGridAxis('execution.step_percentage=5,10'), parseGridAxis('execution.step_timeout_buy=5,15')];
    const rows: SweepRow[] = [0, 1, 2, 3].map((i) => ({
      index: i,
      id: `cell${i}`,
      assignments: { 'execution.step_percentage': [5, 5, 10, 10][i], 'execution.step_timeout_buy': [5, 15, 5, 15][i] },
      parents: 100,
      fillRate: 0.99,
      shortfallBps: 3 + i,
      vsFarTouchBps: 5 - i,
      medianTimeToFillS: 10 + i,
      p90TimeToFillS: 40 + i,
      diffEvenBps: i - 1.5,
      diffOddBps: i - 1.25,
      diffOddLoBps: i - 2,
      diffOddHiBps: i - 0.5,
      shortfallOddBps: 3 + i,
      medianTimeToFillOddS: 10 + i,
      rank: i + 1,
      pareto: i === 0,
      marketStepShare: 0.1 * i,
      bySide: {
        buy: { diffOddBps: i - 3, shortfallOddBps: 2 + i, p90TimeToFillS: 30 + i, fillRate: 0.98, marketStepShare: 0.05 * i },
        sell: { diffOddBps: i + 1, shortfallOddBps: 4 + i, p90TimeToFillS: 50 + i, fillRate: 1, marketStepShare: 0.2 * i },
      },
    }));
    writeFileSync(join(dir, 'sweep.arrow'), sweepToArrow(rows, axes));
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ grid: axes, baseline: { id: 'baseline (the config as given)' }, parents: 100, prescreenRejected: [], seed: 42, replicates: 100, dataDir: '/x' }));
    const { points } = loadSweep(dir);
    expect(points.map((p) => [p.rank, p.diffOddBps, p.assignments['execution.step_percentage'], p.pareto])).toEqual([
      [1, -1.25, 5, true],
      [2, -0.25, 5, false],
      [3, 0.75, 10, false],
      [4, 1.75, 10, false],
    ]);
    const stages: string[] = [];
    const html = readFileSync(await reportSweepDir(dir, { onProgress: (done, total, stage) => stages.push(`${done}/${total} ${stage}`) }), 'utf8');
    expect(stages).toEqual(['1/6 load', '2/6 heatmap', '3/6 in sample vs out of sample', '4/6 speed vs price', '5/6 ranked cells', '6/6 write']);
    expect(html).toContain('Best ladder: cell0 — 1.3 bps cheaper');
    for (const id of ['heatmap', 'in-out-sample', 'pareto', 'ranked']) {
      const section = html.slice(html.indexOf(`data-chart="${id}"`));
      expect(section.slice(0, section.indexOf('</figure>'))).toMatch(/<svg[\s\S]*<(path|rect|line)/);
    }
    expect(html).not.toMatch(/(src|href)=/);
    expect((html.match(/<tr>/g) ?? []).length).toBe(10); // the ranked table and the buy parents' table
    // in-sample and out-of-sample Δ side by side, the p90 time to fill, and every point with a <title>
    expect(html).toContain('<th class="num">in-sample Δ bps (ranking)</th><th class="num">out-of-sample Δ bps [95 % CI]</th>');
    expect(html).toContain('<td class="num">−1.5</td><td class="num">−1.3 [−2.0, −0.5]</td>');
    expect(html).toContain('<th class="num">p90 time to fill s (all parents)</th>');
    expect(html).toContain('<td class="num">40.0</td>');
    // the market-step share per cell, and the side-specific key's side on its own
    expect(html).toContain('<th class="num">market-step share</th><th>Pareto</th>');
    expect(html).toContain('<td class="num">0 %</td><td>yes</td>'); // cell0: no market step, on the front
    expect(points[1].marketStepShare).toBeCloseTo(0.1, 12);
    expect(points[1].bySide!.buy).toEqual({ diffOddBps: -2, shortfallOddBps: 3, p90TtfS: 31, fillRate: 0.98, marketStepShare: 0.05 });
    expect(points[1].bySide!.sell).toEqual({ diffOddBps: 2, shortfallOddBps: 5, p90TtfS: 51, fillRate: 1, marketStepShare: 0.2 });
    const buys = html.slice(html.indexOf('<section id="side-buy"'));
    expect(buys).toContain('execution.step_timeout_buy acts on buy parents only');
    expect(buys).toContain('<td class="num">1</td><td>cell0</td><td class="num">−3.0</td><td class="num">2.0</td><td class="num">30.0</td><td class="num">98 %</td><td class="num">0 %</td>');
    expect(buys).toContain('<td class="num">4</td><td>cell3</td><td class="num">0.0</td><td class="num">5.0</td><td class="num">33.0</td><td class="num">98 %</td><td class="num">15 %</td>');
    expect(html).not.toContain('<section id="side-sell"'); // no _sell key in this grid
    const marks = html.match(/aria-roledescription="(point|rect)"[^>]*>/g) ?? [];
    expect(marks.length).toBeGreaterThan(4);
    expect(html.match(/aria-roledescription="(point|rect)"[^>]*><title>/g)).toHaveLength(marks.length);
  });
});
