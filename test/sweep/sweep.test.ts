import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from '@uwdata/flechette';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type LadderConfig } from '../../src/config.ts';
import { InputError } from '../../src/core/errors.ts';
import { prescreenParents } from '../../src/engine/prescreen.ts';
import { analyzeSweep } from '../../src/sweep/analysis.ts';
import { dirTapeSource, runBacktest } from '../../src/sim/backtest.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { writeSample } from '../../src/data/sample/sample.ts';
import { cellConfig, expandGrid, parseGridAxis } from '../../src/sweep/grid.ts';
import { paretoFront } from '../../src/sweep/pareto.ts';
import type { CellOutcome } from '../../src/sweep/protocol.ts';
import { runSweep, sessionCloseOf } from '../../src/sweep/sweep.ts';
import { formatSweepSummary } from '../../src/cli/sweep.ts';
import { implementationShortfallBps, vsFarTouchBps } from '../../src/reports/metrics.ts';
import { tapeMidAt } from '../../src/reports/tape-mids.ts';

describe('sweep grid', () => {
  it('parses axes with YAML scalars', () => {
    expect(parseGridAxis('execution.step_percentage=5,10,15')).toEqual({ key: 'execution.step_percentage', values: [5, 10, 15] });
    expect(parseGridAxis('execution.adaptive_step=true,false')).toEqual({ key: 'execution.adaptive_step', values: [true, false] });
    expect(parseGridAxis('execution.reprice=current,arrival').values).toEqual(['current', 'arrival']);
    expect(() => parseGridAxis('execution.step_percentage')).toThrow(InputError);
    expect(() => parseGridAxis('execution.step_percentage=5,5')).toThrow(/repeated/);
  });
  it('expands the cartesian product, first axis slowest, and validates each cell', () => {
    const cells = expandGrid({}, [parseGridAxis('execution.progressive_steps=2,4'), parseGridAxis('execution.step_timeout_buy=5,15,30')]);
    expect(cells.map((c) => c.id)).toEqual([
      'execution.progressive_steps=2 execution.step_timeout_buy=5',
      'execution.progressive_steps=2 execution.step_timeout_buy=15',
      'execution.progressive_steps=2 execution.step_timeout_buy=30',
      'execution.progressive_steps=4 execution.step_timeout_buy=5',
      'execution.progressive_steps=4 execution.step_timeout_buy=15',
      'execution.progressive_steps=4 execution.step_timeout_buy=30',
    ]);
    expect(cells[4].config.execution.progressive_steps).toBe(4);
    expect(cells[4].config.execution.step_timeout_buy).toBe(15);
  });
  it('a mistyped key fails before any cell runs, with a suggestion', () => {
    expect(() => expandGrid({}, [parseGridAxis('execution.step_percentge=5,10')])).toThrow(/unknown key 'execution.step_percentge' — did you mean 'execution.step_percentage'/);
    expect(() => expandGrid({}, [parseGridAxis('execution.progressive_steps=two')])).toThrow(/execution\.progressive_steps/);
  });
});

describe('sweep analysis', () => {
  const outcome = (index: number, shortfall: number[], ttfMs: number[]): CellOutcome => ({
    index,
    id: `c${index}`,
    filledQty: Float64Array.from(shortfall, (s) => (Number.isFinite(s) ? 100 : 0)),
    shortfallBps: Float64Array.from(shortfall),
    vsFarTouchBps: Float64Array.from(shortfall, (s) => s),
    timeToFillMs: Float64Array.from(ttfMs),
    fillStep: new Int32Array(shortfall.length),
    wallMs: 0,
  });
  it('ranks on even parents and reports odd parents; paired differences vs the baseline', () => {
    const base = outcome(-1, [10, 10, 10, 10], [1000, 1000, 1000, 1000]);
    // cell 0: better on even parents (−4) but worse on odd (+2); cell 1: the reverse.
    const c0 = outcome(0, [6, 12, 6, 12], [2000, 2000, 2000, 2000]);
    const c1 = outcome(1, [11, 7, 11, 7], [3000, 3000, 3000, 3000]);
    const rows = analyzeSweep([c0, c1], [{ k: 0 }, { k: 1 }], base, { seed: 1, replicates: 200, arrivalMinute: Float64Array.from([0, 1, 2, 3]) });
    expect(rows.map((r) => [r.rank, r.diffEvenBps, r.diffOddBps, r.shortfallOddBps])).toEqual([
      [1, -4, 2, 12],
      [2, 1, -3, 7],
    ]);
    expect(rows[0].diffOddLoBps).toBe(2);
    expect(rows[0].diffOddHiBps).toBe(2);
    expect(rows[0].medianTimeToFillOddS).toBe(2);
    expect(rows.map((r) => r.fillRate)).toEqual([1, 1]);
  });
  it('every cell draws the same bootstrap resamples: equal outcomes give equal intervals; a shift moves the interval by it', () => {
    // 8 parents over 4 arrival minutes; odd parents 1, 3, 5, 7 sit in minutes 0, 1, 2, 3
    const minutes = Float64Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const base = outcome(-1, Array(8).fill(10), Array(8).fill(1000));
    const a = outcome(0, [0, 9, 0, 13, 0, 6, 0, 14], Array(8).fill(1000));
    const twin = { ...a, index: 1, id: 'another name' };
    const shifted = outcome(2, [0, 10, 0, 14, 0, 7, 0, 15], Array(8).fill(1000)); // a + 1 bps on every parent
    const rows = analyzeSweep([a, twin, shifted], [{ k: 0 }, { k: 1 }, { k: 2 }], base, { seed: 3, replicates: 400, arrivalMinute: minutes });
    expect(rows[0].diffOddBps).toBe(0.5); // (−1 + 3 − 4 + 4) / 4
    expect(rows[0].diffOddLoBps).toBeLessThan(rows[0].diffOddHiBps);
    expect([rows[1].diffOddLoBps, rows[1].diffOddHiBps]).toEqual([rows[0].diffOddLoBps, rows[0].diffOddHiBps]);
    expect(rows[2].diffOddBps).toBe(1.5);
    expect(rows[2].diffOddLoBps).toBeCloseTo(rows[0].diffOddLoBps + 1, 12);
    expect(rows[2].diffOddHiBps).toBeCloseTo(rows[0].diffOddHiBps + 1, 12);
  });
  it('per side (buys and sells alone) and the market-step share, from the parents\' sides and the cell\'s S', () => {
    const base = outcome(-1, [10, 10, 10, 10, 10, 10, 10, 10], Array(8).fill(1000));
    // parents 0..7: buy, buy, sell, sell, buy, buy, sell, sell; odd ones: 1 (buy), 3 (sell), 5 (buy), 7 (sell)
    const sides = ['buy', 'buy', 'sell', 'sell', 'buy', 'buy', 'sell', 'sell'] as const;
    const cell = outcome(0, [9, 8, 12, 14, 9, 6, NaN, 11], [1000, 2000, 3000, 4000, 5000, 6000, NaN, 8000]);
    // fill steps: S = 4 is the market step; parent 6 filled nothing (−1)
    cell.fillStep = Int32Array.from([0, 4, 1, 4, 4, 2, -1, 3]);
    const [row] = analyzeSweep([cell], [{ k: 0 }], base, { seed: 1, replicates: 50, arrivalMinute: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]), sides: [...sides] }, 4);
    // all: 7 filled, market step on 1, 3, 4 → 3/7
    expect(row.marketStepShare).toBeCloseTo(3 / 7, 12);
    // buys: odd 1, 5 → Δ (8−10 + 6−10)/2 = −3, shortfall 7; ttf 1,2,5,6 s → p90 = 5 + 0.7·1 = 5.7; market 1, 4 of 4 filled
    expect(row.bySide.buy).toEqual({ diffOddBps: -3, shortfallOddBps: 7, p90TimeToFillS: expect.closeTo(5.7, 12), fillRate: 1, marketStepShare: 0.5 });
    // sells: odd 3, 7 → Δ (14−10 + 11−10)/2 = 2.5, shortfall 12.5; ttf 3,4,8 s → p90 = 4 + 0.8·4 = 7.2; 3 of 4 filled; market 3 of 3 filled
    expect(row.bySide.sell).toEqual({ diffOddBps: 2.5, shortfallOddBps: 12.5, p90TimeToFillS: expect.closeTo(7.2, 12), fillRate: 0.75, marketStepShare: 1 / 3 });
    // without sides or S the new figures are unknown, and the old ones unchanged
    const [plain] = analyzeSweep([cell], [{ k: 0 }], base, { seed: 1, replicates: 50, arrivalMinute: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]) });
    expect(plain.marketStepShare).toBeNaN();
    expect(plain.bySide.buy.diffOddBps).toBeNaN();
    expect(plain.diffOddBps).toBe(row.diffOddBps);
  });
  it('Pareto front: lower time and lower shortfall dominate', () => {
    expect(
      paretoFront([
        { x: 10, y: 5 },
        { x: 20, y: 3 },
        { x: 20, y: 6 },
        { x: 5, y: 9 },
        { x: 10, y: 5 },
        { x: NaN, y: 1 },
      ]),
    ).toEqual([true, true, false, true, true, false]);
  });
});

describe('sweep on the sample market', () => {
  let dataDir: string;
  let config: LadderConfig;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-data-'));
    writeSample(dataDir, { seed: 42 });
    config = defaultConfig();
  });
  const parentsOf = (n: number) => generateParentOrders({ count: n, seed: config.seed, orders: config.orders, tapes: dirTapeSource(dataDir).list() });

  it('36 cells × 200 parents finish; a resumed sweep writes an identical sweep.arrow', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-'));
    const options = {
      baseRaw: structuredClone(config) as unknown as Record<string, unknown>,
      dataDir,
      parents: parentsOf(200),
      ordersSource: 'generated 200',
      axes: [parseGridAxis('execution.step_percentage=5,10,15'), parseGridAxis('execution.step_timeout_buy=5,15,30'), parseGridAxis('execution.progressive_steps=2,3,4,6')],
      baseline: {},
      outDir: out,
      workers: 2,
      resume: false,
      replicates: 200,
    };
    const first = await runSweep(options);
    expect(first.rows).toHaveLength(36);
    expect(first.cellsRun).toBe(36); // the baseline equals the grid's 10 % / 15 s / 4-step cell: run once
    expect(first.parents).toBeGreaterThanOrEqual(150);
    const bytes = readFileSync(join(out, 'sweep.arrow'));

    // Lose half the finished cells and the results, as if the sweep had been cut off mid-write
    // (the journal ends in a torn line); resume.
    const journal = join(out, 'cells.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(36);
    const kept = lines.filter((_, i) => i % 2 === 1);
    writeFileSync(journal, `${kept.join('\n')}\n${lines[0].slice(0, 200)}`);
    rmSync(join(out, 'sweep.arrow'));
    const resumed = await runSweep({ ...options, resume: true });
    expect(resumed.cellsRun).toBe(18);
    // 18 kept lines; 19 cells resumed when the kept half holds the line the baseline shares with its grid cell
    expect(resumed.cellsResumed - (resumed.cellsResumed === 19 ? 1 : 0)).toBe(18);
    // the torn line is cut away before the re-run cells are appended: 36 whole lines again
    const after = readFileSync(journal, 'utf8');
    expect(after.endsWith('\n')).toBe(true);
    expect(after.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l).key).sort()).toEqual(lines.map((l) => JSON.parse(l).key).sort());
    expect(resumed.cellsResumed + resumed.cellsRun).toBeGreaterThanOrEqual(36);
    expect(readFileSync(join(out, 'sweep.arrow')).equals(bytes)).toBe(true);

    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(36);
    expect(Array.from(table.getChild('rank')!.toArray() as Int32Array).sort((a, b) => a - b)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    // The baseline config is in the grid (10 %, 15 s, 4 steps): its paired difference is exactly 0.
    const ids = table.getChild('cell_id')!.toArray() as string[];
    const diffs = table.getChild('diff_odd_bps')!.toArray() as Float64Array;
    expect(diffs[ids.indexOf('execution.step_percentage=10 execution.step_timeout_buy=15 execution.progressive_steps=4')]).toBe(0);
  }, 120_000);

  it('a one-cell sweep equals backtest with that config', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ladderlab-sweep-one-'));
    const parents = parentsOf(60);
    const summary = await runSweep({
      baseRaw: structuredClone(config) as unknown as Record<string, unknown>,
      dataDir,
      parents,
      ordersSource: 'generated 60',
      axes: [parseGridAxis('execution.step_percentage=15')],
      baseline: {},
      outDir: out,
      workers: 1,
      resume: false,
      replicates: 50,
    });
    const cell = cellConfig(structuredClone(config) as unknown as Record<string, unknown>, { 'execution.step_percentage': 15 });
    const accepted = prescreenParents(parents, [config, cell], { sessionCloseUs: sessionCloseOf }).accepted;
    const { records } = runBacktest({ config: cell, tapes: dirTapeSource(dataDir), parents: accepted });
    // the sweep ranks on implementation shortfall (the unfilled rest at the tape's mid), the report's definition
    const midAt = tapeMidAt(dataDir);
    const shortfalls = records.map((r) => implementationShortfallBps(r, midAt)).filter((x) => Number.isFinite(x));
    const mean = shortfalls.reduce((a, b) => a + b, 0) / shortfalls.length;
    expect(summary.parents).toBe(accepted.length);
    expect(summary.rows[0].shortfallBps).toBeCloseTo(mean, 10);
    expect(summary.rows[0].fillRate).toBe(records.filter((r) => r.filledQty > 0).length / records.length);
    // vs_far_touch_bps is a cost like every bps column (it was improvement_bps, the same figure negated)
    const touch = records.map(vsFarTouchBps).filter((x) => Number.isFinite(x));
    const touchMean = touch.reduce((a, b) => a + b, 0) / touch.length;
    expect(summary.rows[0].vsFarTouchBps).toBeCloseTo(touchMean, 10);
    const arrow = tableFromIPC(readFileSync(join(out, 'sweep.arrow')));
    expect(arrow.getChild('vs_far_touch_bps')!.at(0)).toBeCloseTo(touchMean, 10);
    expect(arrow.names).not.toContain('improvement_bps');
  }, 60_000);
});

describe('sweep summary time line', () => {
  const summary = (cellPhaseCpuS: number) => ({
    rows: [],
    parents: 200,
    prescreenRejected: [],
    cellsRun: 1001,
    cellsResumed: 0,
    queueJobs: 0,
    files: { 'sweep.arrow': '/out/sweep.arrow', 'sweep.json': '/out/sweep.json' },
    timings: { workersReadyS: 0.08, cellPhaseS: 2.5, cellPhaseCpuS, totalS: 2.64, queueS: Number.NaN },
  });
  it('gives the cell phase CPU and the cores it kept busy (threads), and leaves them out when unknown (processes)', () => {
    expect(formatSweepSummary(summary(3.05))).toContain('time: workers ready 0.08 s, cells (run and analyzed) 2.50 s on 3.05 CPU-s (1.22 cores), total 2.64 s\n');
    expect(formatSweepSummary(summary(Number.NaN))).toContain('time: workers ready 0.08 s, cells (run and analyzed) 2.50 s, total 2.64 s\n');
  });
});
