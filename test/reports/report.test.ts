/** Mid lookups, the run-directory loader, chart specs, SVG rendering, the HTML page and `ladderlab report`. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { regularSession } from '../../src/core/calendar.ts';
import { InputError } from '../../src/core/errors.ts';
import { makeQuoteColumns } from '../../src/data/tape/tape.ts';
import { BASELINE_MISSING, baselineChart, fillRateChart } from '../../src/reports/charts.ts';
import { escapeHtml, jsonForScript } from '../../src/reports/html.ts';
import { midFromQuotes } from '../../src/reports/mids.ts';
import { renderSvg } from '../../src/reports/render.ts';
import { buildReport, reportRunDir } from '../../src/reports/report.ts';
import { loadRun } from '../../src/records/read.ts';
import { tapeMidAt } from '../../src/reports/tape-mids.ts';
import { T0_US, makeRecord } from './report-fixtures.ts';
import { writeParents, writeRunDir } from './report-run-fixture.ts';
import { SYNTH_DAY, syntheticRun } from './report-synthetic.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ladderlab-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mid lookups', () => {
  const close = T0_US + 100e6;
  const quotes = makeQuoteColumns([
    [T0_US, 10.0, 10.1],
    [T0_US + 10e6, 10.02, 10.12],
    [T0_US + 20e6, 10.1, 10.1], // locked: skipped
    [T0_US + 30e6, 10.2, 10.1], // crossed: skipped
    [T0_US + 40e6, 10.04, 10.14],
  ]);
  it('the quote in force at t (ties: the quote stamped t)', () => {
    expect(midFromQuotes(quotes, T0_US + 5e6, close)).toBeCloseTo(10.05, 12);
    expect(midFromQuotes(quotes, T0_US + 10e6, close)).toBeCloseTo(10.07, 12);
  });
  it('locked and crossed quotes are passed over for the last usable one', () => {
    expect(midFromQuotes(quotes, T0_US + 35e6, close)).toBeCloseTo(10.07, 12);
    expect(midFromQuotes(quotes, T0_US + 40e6, close)).toBeCloseTo(10.09, 12);
  });
  it('NaN before the tape, past its last quote and at or after the close', () => {
    expect(midFromQuotes(quotes, T0_US - 1, close)).toBeNaN();
    expect(midFromQuotes(quotes, T0_US + 40e6 + 1, close)).toBeNaN();
    expect(midFromQuotes(quotes, T0_US + 5e6, T0_US + 5e6)).toBeNaN();
  });
  it('tapeMidAt reads DIR/<SYMBOL>/<DAY>.quotes.arrow and stops at the regular close', () => {
    const dir = join(tmp, 'mids');
    const day = '2024-03-12';
    const closeUs = regularSession(day).closeUs;
    writeRunDir({ dir, records: [], tape: [{ symbol: 'XYZ', day, quotes: [[T0_US, 10, 10.1], [closeUs - 1e6, 11, 11.1], [closeUs + 60e6, 12, 12.1]] }] });
    const midAt = tapeMidAt(join(dir, 'tape'));
    expect(midAt('XYZ', T0_US + 1)).toBeCloseTo(10.05, 12);
    expect(midAt('XYZ', closeUs - 1)).toBeCloseTo(11.05, 12);
    expect(midAt('XYZ', closeUs)).toBeNaN();
    expect(midAt('ABC', T0_US + 1)).toBeNaN();
  });
});

describe('loading a run directory', () => {
  const buy = makeRecord({
    id: 'B1', side: 'buy', qty: 100, bid: 10.0, ask: 10.1, askSize: 70,
    children: [
      { step: 0, limit: 10.06, qty: 100, sentBid: 10.0, sentAsk: 10.1, fills: [{ atUs: 2_000_001, price: 10.06, qty: 60 }] },
      { step: 1, limit: 10.08, qty: 40, sentBid: 10.02, sentAsk: 10.12, fills: [{ atUs: 20e6, price: 10.08, qty: 40 }] },
    ],
  });
  const sell = makeRecord({ id: 'S1', side: 'sell', qty: 200, bid: 10.0, ask: 10.1, endAfterUs: 60e6 });

  it('records, children and fills come back as ExecutionRecords, to the microsecond', () => {
    const dir = join(tmp, 'load');
    writeRunDir({ dir, records: [buy, sell], seed: 'abc' });
    const run = loadRun(dir);
    expect(run.seed).toBe('abc');
    expect(run.baseline).toBeNull();
    expect(run.records).toHaveLength(2);
    const [b, s] = run.records;
    expect(b.clientOrderId).toBe('B1');
    expect(b.arrivalTsUs).toBe(buy.arrivalTsUs);
    expect(b.avgPrice).toBeCloseTo(10.068, 12);
    expect(b.fillStep).toBe(1);
    expect(b.timeToFillUs).toBe(20e6);
    expect(b.children.map((c) => [c.clientOrderId, c.step, c.limitPrice, c.sentBid, c.ackTsUs])).toEqual([
      ['B1-0', 0, 10.06, 10.0, buy.children[0].ackTsUs],
      ['B1-1', 1, 10.08, 10.02, buy.children[1].ackTsUs],
    ]);
    expect(b.children[0].fills[0]).toEqual({ execId: 'B1-0-x0', tsUs: T0_US + 2_000_001, price: 10.06, qty: 60, step: 0 });
    expect(s.side).toBe('sell');
    expect(s.avgPrice).toBeNaN();
    expect(s.fillStep).toBe(-1);
    expect(s.status).toBe('unfilled');
    expect(s.endTsUs).toBe(T0_US + 60e6);
  });
  it('a missing run.json is bad input naming the file', () => {
    expect(() => loadRun(join(tmp, 'nowhere'))).toThrow(InputError);
    expect(() => loadRun(join(tmp, 'nowhere'))).toThrow(/nowhere[/\\]run\.json/);
  });
  it('a bad side names file, row and field', () => {
    const dir = join(tmp, 'badside');
    writeRunDir({ dir, records: [buy] });
    writeParents(join(dir, 'records.arrow'), [buy, { ...sell, side: 'short' as never }]);
    expect(() => loadRun(dir)).toThrow(/records\.arrow: row 1, field "side": "short" is not one of buy, sell/);
  });
  it('timestamps 1000× off (µs given to a writer that expects ms) are refused, not reported as the year 56000', () => {
    const dir = join(tmp, 'badts');
    writeRunDir({ dir, records: [buy] });
    writeParents(join(dir, 'records.arrow'), [{ ...buy, arrivalTsUs: buy.arrivalTsUs * 1000 }]);
    expect(() => loadRun(dir)).toThrow(/records\.arrow: row 0, field "arrival_ts": .*1000× too large/);
  });
});

describe('chart specs', () => {
  const fillRate = aq.table({
    fillStep: [0, 1, 4],
    stepLabel: ['step 1 (mid)', 'step 2', 'market'],
    share: [0.5, 0.25, 0.25],
    share_lo: [0.4, 0.2, 0.2],
    share_hi: [0.6, 0.3, 0.3],
    cumulative: [0.5, 0.75, 1],
    cumulative_lo: [0.4, 0.7, 1],
    cumulative_hi: [0.6, 0.8, 1],
  });
  it('fill rate: measured bars with intervals, and the seed claim beside limit steps only', () => {
    const spec = fillRateChart(fillRate) as { data: { values: Record<string, unknown>[] } };
    const claims = spec.data.values.filter((v) => v.series === "published claim (by this step)");
    expect(claims).toEqual([
      { stepLabel: 'step 1 (mid)', series: "published claim (by this step)", value: 0.25, base: 0.15, lo: null, hi: null },
      { stepLabel: 'step 2', series: "published claim (by this step)", value: 0.5, base: 0.35, lo: null, hi: null },
    ]);
    expect(spec.data.values.find((v) => v.stepLabel === 'step 2' && v.series === 'filled by this step')).toMatchObject({ value: 0.75, lo: 0.7, hi: 0.8 });
  });
  it('without a baseline the chart says so, and still draws a mark', async () => {
    const spec = baselineChart(null) as { mark: { type: string }; data: { values: { message: string }[] } };
    expect(spec.mark.type).toBe('text');
    expect(spec.data.values[0].message).toBe(BASELINE_MISSING);
    const svg = await renderSvg(spec);
    expect(svg).toContain('baseline not run');
    expect(svg).toMatch(/class="mark-text role-mark/);
  });
  it('renders to an SVG with one bar per value that has one', async () => {
    const svg = await renderSvg(fillRateChart(fillRate));
    expect(svg.startsWith('<svg')).toBe(true);
    // 3 steps × 2 measured series + 2 claims = 8 bars
    expect(svg.match(/<path[^>]*aria-roledescription="bar"/g) ?? []).toHaveLength(8);
  });
});

describe('HTML helpers', () => {
  it('escapes text and keeps embedded JSON from closing its script', () => {
    expect(escapeHtml('<b>"&\'</b>')).toBe('&lt;b&gt;&quot;&amp;&#39;&lt;/b&gt;');
    const json = jsonForScript({ s: '</script><!-- & \u2028' });
    expect(json).not.toMatch(/<\/script|<!--/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- & \u2028' });
  });
});

describe('the report', () => {
  const synth = syntheticRun(120, 'report-test');

  it('one self-contained page: assumptions and verdict first, six charts with tables, specs and config as JSON, nothing fetched', async () => {
    const dir = join(tmp, 'full');
    writeRunDir({ dir, records: synth.records, baseline: synth.baseline, tape: [{ symbol: 'XYZ', day: SYNTH_DAY, quotes: synth.quotes }], seed: 9 });
    const path = await reportRunDir(dir, { replicates: 100 });
    expect(path).toBe(join(dir, 'report.html'));
    const html = readFileSync(path, 'utf8');
    expect(html.indexOf('id="assumptions"')).toBeLessThan(html.indexOf('id="verdict"'));
    expect(html.indexOf('id="verdict"')).toBeLessThan(html.indexOf('class="chart-section"'));
    expect(html).toMatch(/Ladder − market order: −\d+\.\d \[−\d+\.\d, −\d+\.\d\] bps per order .*BETTER/);
    expect(html.match(/<figure class="chart"/g)).toHaveLength(6);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    // every bar and point carries its values as an SVG <title> (hover text without script)
    const marks = html.match(/role="graphics-symbol" aria-roledescription="(bar|point)"[^>]*>/g)!;
    expect(marks.length).toBeGreaterThan(20);
    expect(html.match(/role="graphics-symbol" aria-roledescription="(bar|point)"[^>]*><title>[^<]+<\/title>/g)).toHaveLength(marks.length);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="ladderlab-specs">', '<script type="application/json" id="ladderlab-run">']);
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    const specs = JSON.parse(/id="ladderlab-specs">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(Object.keys(specs)).toEqual(['fillRate', 'spreadBuckets', 'timeToFill', 'markouts', 'baseline', 'histogram']);
    const run = JSON.parse(/id="ladderlab-run">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(run.config.seed).toBe(9);
    expect(run.config.execution.progressive_steps).toBe(4);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('is byte-identical for the same run and seed', async () => {
    const dir = join(tmp, 'full');
    const a = await reportRunDir(dir, { replicates: 50, out: join(tmp, 'a.html') });
    const b = await reportRunDir(dir, { replicates: 50, out: join(tmp, 'b.html') });
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  it('without a baseline or a tape it says what is missing instead of failing', async () => {
    const report = await buildReport({
      title: 't',
      meta: [],
      config: (await import('../../src/config.ts')).defaultConfig(),
      seed: 1,
      records: synth.records,
      baseline: null,
      midAt: () => Number.NaN,
      replicates: 20,
      run: {},
    });
    expect(report.verdict.headline).toMatch(/^The market-order baseline was not run/);
    expect(report.robustness.verdict).toBe('The robustness band was not run (backtest --no-robustness).');
    expect(report.html).toContain(BASELINE_MISSING);
    expect(report.tables.ladderVsBaseline).toBeNull();
    const markouts = report.tables.markouts.objects() as Record<string, unknown>[];
    expect(markouts.every((r) => r.markoutBps === null)).toBe(true);
    expect(markouts.find((r) => r.side === 'all' && r.horizonS === 1)!.unknownHorizon).toBe(synth.records.filter((r) => r.filledQty > 0).length);
  });

  it('with no accepted parent the page still renders, saying there is nothing to measure', async () => {
    const rejected = makeRecord({ id: 'R', side: 'buy', qty: 100, bid: 10, ask: 10.1, status: 'rejected' });
    const report = await buildReport({
      title: 't', meta: [], config: (await import('../../src/config.ts')).defaultConfig(), seed: 1,
      records: [rejected], baseline: null, midAt: () => Number.NaN, replicates: 20, run: {},
    });
    expect(report.verdict.call).toBe('no-data');
    expect(report.html.match(/<svg /g)).toHaveLength(6);
  });
});

async function buildFromDir(dir: string, options: { dataDir?: string }): Promise<string> {
  return readFileSync(await reportRunDir(dir, { ...options, replicates: 10, out: join(dir, 'r.html') }), 'utf8');
}

describe('ladderlab report', () => {
  it('prints the report path; --out chooses it', async () => {
    const dir = join(tmp, 'cli');
    const synth = syntheticRun(30, 'cli');
    writeRunDir({ dir, records: synth.records, baseline: synth.baseline });
    const out = join(tmp, 'cli-out', 'r.html');
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      await main(['report', dir, '--out', out, '--replicates', '20']);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toBe(`${out}\n`);
    expect(existsSync(out)).toBe(true);
  });
  it('--data points the markouts at a tape that moved; a missing one is bad input', async () => {
    const dir = join(tmp, 'moved');
    const synth = syntheticRun(20, 'moved');
    writeRunDir({ dir, records: synth.records, tape: [{ symbol: 'XYZ', day: SYNTH_DAY, quotes: synth.quotes }] });
    const withTape = await buildFromDir(dir, { dataDir: join(dir, 'tape') });
    expect(withTape).toContain(`<b>tape:</b> ${join(dir, 'tape')}</span>`);
    await expect(reportRunDir(dir, { dataDir: join(tmp, 'no-such-tape'), replicates: 10 })).rejects.toThrow(/--data .*no-such-tape: no such directory/);
  });
  it('a directory without a run is exit code 2 with the file named', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    const before = process.exitCode;
    try {
      await main(['report', join(tmp, 'empty-dir')]);
      expect(process.exitCode).toBe(2);
    } finally {
      spy.mockRestore();
      process.exitCode = before;
    }
    expect(errors.join('')).toMatch(/empty-dir[/\\]run\.json: cannot read/);
  });
});

