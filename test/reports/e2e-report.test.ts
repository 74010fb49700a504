/**
 * End to end: write a run directory, build the report, open it in headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core) and check what a reader gets: no console errors,
 * no network requests, every chart an SVG with marks, every table filled, a screenshot.
 * Skips, saying so, only when /usr/bin/chromium is absent (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    return { charts, tables, verdict: document.querySelector('#verdict .headline')?.textContent ?? '' };
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

  it('with a baseline: no console errors, no requests, five charts with marks, all tables filled', async () => {
    const dir = join(tmp, 'with-baseline');
    writeRunDir({ dir, records: synth.records, baseline: synth.baseline, tape: [{ symbol: 'XYZ', day: SYNTH_DAY, quotes: synth.quotes }], seed: 11 });
    const html = await reportRunDir(dir, { replicates: 200 });
    mkdirSync(join(tmp, 'shots'), { recursive: true });
    const shot = join(tmp, 'shots', 'report.png');
    const f = await inspect(browser, html, shot);
    expect(f.consoleErrors).toEqual([]);
    expect(f.requests).toEqual([]);
    expect(f.charts.map((c) => c.id)).toEqual(['fill-rate', 'spread-buckets', 'time-to-fill', 'markouts', 'baseline']);
    for (const c of f.charts) {
      expect(c.svgs, c.id).toBe(1);
      expect(c.drawn, c.id).toBeGreaterThan(0);
    }
    const kinds = Object.fromEntries(f.charts.map((c) => [c.id, c.byKind]));
    // 5 steps × (at this step, by this step) + the seed's claim beside 4 limit steps
    expect(kinds['fill-rate'].bar).toBe(14);
    // 3 buckets × 3 metrics, and baseline 3 sides × 3 series, each with an interval rule
    expect(kinds['spread-buckets'].bar).toBe(9);
    expect(kinds['baseline'].bar).toBe(9);
    expect(kinds['baseline']['rule mark']).toBeGreaterThanOrEqual(9);
    // one ECDF line per side; one markout curve per side (buy, sell, all) with a point per horizon
    expect(kinds['time-to-fill']['line mark']).toBe(2);
    expect(kinds['markouts']['line mark']).toBe(3);
    expect(kinds['markouts'].point).toBe(9);
    expect(f.tables.map((t) => t.section)).toEqual(['fill-rate', 'spread-buckets', 'time-to-fill', 'markouts', 'baseline', 'details']);
    expect(f.tables.map((t) => t.rows)).toEqual([5, 3, 3, 9, 3, 3]);
    for (const t of f.tables) expect(t.emptyCells, t.section).toBe(0);
    expect(f.verdict).toMatch(/^The ladder beat a market order/);
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
    expect(f.tables.map((t) => t.section)).toEqual(['fill-rate', 'spread-buckets', 'time-to-fill', 'markouts', 'details']);
    for (const t of f.tables) expect(t.rows, t.section).toBeGreaterThan(0);
    expect(f.verdict).toMatch(/^The market-order baseline was not run/);
  });
});
