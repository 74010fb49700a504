/**
 * runBacktest end to end (engine + SimMarket) on hand-built and seeded tapes; the run directory
 * files; determinism.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from '@uwdata/flechette';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { recordsToArrow, writeRunDir } from '../../src/records/write.ts';
import { DAY, randomTape, SEC, T0, tape } from './sim-fixtures.ts';

const parent = (clientOrderId: string, side: 'buy' | 'sell', qty: number, arrivalTsUs = T0): ParentOrder => ({ clientOrderId, symbol: 'XYZ', side, qty, arrivalTsUs });

describe('a ladder against a hand-built tape (through, zero latency)', () => {
  // 10.00 / 10.10: spread 0.99 % → p = 10 %; buy steps 10.05, 10.05 (kept), 10.06, 10.07; sell 10.05, 10.05, 10.04, 10.03.
  const quiet = () => tape([[T0 - SEC, 10.0, 10.1, 300, 400]], [[T0 + 35 * SEC, 10.05, 100, 'N']]);
  // beyond_touch: collar — the market step's rest waits at its collar (levels: sim-beyond-touch.test.ts).
  const config = parseConfig({ sim: { fill_model: 'through', beyond_touch: { model: 'collar' } } });

  it('buy: the print at 10.05 (35 s) goes through step 2 at 10.06', () => {
    const [r] = runBacktest({ config, tapes: [quiet()], parents: [parent('b1', 'buy', 100)] }).records;
    expect(r).toMatchObject({ status: 'filled', filledQty: 100, avgPrice: 10.06, fillStep: 2, timeToFillUs: 35 * SEC, endTsUs: T0 + 35 * SEC, reason: null });
    expect(r.children.map((c) => [c.step, c.limitPrice, c.status, c.filledQty])).toEqual([
      [0, 10.05, 'canceled', 0],
      [2, 10.06, 'filled', 100],
    ]);
  });

  it('sell: the print at 10.05 goes through step 3 (10.03) for 100; the market step takes the displayed bid; the rest is exhausted at the collar', () => {
    const [r] = runBacktest({ config, tapes: [quiet()], parents: [parent('s1', 'sell', 600)] }).records;
    // steps every 10 s; at 35 s step 3 rests at 10.03 → 100 fill; market step at 40 s: 300 at the
    // bid 10.00; its 3 retries find no new displayed size (one quote all day).
    expect(r).toMatchObject({ status: 'partial', filledQty: 400, avgPrice: (100 * 10.03 + 300 * 10.0) / 400, fillStep: 4, timeToFillUs: 40 * SEC, reason: 'collar_exhausted' });
    expect(r.children.flatMap((c) => c.fills.map((f) => [f.tsUs - T0, f.price, f.qty, f.step]))).toEqual([
      [35 * SEC, 10.03, 100, 3],
      [40 * SEC, 10.0, 300, 4],
    ]);
    expect(r.children.filter((c) => c.isMarketStep).map((c) => c.limitPrice)).toEqual([9.95, 9.95, 9.95, 9.95]);
  });

  it('a parent whose symbol-day has no tape is rejected no_quote', () => {
    const [r] = runBacktest({ config, tapes: [quiet()], parents: [{ ...parent('x', 'buy', 100), symbol: 'ABC' }] }).records;
    expect(r).toMatchObject({ status: 'rejected', reason: 'no_quote' });
  });

  it('loads each symbol-day when needed, across days', () => {
    const nextDay = '2024-03-06';
    const t1 = T0 + 24 * 3600 * SEC;
    const day2 = tape([[t1 - SEC, 20.0, 20.02, 500, 500]], [[t1 + 2 * SEC, 19.99, 500, 'N']], 'XYZ', nextDay);
    const result = runBacktest({ config, tapes: [quiet(), day2], parents: [parent('b1', 'buy', 100), { ...parent('b2', 'buy', 100), arrivalTsUs: t1 }] });
    expect(result.symbolDaysLoaded).toBe(2);
    expect(result.records[1]).toMatchObject({ clientOrderId: 'b2', arrivalBid: 20.0, arrivalAsk: 20.02, status: 'filled', avgPrice: 20.01, timeToFillUs: 2 * SEC });
  });
});

describe('queue_when_closed', () => {
  it('parents arriving before the open or after the close start at the next open present in the data', () => {
    const open1 = T0 - 30 * 60 * SEC; // 09:30 New York on DAY
    const open2 = open1 + 24 * 3600 * SEC;
    const day1 = tape([[open1, 10.0, 10.1, 100, 100]]);
    const day2 = tape([[open2, 20.0, 20.1, 100, 100]], [[open2 + 5 * SEC, 20.0, 500, 'N']], 'XYZ', '2024-03-06');
    const config = parseConfig({ risk: { queue_when_closed: true }, sim: { fill_model: 'through' } });
    const records = runBacktest({
      config,
      tapes: [day1, day2],
      parents: [parent('pre', 'buy', 100, open1 - 3600 * SEC), parent('after', 'buy', 100, open1 + 7.5 * 3600 * SEC)],
    }).records;
    expect(records.map((r) => [r.clientOrderId, r.status, r.arrivalTsUs, r.avgPrice, r.timeToFillUs])).toEqual([
      ['pre', 'filled', open1, 10.1, 60 * SEC], // no prints: the market step at 60 s takes the ask
      ['after', 'filled', open2, 20.05, 5 * SEC], // the print at 20.00 goes through step 0 (20.05)
    ]);
  });
});

describe('races through the engine (cancel latency 50 ms)', () => {
  // buy 10.00/10.10: child 1 at 10.05 for steps 0–1; at 30 s the engine cancels it for step 2 (10.06).
  const config = parseConfig({ sim: { fill_model: 'through', latency: { cancel: { ms: 50 } } } });
  const withPrint = (size: number) => tape([[T0 - SEC, 10.0, 10.1, 300, 400]], [[T0 + 30 * SEC + 10_000, 10.04, size, 'N']]);

  it('the cancel loses to a fill: the fill stands, the parent is filled by the old child', () => {
    const [r] = runBacktest({ config, tapes: [withPrint(100)], parents: [parent('b1', 'buy', 100)] }).records;
    expect(r).toMatchObject({ status: 'filled', filledQty: 100, avgPrice: 10.05, fillStep: 1, timeToFillUs: 30 * SEC + 10_000 });
    expect(r.children).toHaveLength(1);
    expect(r.children[0]).toMatchObject({ status: 'filled', cancelSentTsUs: T0 + 30 * SEC, filledQty: 100 });
  });

  it('a partial fill before the cancel lands: the next child is sized from what is left', () => {
    const [r] = runBacktest({ config, tapes: [withPrint(100)], parents: [parent('b1', 'buy', 300)] }).records;
    expect(r.children.slice(0, 2).map((c) => [c.step, c.limitPrice, c.qty, c.filledQty, c.status, c.sentTsUs - T0])).toEqual([
      [0, 10.05, 300, 100, 'canceled', 0],
      [2, 10.06, 200, 0, 'canceled', 30 * SEC + 50_000],
    ]);
  });
});

describe('determinism', () => {
  const tapeA = randomTape(1, 20_000, { stepMs: 20 });
  const tapes = [tapeA];
  const parents = generateParentOrders({
    count: 40,
    seed: 5,
    orders: parseConfig({}).orders,
    tapes: [{ symbol: 'XYZ', day: DAY }],
  }).map((p, i) => ({ ...p, arrivalTsUs: T0 + i * 9 * SEC }));
  const bytes = (raw: Record<string, unknown>) => recordsToArrow(runBacktest({ config: parseConfig(raw), tapes, parents }).records);

  it('two runs with one seed give identical records.arrow bytes (touch + sampled latency)', () => {
    const raw = {
      seed: 11,
      sim: { fill_model: 'touch', latency: { entry: { ms: 2, jitter: 'lognormal' }, response: { ms: 1, jitter: 'lognormal' }, feed: { ms: 1, jitter: 'lognormal' } } },
    };
    const a = bytes(raw);
    expect(Buffer.from(bytes(raw)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(bytes({ ...raw, seed: 12 })).equals(Buffer.from(a))).toBe(false);
  });

  it('with through and fixed latency the seed changes nothing', () => {
    const raw = { sim: { fill_model: 'through', latency: { entry: { ms: 3 }, cancel: { ms: 2 }, response: { ms: 1 }, feed: { ms: 1 } } } };
    const a = bytes({ ...raw, seed: 1 });
    expect(Buffer.from(bytes({ ...raw, seed: 'other' })).equals(Buffer.from(a))).toBe(true);
  });

  it('queue with fixed latency does not depend on the seed either', () => {
    const raw = { sim: { fill_model: 'queue', latency: { entry: { ms: 3 } } } };
    expect(Buffer.from(bytes({ ...raw, seed: 1 })).equals(Buffer.from(bytes({ ...raw, seed: 2 })))).toBe(true);
  });
});

describe('run directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ladderlab-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes records, children, fills, baseline and run.json with the agreed columns', () => {
    const config = parseConfig({ sim: { fill_model: 'through' } });
    const tapes = [tape([[T0 - SEC, 10.0, 10.1, 300, 400]], [[T0 + 35 * SEC, 10.05, 100, 'N']])];
    const parents = [parent('b1', 'buy', 100), { ...parent('x', 'buy', 100), symbol: 'ABC' }];
    const { records } = runBacktest({ config, tapes, parents });
    const baseline = runBacktest({ config, tapes, parents, marketOnly: true }).records;
    writeRunDir(dir, { records, baseline, manifest: { config, seed: config.seed, dataDir: '/data' } });

    const rec = tableFromIPC(readFileSync(join(dir, 'records.arrow')));
    expect(rec.names).toEqual([
      'client_order_id', 'symbol', 'side', 'qty', 'filled_qty', 'arrival_ts', 'arrival_bid', 'arrival_ask', 'arrival_bid_size',
      'arrival_ask_size', 'avg_price', 'fill_step', 'time_to_fill_ms', 'end_ts', 'status', 'reason', 'spread_pct_arrival',
      'step_percentages',
    ]);
    // exact int64 µs on disk (readers see epoch ms, fractional below the ms)
    expect(Array.from(rec.getChild('arrival_ts')!.data[0].values as BigInt64Array)).toEqual([BigInt(T0), BigInt(T0)]);
    const rows = rec.toArray();
    expect(rows[0]).toMatchObject({ client_order_id: 'b1', side: 'buy', filled_qty: 100, avg_price: 10.06, fill_step: 2, time_to_fill_ms: 35_000, status: 'filled', reason: null, arrival_ts: T0 / 1000 });
    expect(rows[0].spread_pct_arrival).toBeCloseTo((0.1 / 10.1) * 100, 12);
    expect(rows[1]).toMatchObject({ client_order_id: 'x', status: 'rejected', reason: 'no_quote', avg_price: null, fill_step: -1, time_to_fill_ms: null, spread_pct_arrival: null, arrival_bid: null });

    const children = tableFromIPC(readFileSync(join(dir, 'children.arrow'))).toArray();
    expect(children.map((c) => [c.client_order_id, c.child_id, c.step, c.is_market_step, c.limit_price, c.status, c.filled_qty])).toEqual([
      ['b1', 'b1-1', 0, false, 10.05, 'canceled', 0],
      ['b1', 'b1-2', 2, false, 10.06, 'filled', 100],
    ]);
    // zero latency: the ack reaches the engine at the venue's time (ack_recv_ts, calibrate's response latency)
    expect(children[1]).toMatchObject({ sent_ts: (T0 + 30 * SEC) / 1000, ack_ts: (T0 + 30 * SEC) / 1000, ack_recv_ts: (T0 + 30 * SEC) / 1000, cancel_sent_ts: null, done_ts: (T0 + 35 * SEC) / 1000 });
    const fills = tableFromIPC(readFileSync(join(dir, 'fills.arrow'))).toArray();
    expect(fills.map((f) => ({ ...f }))).toEqual([{ client_order_id: 'b1', child_id: 'b1-2', exec_id: 'b1-2-x1', ts: (T0 + 35 * SEC) / 1000, recv_ts: (T0 + 35 * SEC) / 1000, price: 10.06, qty: 100, step: 2 }]);

    // baseline: the market step at arrival takes the displayed ask
    const base = tableFromIPC(readFileSync(join(dir, 'baseline.arrow'))).toArray();
    expect(base[0]).toMatchObject({ client_order_id: 'b1', avg_price: 10.1, fill_step: 4, time_to_fill_ms: 0 });

    const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(manifest.counts).toEqual({ parents: 2, filled: 1, partial: 0, unfilled: 0, rejected: 1, children: 2, fills: 1 });
    expect(manifest.files).toEqual(['records.arrow', 'children.arrow', 'fills.arrow', 'baseline.arrow', 'baseline_children.arrow', 'baseline_fills.arrow', 'run.json']);
    expect(existsSync(join(dir, 'records.arrow.tmp-' + process.pid))).toBe(false);
  });
});
