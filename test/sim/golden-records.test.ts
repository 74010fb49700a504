/**
 * Byte-identical replays: fixed runs (seeded tapes, seeded parents, every fill model, sampled
 * latency on every channel, ladder and market-only baseline) fingerprinted by a SHA-256 of what the
 * simulator decides — each parent's outcome and each child's life and fills. The fingerprints were
 * taken before the simulator was restructured (market split by job, fill models owning their state,
 * cached calendar, allocation-free loop); a change here means the simulator's output changed.
 * Fields other modules add to records later do not enter the fingerprint.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { ExecutionRecord } from '../../src/engine/types.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import seedrandom from 'seedrandom';
import type { QuoteRow, SymbolDay, TradeRow } from '../../src/data/tape/tape.ts';
import { DAY, T0, tape } from './sim-fixtures.ts';

/** The simulator's decisions, in a fixed field order. */
function fingerprint(records: readonly ExecutionRecord[]): string {
  const hash = createHash('sha256');
  for (const r of records) {
    hash.update(JSON.stringify([r.clientOrderId, r.status, r.reason, r.filledQty, r.avgPrice, r.fillStep, r.timeToFillUs, r.endTsUs, r.arrivalBid, r.arrivalAsk]));
    for (const c of r.children) {
      hash.update(JSON.stringify([c.clientOrderId, c.step, c.isMarketStep, c.limitPrice, c.qty, c.sentTsUs, c.ackTsUs, c.cancelSentTsUs, c.doneTsUs, c.status, c.filledQty, c.rejectReason]));
      for (const f of c.fills) hash.update(JSON.stringify([f.execId, f.tsUs, f.price, f.qty, f.step]));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const jitter = { ms: 3, jitter: 'lognormal', sigma: 0.6 };
/**
 * A quiet seeded day 09:30–16:10: the mid moves on 3 % of quotes (so children rest and queues
 * matter), spreads of 1–3 cents that change on 5 % of quotes, every quote new sizes (the queue model's depth path), one print per
 * three quotes at the bid, the ask or inside, a quarter of them off-exchange.
 */
function quietTape(seed: number, quoteCount: number, stepMs: number, offsetUs: number, symbol: string, price: number): SymbolDay {
  const rng = seedrandom(`golden:${seed}`);
  const quotes: QuoteRow[] = [];
  const trades: TradeRow[] = [];
  let midCents = price * 100;
  let spreadCents = 2;
  for (let i = 0; i < quoteCount; i++) {
    if (rng() < 0.03) midCents += rng() < 0.5 ? -1 : 1;
    if (rng() < 0.05) spreadCents = 1 + Math.floor(rng() * 3);
    const bidCents = midCents - Math.floor(spreadCents / 2);
    const tsUs = T0 - 1_800_000_000 + offsetUs + i * stepMs * 1000;
    quotes.push([tsUs, bidCents / 100, (bidCents + spreadCents) / 100, 100 * (1 + Math.floor(rng() * 9)), 100 * (1 + Math.floor(rng() * 9))]);
    if (i % 3 === 0) {
      const where = rng();
      const cents = where < 0.45 ? bidCents : where < 0.9 ? bidCents + spreadCents : bidCents + Math.floor(rng() * (spreadCents + 1));
      trades.push([tsUs + 1000 * Math.floor(stepMs / 2), cents / 100, 1 + Math.floor(rng() * 300), rng() < 0.25 ? 'D' : 'N']);
    }
  }
  return tape(quotes, trades, symbol, DAY);
}
const tapes = [quietTape(11, 60_000, 400, 0, 'XYZ', 20), quietTape(12, 50_000, 470, 137, 'ABC', 35)];

/** `beyond_touch: collar` is what the simulator did before the key existed: the old fingerprints hold. */
function run(fillModel: string, marketOnly: boolean, extra: Record<string, unknown> = {}): string {
  const config = parseConfig({ seed: 5, sim: { fill_model: fillModel, latency: { entry: jitter, cancel: jitter, response: jitter, feed: { ms: 1 } }, ...extra } });
  const parents = generateParentOrders({ count: 120, seed: 3, orders: config.orders, tapes: tapes.map((t) => ({ symbol: t.symbol, day: DAY })) });
  return fingerprint(runBacktest({ config, tapes, parents, marketOnly, pathChecks: false }).records);
}

describe('simulator output fingerprints (unchanged by restructuring)', () => {
  it.each([
    ['through', false, { beyond_touch: { model: 'collar' } }, '30876f2a5f282d82'],
    ['touch', false, { beyond_touch: { model: 'collar' } }, '8a512f0dc11823f4'],
    ['queue', false, { beyond_touch: { model: 'collar' } }, '42b01472f315fafe'],
    ['queue', false, { queue_power: 3, beyond_touch: { model: 'collar' } }, '8c9e7c2e2f769bcd'],
    ['queue', true, { beyond_touch: { model: 'collar' } }, 'd02f588f1f716274'],
    // The default since issue 14: synthetic levels behind the touch for the market step and the baseline.
    ['queue', false, {}, '42b01472f315fafe'], // no market step of these parents needed more than the displayed size
    ['queue', true, {}, '5c1299b29e235dc8'],
  ] as const)('%s (market only: %s, %o)', (model, marketOnly, extra, expected) => {
    expect(run(model, marketOnly, extra)).toBe(expected);
  });
});
