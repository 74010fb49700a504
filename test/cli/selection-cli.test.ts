/**
 * --symbols/--from/--to through the CLI: backtest runs only the selected symbol-days' parents
 * (file or generated), run.json says what was selected, report refuses a selection with no parent.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { nyDay } from '../../src/core/calendar.ts';
import { writeSymbolDays } from '../../src/data/tape/write.ts';
import { loadRun } from '../../src/records/read.ts';
import { randomTape, SEC, T0 } from '../sim/sim-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-sel-'));
const data = join(root, 'tape');
const DAY2 = T0 + 24 * 3600 * SEC; // 2024-03-06 10:00 New York


beforeAll(() => {
  writeSymbolDays(data, [
    randomTape(3, 12_000, { startUs: T0, symbol: 'XYZ' }),
    randomTape(4, 12_000, { startUs: T0, symbol: 'ABC' }),
    randomTape(5, 12_000, { startUs: DAY2, symbol: 'XYZ', day: '2024-03-06' }),
  ]);
  const lines = ['ts,symbol,side,qty'];
  for (let i = 0; i < 12; i++) {
    const start = i % 3 === 2 ? DAY2 : T0;
    lines.push(`${new Date((start + 30 * SEC + i * 20 * SEC) / 1000).toISOString()},${i % 3 === 1 ? 'ABC' : 'XYZ'},${i % 2 ? 'sell' : 'buy'},100`);
  }
  writeFileSync(join(root, 'orders.csv'), `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('selection flags', () => {
  it('backtest --symbols XYZ --to 2024-03-05 keeps the 4 file orders of XYZ on the 5th', async () => {
    const r = await cli(['backtest', '--data', data, '--orders', join(root, 'orders.csv'), '--symbols', 'xyz', '--to', '2024-03-05', '--out', join(root, 'a'), '--no-baseline', '--replicates', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, 'a', 'run.json'), 'utf8'));
    expect(manifest.orders).toMatchObject({ source: 'file', count: 4, outsideSelection: 8, selection: '--symbols XYZ --to 2024-03-05', symbolDays: 1 });
    const run = loadRun(join(root, 'a'));
    expect(run.records.map((x) => `${x.symbol} ${nyDay(x.arrivalTsUs)}`)).toEqual(Array(4).fill('XYZ 2024-03-05'));
  });

  it('backtest --orders 5 with orders.count_per symbol_day puts 5 parents on each selected symbol-day', async () => {
    writeFileSync(join(root, 'per-day.yaml'), 'orders:\n  count_per: symbol_day\n');
    const r = await cli(['backtest', '--config', join(root, 'per-day.yaml'), '--data', data, '--orders', '5', '--from', '2024-03-05', '--out', join(root, 'g'), '--no-baseline', '--replicates', '1']);
    expect(r.code).toBe(0);
    const run = loadRun(join(root, 'g'));
    const count: Record<string, number> = {};
    for (const x of run.records) count[`${x.symbol} ${nyDay(x.arrivalTsUs)}`] = (count[`${x.symbol} ${nyDay(x.arrivalTsUs)}`] ?? 0) + 1;
    expect(count).toEqual({ 'ABC 2024-03-05': 5, 'XYZ 2024-03-05': 5, 'XYZ 2024-03-06': 5 });
    expect(JSON.parse(readFileSync(join(root, 'g', 'run.json'), 'utf8')).orders).toMatchObject({ source: 'generated', count: 5, countPer: 'symbol_day', parents: 15 });
  });

  it('report --symbols with no parent of the run on it, and backtest on an empty selection, exit 2', async () => {
    const rep = await cli(['report', join(root, 'a'), '--symbols', 'ABC', '--replicates', '1']);
    expect(rep.code).toBe(2);
    expect(rep.stderr).toContain('no parent of the run is on the selected symbol-days');
    const bt = await cli(['backtest', '--data', data, '--orders', '3', '--from', '2024-03-07', '--out', join(root, 'x')]);
    expect(bt.code).toBe(2);
    expect(bt.stderr).toContain(`--data ${data}: no symbol-day matches --from 2024-03-07 (the data spans 2024-03-05 … 2024-03-06)`);
  });
});
