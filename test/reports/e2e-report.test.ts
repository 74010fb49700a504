/**
 * End to end: write a run directory, build the report, open it in headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core) and check what a reader gets: no console errors,
 * no network requests, every chart an SVG with marks, every table filled, a screenshot.
 * Skips, saying so, only when /usr/bin/chromium is absent (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RobustnessScenario, robustnessToArrow } from '../../src/records/robustness.ts';
import { reportRunDir } from '../../src/reports/report.ts';
import { writeRunDir } from './report-run-fixture.ts';
import { SYNTH_DAY, syntheticRun } from './report-synthetic.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`e2e-report: SKIPPED — ${CHROMIUM} not found (apt-get install chromium; .ci/run does this)`);
}

interface PageFindings {
  consoleErrors: string[];
  requests: string[];
  charts: { id: string; svgs: number; marks: number; drawn: number; byKind: Record<string, number> }[];
  tables: { section: string; rows: number; emptyCells: number }[];
  verdict: string;
  assumptions: Record<string, string>;
  robustnessVerdict: string;
  robustnessRows: string[][];
  breakdownDimensions: string[];
  degenerateLine: string;
}

/** The few DOM members the in-page check uses (the project compiles without the DOM lib). */
interface El {
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El> & ArrayLike<El>;
  closest(selector: string): El | null;
  getBBox(): { width: number; height: number };
}

async function inspect(browser: Browser, htmlPath: string, screenshot?: string): Promise<PageFindings> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(htmlPath).href;
  await page.goto(url, { waitUntil: 'load' });
  const found = await page.evaluate(() => {
    const document = (globalThis as unknown as { document: El }).document;
    const charts = [...document.querySelectorAll('figure.chart')].map((f) => ({
      id: f.getAttribute('data-chart') ?? '',
      svgs: f.querySelectorAll(':scope > svg').length,
      // vega marks: <g class="mark-… role-mark"> groups and the shapes inside them
      marks: f.querySelectorAll('g.role-mark > *').length,
      // shapes that actually take space on screen
      drawn: [...f.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > text, g.role-mark > rect')].filter((el) => {
        const box = el.getBBox();
        return box.width > 0 || box.height > 0;
      }).length,
      // drawn shapes by vega's aria role ("bar", "line mark", "rule mark", "point" …)
      byKind: [...f.querySelectorAll('g.role-mark > [aria-roledescription]')].reduce<Record<string, number>>((acc, el) => {
        const kind = el.getAttribute('aria-roledescription') ?? '';
        acc[kind] = (acc[kind] ?? 0) + 1;
        return acc;
      }, {}),
    }));
    const tables = [...document.querySelectorAll('section table')].map((t) => ({
      section: t.closest('section')?.id ?? '',
      rows: t.querySelectorAll('tbody tr').length,
      emptyCells: [...t.querySelectorAll('tbody td')].filter((td) => (td.textContent ?? '').trim() === '').length,
    }));
    const text = (el: El | null) => (el?.textContent ?? '').trim();
    const assumptions = Object.fromEntries([...document.querySelectorAll('#assumptions tr')].map((tr) => [text(tr.querySelector('th')), text(tr.querySelector('td'))]));
    const robustnessRows = [...document.querySelectorAll('table.robustness tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => text(td)));
    const breakdownDimensions = [...new Set([...document.querySelectorAll('#breakdowns tbody tr')].map((tr) => text(tr.querySelector('td'))))];
    return {
      charts,
      tables,
      verdict: text(document.querySelector('#verdict .headline')),
      assumptions,
      robustnessVerdict: text(document.querySelector('.robustness-verdict')),
      robustnessRows,
      breakdownDimensions,
      degenerateLine: text(document.querySelector('.degenerate-line')),
    };
  });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { consoleErrors, requests: requests.filter((r) => r !== url), ...found };
}

describe.skipIf(!hasChromium)('the HTML report in headless Chromium', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ladderlab-e2e-'));
  let browser: Browser;
  const synth = syntheticRun(240, 'e2e');

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('with a baseline: headline, assumptions, robustness, breakdowns, degenerate ladders; no console errors, no requests, charts with marks', async () => {
    const dir = join(tmp, 'with-baseline');
    writeRunDir({ dir, records: synth.records, baseline: synth.baseline, tape: [{ symbol: 'XYZ', day: SYNTH_DAY, quotes: synth.quotes }], seed: 11 });
    // a robustness band: the ladder as recorded under every model, the market order 1 cent worse at 250 ms
    const scenarios: RobustnessScenario[] = [];
    for (const fillModel of ['through', 'touch', 'queue']) {
      for (const latencyMs of [0, 50, 250]) {
        scenarios.push({
          fillModel,
          latencyMs,
          outcomes: synth.records.map((r, i) => ({
            clientOrderId: r.clientOrderId,
            ladder: { filledQty: r.filledQty, avgPrice: r.avgPrice, endTsUs: r.endTsUs },
            baseline: { filledQty: synth.baseline[i].filledQty, avgPrice: synth.baseline[i].avgPrice + (latencyMs === 250 ? (r.side === 'buy' ? 0.01 : -0.01) : 0), endTsUs: synth.baseline[i].endTsUs },
          })),
        });
      }
    }
    writeFileSync(join(dir, 'robustness.arrow'), robustnessToArrow(scenarios));
    const html = await reportRunDir(dir, { replicates: 200 });
    mkdirSync(join(tmp, 'shots'), { recursive: true });
    const shot = join(tmp, 'shots', 'report.png');
    const f = await inspect(browser, html, shot);
    expect(f.consoleErrors).toEqual([]);
    expect(f.requests).toEqual([]);
    // the headline, as the backtest CLI prints it
    expect(f.verdict).toMatch(/^Ladder − market order: −?\d+\.\d \[−?\d+\.\d, −?\d+\.\d\] bps per order \(implementation shortfall, paired over 240 parents, 95 % interval; positive = the ladder cost more\): (BETTER|WORSE|CANNOT TELL)/);
    // the assumptions panel: fill model, every latency channel (all 0: the warning), market-order model, seed
    expect(f.assumptions['fill model']).toBe('queue (queue_power 2)');
    expect(f.assumptions.latency).toBe('entry 0 ms, cancel 0 ms, response 0 ms, feed 0 ms');
    expect(f.assumptions.warning).toMatch(/^every latency channel is 0 ms/);
    expect(f.assumptions['market-order model']).toMatch(/^levels: synthetic levels every 1 tick\(s\) behind the far touch, each 1 × the displayed touch size/);
    expect(f.assumptions['symbols and days']).toBe(`XYZ · ${SYNTH_DAY}`);
    expect(f.assumptions['version, seed']).toContain('random seed 11');
    // robustness: 3 fill models × 3 latencies
    expect(f.robustnessRows).toHaveLength(9);
    expect(f.robustnessRows.map((r) => `${r[0]} ${r[1]}`)).toEqual(['through 0 ms', 'through 50 ms', 'through 250 ms', 'touch 0 ms', 'touch 50 ms', 'touch 250 ms', 'queue 0 ms', 'queue 50 ms', 'queue 250 ms']);
    expect(f.robustnessVerdict).toMatch(/^(Robust|Depends on)/);
    // breakdowns and the degenerate-ladder line
    expect(f.breakdownDimensions).toEqual(['symbol', 'day', 'side', 'spread in ticks', 'spread in %', 'time of day']);
    expect(f.degenerateLine).toMatch(/^Degenerate ladders: (\d+ % of parents|none)/);
    expect(f.charts.map((c) => c.id)).toEqual(['baseline', 'breakdowns', 'fill-rate', 'spread-buckets', 'time-to-fill', 'markouts']);
    for (const c of f.charts) {
      expect(c.svgs, c.id).toBe(1);
      expect(c.drawn, c.id).toBeGreaterThan(0);
    }
    const kinds = Object.fromEntries(f.charts.map((c) => [c.id, c.byKind]));
    // 5 steps × (at this step, by this step) + the published claim beside 4 limit steps
    expect(kinds['fill-rate'].bar).toBe(14);
    // 3 buckets × 3 metrics, and baseline 3 sides × 3 series, each with an interval rule
    expect(kinds['spread-buckets'].bar).toBe(9);
    expect(kinds['baseline'].bar).toBe(9);
    expect(kinds['baseline']['rule mark']).toBeGreaterThanOrEqual(9);
    // one ECDF line per side; one markout curve per side (buy, sell, all) with a point per horizon
    expect(kinds['time-to-fill']['line mark']).toBe(2);
    expect(kinds['markouts']['line mark']).toBe(3);
    expect(kinds['markouts'].point).toBe(9);
    expect(kinds['breakdowns'].bar).toBeGreaterThan(3);
    // breakdowns: 1 symbol + 1 day + 2 sides + 3 tick regimes + 3 % buckets + 3 parts of the day = 13 rows
    expect(f.tables.map((t) => t.section)).toEqual(['assumptions', 'verdict', 'robustness', 'baseline', 'breakdowns', 'fill-rate', 'spread-buckets', 'time-to-fill', 'markouts', 'markouts', 'details']);
    expect(f.tables.map((t) => t.rows)).toEqual([11, 6, 9, 3, 13, 15, 3, 3, 9, 9, 3]);
    for (const t of f.tables) expect(t.emptyCells, t.section).toBe(0);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000);
  });

  it('without a baseline: the baseline chart says "baseline not run" and the page is still clean', async () => {
    const dir = join(tmp, 'no-baseline');
    writeRunDir({ dir, records: synth.records, tape: [{ symbol: 'XYZ', day: SYNTH_DAY, quotes: synth.quotes }], seed: 11 });
    const html = await reportRunDir(dir, { replicates: 100 });
    const f = await inspect(browser, html);
    expect(f.consoleErrors).toEqual([]);
    expect(f.requests).toEqual([]);
    const baseline = f.charts.find((c) => c.id === 'baseline')!;
    expect(baseline.svgs).toBe(1);
    expect(baseline.drawn).toBeGreaterThan(0);
    expect(readFileSync(html, 'utf8')).toContain('baseline not run');
    expect(f.tables.map((t) => t.section)).toEqual(['assumptions', 'breakdowns', 'fill-rate', 'spread-buckets', 'time-to-fill', 'markouts', 'details']);
    for (const t of f.tables) expect(t.rows, t.section).toBeGreaterThan(0);
    expect(f.robustnessVerdict).toBe('The robustness band was not run (backtest --no-robustness).');
    expect(f.verdict).toMatch(/^The market-order baseline was not run/);
  });
});
