/**
 * Issue 14's acceptance run on real ticks: IBM 2013-10-07 (../shared/data/equity-ticks), 200
 * generated parents, default config. The backtest CLI's headline and the HTML report's are the same
 * sentence (number and interval), and the decomposition adds up to it within 0.01 bps (at full
 * precision, from the report's own table). Skips, saying so, when ../shared is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { ingest } from '../../src/data/ingest/ingest.ts';

const dataDir = resolve('../shared/data/equity-ticks');
const present = existsSync(join(dataDir, 'ibm_20131007_quote.zip'));
if (!present) console.warn(`skipping e2e-report-ibm: ${dataDir} not found (licensed vendor data lives outside the repo)`);


describe.skipIf(!present)('the IBM day: one headline in the CLI and the report', () => {
  const root = mkdtempSync(join(tmpdir(), 'ladderlab-ibm-report-'));
  let bt = '';
  beforeAll(async () => {
    await ingest({ format: 'vendor', quotes: [join(dataDir, 'ibm_20131007_quote.zip')], trades: [join(dataDir, 'ibm_20131007_trade.zip')], out: join(root, 'tape') });
    const r = await cli(['backtest', '--data', join(root, 'tape'), '--orders', '200', '--out', join(root, 'run'), '--stress-latency-ms', '0,250']);
    expect(r.code).toBe(0);
    bt = r.stdout;
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('same headline sentence; the decomposition adds up within 0.01 bps', async () => {
    const r = await cli(['report', join(root, 'run')]);
    expect(r.code).toBe(0);
    const html = readFileSync(join(root, 'run', 'report.html'), 'utf8');
    // generated parents are spaced per symbol + side (risk.one_working_per_symbol_side): none collides
    expect(bt).not.toContain('duplicate_working');
    const cliHeadline = bt.split('\n').find((l) => l.startsWith('Ladder − market order: '))!;
    expect(cliHeadline).toMatch(/^Ladder − market order: −?\d+\.\d \[−?\d+\.\d, −?\d+\.\d\] bps per order \(implementation shortfall, paired over \d+ parents/);
    expect(/<p class="headline">([^<]*)<\/p>/.exec(html)![1].replace(/&amp;/g, '&')).toBe(cliHeadline);
    const { loadRun } = await import('../../src/records/read.ts');
    const { runMetrics } = await import('../../src/reports/metrics.ts');
    const { tapeMidAt } = await import('../../src/reports/tape-mids.ts');
    const { ladderVsBaselineTable, parentsTable } = await import('../../src/reports/tables.ts');
    const run = loadRun(join(root, 'run'));
    const midAt = tapeMidAt(run.dataDir!);
    const table = ladderVsBaselineTable(parentsTable(runMetrics(run.records, midAt), runMetrics(run.baseline!, midAt)), true, { progressiveSteps: 4, replicates: 0, seed: run.seed })!;
    const all = (table.objects() as Record<string, number>[]).find((x) => (x.side as unknown) === 'all')!;
    expect(Math.abs(all.ladderShortfallBps - all.baselineShortfallBps - all.vsBaselineBps)).toBeLessThan(0.01);
    expect(Math.abs(all.ladderVsFarTouchBps - all.baselineBeyondTouchBps - all.vsBaselineBps)).toBeLessThan(0.01);
    expect(Math.abs(all.halfSpreadBps + all.ladderVsFarTouchBps - all.ladderShortfallBps)).toBeLessThan(0.01);
    // the headline's point estimate is this table's, as printed
    expect(cliHeadline).toContain(`${all.vsBaselineBps < 0 ? '−' : ''}${Math.abs(all.vsBaselineBps).toFixed(1)} [`);
    // the robustness table on real ticks: 3 fill models × 2 latencies here
    expect(html.match(/<table class="robustness">[\s\S]*?<\/table>/)![0].match(/<tr class=/g)).toHaveLength(6);
  }, 120_000);
});
