/**
 * The real pipeline: generated sample market → `ladderlab backtest` → `ladderlab report`. Every
 * metric is defined once (src/reports/metrics.ts): the backtest's printed summary and the HTML
 * report must show the same numbers for the same run, and the baseline is paired parent by parent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { loadRun } from '../../src/records/read.ts';
import { tapeMidAt } from '../../src/reports/tape-mids.ts';
import { writeSample } from '../../src/data/sample/sample.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-pipeline-'));
const data = join(root, 'sample');
const run = join(root, 'run');
let btStdout = '';


beforeAll(async () => {
  writeSample(data, { seed: 5 });
  const bt = await cli(['backtest', '--data', data, '--orders', '80', '--out', run, '--seed', '5', '--replicates', '100']);
  expect(bt.code).toBe(0);
  btStdout = bt.stdout;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Cells of a summary table's rows (split on 2+ spaces), keyed by the first cell. */
function summaryRows(stdout: string, caption: string): Map<string, string[]> {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(caption));
  const out = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === '') break;
    const cells = line.trim().split(/ {2,}/);
    out.set(cells[0], cells.slice(1));
  }
  return out;
}

describe('backtest → report', () => {
  it('the report measures every parent from the stored facts, buys and sells, paired with the baseline', () => {
    const loaded = loadRun(run);
    const metrics = runMetrics(loaded.records, tapeMidAt(loaded.dataDir!));
    const filled = metrics.filter((m) => m.complete === 1);
    expect(filled.filter((m) => m.side === 'buy').length).toBeGreaterThan(10);
    expect(filled.filter((m) => m.side === 'sell').length).toBeGreaterThan(10);
    // Fills happened inside the tape's session, so the +1 s markouts are known.
    expect(filled.every((m) => m.markout1sBps !== null)).toBe(true);
    expect(loaded.baseline).not.toBeNull();
    expect(new Set(loaded.baseline!.map((b) => b.clientOrderId))).toEqual(new Set(loaded.records.map((r) => r.clientOrderId)));
    // records.arrow stores facts; no second definition of a metric on disk
    const names = tableFromIPC(readFileSync(join(run, 'records.arrow'))).schema.fields.map((f) => f.name);
    expect(names).not.toContain('shortfall_bps');
    expect(names).not.toContain('improvement_far_touch_bps');
  });

  it('ladderlab report prints the path of a page with a verdict and the baseline comparison', async () => {
    const r = await cli(['report', run, '--replicates', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${join(run, 'report.html')}\n`);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).toMatch(/<p class="headline">Ladder − market order: −?\d+\.\d \[−?\d+\.\d, −?\d+\.\d\] bps per order .*: (BETTER|WORSE|CANNOT TELL)/);
    expect(html).toContain('simulated market orders (baseline.arrow)');
    expect(html).not.toContain('baseline not run');
  });

  it('the backtest summary prints the same headline, decomposition, robustness and tables as the report for the same run', async () => {
    const r = await cli(['report', run, '--replicates', '100', '--out', join(root, 'same.html')]);
    expect(r.code).toBe(0);
    const html = readFileSync(join(root, 'same.html'), 'utf8');
    const unescape = (x: string) => x.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
    const cell = (text: string) => `<td class="num">${text.replace(/&/g, '&amp;')}</td>`;
    // the headline, word for word
    const headlineLine = btStdout.split('\n').find((l) => l.startsWith('Ladder − market order: '))!;
    expect(headlineLine).toMatch(/^Ladder − market order: −?\d+\.\d \[−?\d+\.\d, −?\d+\.\d\] bps per order/);
    expect(unescape(/<p class="headline">([^<]*)<\/p>/.exec(html)![1])).toBe(headlineLine);
    // the decomposition: the same values, and they add up (within 0.01 bps at the printed rounding)
    const decomposition = [...html.matchAll(/<tr><td>([^<]*)<\/td><td class="num">([^<]*) bps<\/td><\/tr>/g)].map((m) => [m[1], m[2]]);
    expect(decomposition).toHaveLength(6);
    for (const [label, value] of decomposition) expect(btStdout).toMatch(new RegExp(`\\n  ${label.replace(/[()[\]]/g, '\\$&')} +${value.replace(/[()[\]]/g, '\\$&')} bps\\n`));
    const point = (label: string) => Number(decomposition.find(([l]) => l.startsWith(label))![1].split(' ')[0].replace('−', '-'));
    expect(Math.abs(point('half spread') + point('ladder vs') - point('ladder implementation'))).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(Math.abs(point('ladder vs') - point('market order: paid') - point('difference'))).toBeLessThanOrEqual(0.1 + 1e-9);
    // the robustness verdict and rows
    const robustLine = btStdout.split('\n').find((l) => l.startsWith('Robust') || l.startsWith('Depends'))!;
    expect(html).toContain(`<p class="robustness-verdict"><b>${robustLine.replace(/&/g, '&amp;')}</b></p>`);
    expect(html.match(/<table class="robustness">[\s\S]*?<\/table>/)![0].match(/<tr class=/g)).toHaveLength(9);
    // the tables
    const quality = summaryRows(btStdout, 'execution quality by side');
    const baseline = summaryRows(btStdout, 'ladder vs market-order baseline by side');
    const fillRate = summaryRows(btStdout, 'fill rate by step');
    expect([...quality.keys()]).toEqual(['buy', 'sell', 'all']);
    for (const side of ['buy', 'sell', 'all']) {
      const [, , shortfall, farTouch] = quality.get(side)!;
      expect(shortfall).toMatch(/^−?\d+\.\d \[−?\d+\.\d, −?\d+\.\d\]$/);
      expect(html).toContain(cell(shortfall));
      expect(html).toContain(cell(farTouch));
      const [, ladderIs, baselineIs, difference] = baseline.get(side)!;
      for (const x of [ladderIs, baselineIs, difference]) expect(html).toContain(cell(x));
      // fill rate by side: "share (cumulative)" per step in the summary, the report's table by side
      const shares = fillRate.get(side)!.slice(1).map((c) => c.split(' (')[0]);
      const reportShares = [...html.matchAll(new RegExp(`<tr><td>${side}</td><td>(?:step \\d[^<]*|market)</td><td class="num">[^<]*</td><td class="num">(\\d+ %)`, 'g'))].map((m) => m[1]);
      expect(reportShares).toEqual(shares);
    }
  });
});
