/**
 * A synthetic, seeded run for the report's end-to-end tests: one symbol-day of quotes (a mid
 * random walk whose spread changes every 20 minutes across the three buckets), parents every
 * 15 s alternating sides, each filled at a random ladder step, and a market-order baseline of
 * the same parents filled at the arrival far touch.
 */
import seedrandom from 'seedrandom';
import type { ExecutionRecord } from '../../src/engine/types.ts';
import { makeRecord } from './report-fixtures.ts';

export const SYNTH_DAY = '2024-03-12';
const OPEN_US = Date.UTC(2024, 2, 12, 13, 30) * 1000; // 09:30 New York (EDT)
const QUOTE_EVERY_US = 500_000;

const cents = (x: number) => Math.round(x * 100) / 100;

export interface SyntheticRun {
  records: ExecutionRecord[];
  baseline: ExecutionRecord[];
  quotes: [number, number, number][];
}

export function syntheticRun(parents: number, seed: string): SyntheticRun {
  const rng = seedrandom(seed);
  const spanUs = parents * 15_000_000 + 120_000_000;
  const quotes: [number, number, number][] = [];
  let mid = 20;
  for (let t = 0; t <= spanUs; t += QUOTE_EVERY_US) {
    mid += (rng() - 0.5) * 0.01;
    const period = Math.floor(t / 1_200_000_000) % 3;
    const half = [0.02, 0.1, 0.22][period];
    quotes.push([OPEN_US + t, cents(mid - half), cents(mid + half)]);
  }
  const quoteAt = (tsUs: number) => quotes[Math.min(quotes.length - 1, Math.floor((tsUs - OPEN_US) / QUOTE_EVERY_US))];
  const records: ExecutionRecord[] = [];
  const baseline: ExecutionRecord[] = [];
  for (let i = 0; i < parents; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell';
    const arrivalUs = OPEN_US + i * 15_000_000 + 250_000;
    const [, bid, ask] = quoteAt(arrivalUs);
    const spread = ask - bid;
    const step = Math.min(4, Math.floor(rng() * rng() * 6));
    const fillAfterUs = step * 12_000_000 + Math.floor(rng() * 10_000_000);
    const stepPrice = side === 'buy' ? cents((bid + ask) / 2 + spread * step * 0.1) : cents((bid + ask) / 2 - spread * step * 0.1);
    const price = step === 4 ? (side === 'buy' ? ask : bid) : stepPrice;
    const unfilled = rng() < 0.04;
    const qty = 100 * (1 + Math.floor(rng() * 5));
    const children = [];
    for (let k = 0; k <= step; k++) {
      const [, sb, sa] = quoteAt(arrivalUs + k * 12_000_000);
      const fills = k === step && !unfilled ? [{ atUs: fillAfterUs, price, qty }] : [];
      children.push({ step: k, limit: k === step ? price : cents((sb + sa) / 2), qty, sentBid: sb, sentAsk: sa, fills, isMarketStep: k === 4 });
    }
    const id = `p${String(i).padStart(4, '0')}`;
    records.push(
      makeRecord({ id, side, qty, arrivalUs, bid, ask, bidSize: 200, askSize: 300, children, symbol: 'XYZ', endAfterUs: unfilled ? 120_000_000 : undefined }),
    );
    baseline.push(
      makeRecord({
        id,
        side,
        qty,
        arrivalUs,
        bid,
        ask,
        bidSize: 200,
        askSize: 300,
        symbol: 'XYZ',
        children: [{ step: 4, limit: side === 'buy' ? ask : bid, qty, sentBid: bid, sentAsk: ask, fills: [{ atUs: 1000, price: side === 'buy' ? ask : bid, qty }], isMarketStep: true }],
      }),
    );
  }
  return { records, baseline, quotes };
}
