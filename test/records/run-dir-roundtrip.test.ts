/**
 * The run directory is the records module's format, written AND read there: every field of every
 * parent, child and fill survives writeRunDir → loadRun, for buys and sells, including the step
 * percentage each limit step used and the steps a child was kept through.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import type { ChildRecord, ExecutionRecord } from '../../src/engine/types.ts';
import { loadRun } from '../../src/records/read.ts';
import { writeRunDir } from '../../src/records/write.ts';

const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000;
const SEC = 1_000_000;

function child(id: string, over: Partial<ChildRecord>): ChildRecord {
  return {
    clientOrderId: id,
    step: 0,
    stepsKept: [],
    isMarketStep: false,
    limitPrice: 10.05,
    qty: 300,
    sentTsUs: T0 + 1,
    ackTsUs: T0 + 2_001,
    ackRecvTsUs: T0 + 2_501,
    cancelSentTsUs: null,
    doneTsUs: null,
    status: 'working',
    sentBid: 10,
    sentAsk: 10.1,
    filledQty: 0,
    rejectReason: null,
    fills: [],
    ...over,
  };
}

const buy: ExecutionRecord = {
  clientOrderId: 'B1',
  symbol: 'XYZ',
  side: 'buy',
  qty: 300,
  filledQty: 300,
  arrivalTsUs: T0,
  arrivalBid: 10,
  arrivalAsk: 10.1,
  arrivalBidSize: 500,
  arrivalAskSize: 700,
  avgPrice: 10.0633,
  fillStep: 2,
  timeToFillUs: 31 * SEC + 7,
  endTsUs: T0 + 31 * SEC + 7,
  status: 'filled',
  reason: null,
  stepPercentages: [10, 10, 5],
  children: [
    // kept through step 1 (same price), canceled at step 2 after a partial fill
    child('B1-1', {
      stepsKept: [1],
      cancelSentTsUs: T0 + 30 * SEC,
      doneTsUs: T0 + 30 * SEC + 900,
      status: 'canceled',
      filledQty: 100,
      fills: [{ execId: 'e1', tsUs: T0 + 3 * SEC + 11, price: 10.05, qty: 100, step: 0, recvTsUs: T0 + 3 * SEC + 400 }],
    }),
    child('B1-2', {
      step: 2,
      limitPrice: 10.07,
      qty: 200,
      sentTsUs: T0 + 30 * SEC + 901,
      ackTsUs: null,
      ackRecvTsUs: null,
      doneTsUs: T0 + 31 * SEC + 7,
      status: 'filled',
      sentBid: 10.01,
      sentAsk: 10.11,
      filledQty: 200,
      replaces: 'B1-1',
      fills: [
        { execId: 'e2', tsUs: T0 + 31 * SEC, price: 10.07, qty: 150, step: 2 },
        { execId: 'e3', tsUs: T0 + 31 * SEC + 7, price: 10.07, qty: 50, step: 2 },
      ],
    }),
  ],
};

const sell: ExecutionRecord = {
  ...buy,
  clientOrderId: 'S1',
  side: 'sell',
  qty: 100,
  filledQty: 40,
  avgPrice: 10.04,
  fillStep: -1,
  timeToFillUs: Number.NaN,
  endTsUs: T0 + 120 * SEC,
  status: 'partial',
  reason: 'collar_exhausted',
  stepPercentages: [15, 15, 15, 15],
  children: [
    child('S1-1', { stepsKept: [1, 2, 3], limitPrice: 10.05, qty: 100, status: 'canceled', doneTsUs: T0 + 50 * SEC, filledQty: 40, fills: [{ execId: 's1', tsUs: T0 + 9 * SEC, price: 10.04, qty: 40, step: 1 }] }),
    child('S1-2', { step: 4, isMarketStep: true, limitPrice: 9.9, qty: 60, sentTsUs: T0 + 51 * SEC, ackTsUs: null, ackRecvTsUs: null, status: 'rejected', rejectReason: 'insufficient buying power', doneTsUs: T0 + 51 * SEC + 5 }),
  ],
};

const rejected: ExecutionRecord = {
  ...buy,
  clientOrderId: 'R1',
  filledQty: 0,
  arrivalBid: Number.NaN,
  arrivalAsk: Number.NaN,
  arrivalBidSize: Number.NaN,
  arrivalAskSize: Number.NaN,
  avgPrice: Number.NaN,
  fillStep: -1,
  timeToFillUs: Number.NaN,
  endTsUs: T0,
  status: 'rejected',
  reason: 'no_quote',
  stepPercentages: [],
  children: [],
};

const root = mkdtempSync(join(tmpdir(), 'ladderlab-roundtrip-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('run directory round trip', () => {
  it('every field of parents, children and fills, buys and sells, and the baseline, comes back equal', () => {
    const config = defaultConfig();
    const baseline: ExecutionRecord[] = [{ ...buy, clientOrderId: 'B1', children: [], stepPercentages: [] }, { ...sell, children: [], stepPercentages: [] }];
    writeRunDir(root, { records: [buy, sell, rejected], baseline, manifest: { config, seed: 7, dataDir: '/tape' } });
    const run = loadRun(root);
    expect(run.records).toEqual([buy, sell, rejected]);
    expect(run.baseline).toEqual(baseline);
    expect(run.seed).toBe(7);
    expect(run.dataDir).toBe('/tape');
    expect(run.config).toEqual(config);
    expect(run.runInfo.counts).toEqual({ parents: 3, filled: 1, partial: 1, unfilled: 0, rejected: 1, children: 4, fills: 4 });
  });

  it('the step percentage each parent used and the steps each child was kept through are on disk', () => {
    const run = loadRun(root);
    expect(run.records.map((r) => r.stepPercentages)).toEqual([[10, 10, 5], [15, 15, 15, 15], []]);
    expect(run.records.flatMap((r) => r.children.map((c) => [c.clientOrderId, c.stepsKept]))).toEqual([
      ['B1-1', [1]],
      ['B1-2', []],
      ['S1-1', [1, 2, 3]],
      ['S1-2', []],
    ]);
  });
});
