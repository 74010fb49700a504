/**
 * The real pipeline: generated sample market → `ladderlab backtest` → `ladderlab report`. The
 * report recomputes shortfall and the far-touch improvement from the records; for every filled
 * parent they must agree with the numbers the backtest stored in records.arrow (computed
 * independently in src/sim/records-io.ts), and the baseline must be paired parent by parent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runMetrics } from '../../src/reports/metrics.ts';
import { loadRun } from '../../src/records/read.ts';
import { tapeMidAt } from '../../src/reports/tape-mids.ts';
import { writeSample } from '../../src/data/sample/sample.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-pipeline-'));
const data = join(root, 'sample');
const run = join(root, 'run');

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = 0;
  try {
    await main(args);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout };
}

beforeAll(async () => {
  writeSample(data, { seed: 5 });
  const bt = await cli(['backtest', '--data', data, '--orders', '80', '--out', run, '--seed', '5']);
  expect(bt.code).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('backtest → report', () => {
  it('the report agrees with the backtest on every filled parent, buys and sells', () => {
    const loaded = loadRun(run);
    const metrics = runMetrics(loaded.records, tapeMidAt(loaded.dataDir!));
    const stored = tableFromIPC(readFileSync(join(run, 'records.arrow')));
    const storedById = new Map<string, { shortfall: number | null; improvement: number | null }>();
    for (let i = 0; i < stored.numRows; i++) {
      storedById.set(String(stored.getChild('client_order_id')!.get(i)), {
        shortfall: stored.getChild('shortfall_bps')!.get(i) as number | null,
        improvement: stored.getChild('improvement_far_touch_bps')!.get(i) as number | null,
      });
    }
    const filled = metrics.filter((m) => m.complete === 1);
    expect(filled.filter((m) => m.side === 'buy').length).toBeGreaterThan(10);
    expect(filled.filter((m) => m.side === 'sell').length).toBeGreaterThan(10);
    for (const m of filled) {
      const s = storedById.get(m.clientOrderId)!;
      expect(m.shortfallBps).toBeCloseTo(s.shortfall!, 9);
      expect(m.improvementFarTouchBps).toBeCloseTo(s.improvement!, 9);
    }
    // Fills happened inside the tape's session, so the +1 s markouts are known.
    expect(filled.every((m) => m.markout1sBps !== null)).toBe(true);
    expect(loaded.baseline).not.toBeNull();
    expect(new Set(loaded.baseline!.map((b) => b.clientOrderId))).toEqual(new Set(loaded.records.map((r) => r.clientOrderId)));
  });

  it('ladderlab report prints the path of a page with a verdict and the baseline comparison', async () => {
    const r = await cli(['report', run, '--replicates', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${join(run, 'report.html')}\n`);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).toMatch(/<p class="headline">The ladder (beat|did worse than) a market order|<p class="headline">No clear difference from a market order/);
    expect(html).toContain('simulated market orders (baseline.arrow)');
    expect(html).not.toContain('baseline not run');
  });
});
