/**
 * The fidelity report in headless Chromium (Debian's /usr/bin/chromium via playwright-core, as
 * test/reports/e2e-report.test.ts does for the run report): no console errors, no requests, every
 * chart an SVG with drawn marks, every table filled, and a timeline for each worst parent.
 * Skips, saying so, only when /usr/bin/chromium is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileDir } from '../../src/fidelity/reconcile-dir.ts';
import { readReconcileArrow } from '../../src/records/reconcile.ts';
import { writeObservedRun } from './fidelity-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`e2e-fidelity-report: SKIPPED — ${CHROMIUM} not found (apt-get install chromium; .ci/run does this)`);

interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El> & ArrayLike<El>;
  closest(selector: string): El | null;
  getBBox(): { width: number; height: number };
}

describe.skipIf(!hasChromium)('the fidelity report in headless Chromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'ladderlab-fidelity-e2e-'));
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('agreement per configuration, differences, ECDFs and five worst-parent timelines render cleanly', async () => {
    const observed = writeObservedRun({ root, name: 'obs', truth: { seed: 3, sim: { fill_model: 'queue', queue_power: 3, latency: { entry: { ms: 30 } } } }, parents: 80 });
    const fragment = join(root, 'through.yaml');
    writeFileSync(fragment, 'sim:\n  fill_model: through\n');
    const result = await reconcileDir(observed.dir, { configs: [fragment], worst: 5 });
    expect(result.summaries.map((s) => s.label)).toEqual(['through.yaml', 'as run', 'sim defaults']);
    expect(readReconcileArrow(result.arrowPath).length).toBe(3 * 80);

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(result.htmlPath).href;
    await page.goto(url, { waitUntil: 'load' });
    const found = await page.evaluate(() => {
      const document = (globalThis as unknown as { document: El }).document;
      const charts = [...document.querySelectorAll('figure.chart')].map((f) => ({
        id: f.getAttribute('data-chart') ?? '',
        svgs: f.querySelectorAll(':scope > svg').length,
        drawn: [...f.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect')].filter((el) => {
          const b = el.getBBox();
          return b.width > 0 || b.height > 0;
        }).length,
        kinds: [...f.querySelectorAll('g.role-mark > [aria-roledescription]')].reduce<Record<string, number>>((acc, el) => {
          const k = el.getAttribute('aria-roledescription') ?? '';
          acc[k] = (acc[k] ?? 0) + 1;
          return acc;
        }, {}),
      }));
      const tables = [...document.querySelectorAll('section table')].map((t) => ({
        section: t.closest('section')?.getAttribute('id') ?? '',
        rows: t.querySelectorAll('tbody tr').length,
        empty: [...t.querySelectorAll('tbody td')].filter((td) => (td.textContent ?? '').trim() === '').length,
      }));
      return { charts, tables, headline: document.querySelector('#verdict .headline')?.textContent ?? '' };
    });
    await page.close();
    expect(errors).toEqual([]);
    expect(requests.filter((r) => r !== url)).toEqual([]);
    expect(found.charts.map((c) => c.id)).toEqual(['agreement', 'differences', 'time-to-fill', 'worst-1', 'worst-2', 'worst-3', 'worst-4', 'worst-5']);
    for (const c of found.charts) {
      expect(c.svgs, c.id).toBe(1);
      expect(c.drawn, c.id).toBeGreaterThan(0);
    }
    // 3 configurations × 2 agreement measures, each with its interval rule
    expect(found.charts[0].kinds.bar).toBe(6);
    expect(found.charts[0].kinds['rule mark']).toBe(6);
    // live + one ECDF per configuration
    expect(found.charts[2].kinds['line mark']).toBe(4);
    // each timeline: bid and ask lines, at least one child limit, and fills
    for (const c of found.charts.slice(3)) {
      expect(c.kinds['line mark'], c.id).toBe(2);
      expect(c.kinds['rule mark'], c.id).toBeGreaterThanOrEqual(2);
    }
    expect(found.tables.map((t) => [t.section, t.rows])).toEqual([
      ['agreement', 3],
      ['differences', 3],
      ['time-to-fill', 3],
      ['worst-1', 2],
      ['worst-2', 2],
      ['worst-3', 2],
      ['worst-4', 2],
      ['worst-5', 2],
    ]);
    for (const t of found.tables) expect(t.empty, t.section).toBe(0);
    expect(found.headline).toMatch(/^The simulator as "through.yaml" reproduces the live fill step of \d+ % of 80 parents; the best configuration is "as run" at 100 %\.$/);
    expect(readFileSync(result.htmlPath, 'utf8')).toContain("default-src 'none'");
  });
});
