/**
 * Simulator throughput (issue 5 gate: ≥ 10 M quote events/s on one core while children rest).
 *
 * One generated symbol-day of ≥ 5 M quotes (a mean-reverting walk around $100, 1–3 cent spreads,
 * every quote a new size) and one print per 8 quotes. Median of 5 runs after a warm-up:
 *   · quote events/s consumed while children rest: a buy and a sell child rest outside the walk
 *     for the whole day under the `queue` model (its depth hook runs on every quote);
 *   · the same columns read by a plain typed-array loop doing the same comparisons — the floor
 *     the simulator is measured against (ratio = simulator / plain scan);
 *   · parent orders/s: whole ladders (engine + simulator, default config) for generated parents.
 */
import { parseConfig } from '../../src/config.ts';
import { regularSession } from '../../src/core/calendar.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { EventClass, VirtualClock } from '../../src/sim/clock.ts';
import { SimMarket } from '../../src/sim/market.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { allocQuoteColumns, allocTradeColumns, type SymbolDay } from '../../src/data/tape/tape.ts';
import { medianSeconds, type BenchLine } from './harness.ts';

const QUOTES = 5_000_000;
const DAY = '2024-03-05';

function generateTape(): SymbolDay {
  const { openUs, closeUs } = regularSession(DAY);
  const stepUs = Math.floor((closeUs - openUs) / QUOTES);
  const quotes = allocQuoteColumns(QUOTES);
  const trades = allocTradeColumns(Math.ceil(QUOTES / 8));
  let seed = 12345;
  const rand = () => {
    // xorshift32: a cheap deterministic stream for data generation only
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  let midCents = 10_000;
  let t = 0;
  for (let i = 0; i < QUOTES; i++) {
    midCents += (rand() < 0.5 ? -1 : 1) * (rand() < 0.2 ? 1 : 0);
    if (midCents > 10_050) midCents--;
    if (midCents < 9_950) midCents++;
    const spread = 1 + Math.floor(rand() * 3);
    const bidCents = midCents - Math.floor(spread / 2);
    const ts = openUs + i * stepUs;
    quotes.ts[i] = ts;
    quotes.bid[i] = bidCents / 100;
    quotes.ask[i] = (bidCents + spread) / 100;
    quotes.bidSize[i] = 100 * (1 + Math.floor(rand() * 20));
    quotes.askSize[i] = 100 * (1 + Math.floor(rand() * 20));
    if (i % 8 === 0) {
      trades.ts[t] = ts + 1;
      trades.price[t] = rand() < 0.5 ? quotes.bid[i] : quotes.ask[i];
      trades.size[t] = 100;
      trades.exchange[t] = 0;
      trades.eligible[t] = rand() < 0.7 ? 1 : 0;
      t++;
    }
  }
  quotes.length = QUOTES;
  trades.length = t;
  return { symbol: 'BENCH', day: DAY, quotes, trades: { ...trades, ts: trades.ts.subarray(0, t) } };
}

/** The plain loop: per quote the simulator's comparisons for two resting children, nothing else. */
function plainScan(tape: SymbolDay, buyLimit: number, sellLimit: number): number {
  const { ts, bid, ask, bidSize, askSize } = tape.quotes;
  const n = tape.quotes.length;
  let hits = 0;
  let sizes = 0;
  let lastTs = 0;
  for (let i = 0; i < n; i++) {
    const b = bid[i];
    const a = ask[i];
    if (a - b > 1e-7 && a <= buyLimit + 1e-7) hits++;
    if (a - b > 1e-7 && b >= sellLimit - 1e-7) hits++;
    sizes += bidSize[i] + askSize[i];
    lastTs = ts[i];
  }
  return hits + sizes + lastTs;
}

export async function run(): Promise<BenchLine[]> {
  const tape = generateTape();
  const { openUs } = regularSession(DAY);
  const config = parseConfig({ sim: { fill_model: 'queue' } });
  const buyLimit = 90;
  const sellLimit = 110;

  let consumed = 0;
  const simSeconds = medianSeconds(() => {
    const clock = new VirtualClock(openUs);
    const market = new SimMarket({ clock, sim: config.sim, seed: config.seed, tapes: [tape] });
    market.submit({ clientOrderId: 'b', symbol: 'BENCH', side: 'buy', qty: 100, limitPrice: buyLimit, timeInForce: 'day' });
    market.submit({ clientOrderId: 's', symbol: 'BENCH', side: 'sell', qty: 100, limitPrice: sellLimit, timeInForce: 'day' });
    market.run(Infinity, EventClass.trade);
    consumed = market.stats.quoteEvents;
  });
  if (consumed < QUOTES - 1) throw new Error(`bench: simulator consumed ${consumed} of ${QUOTES} quotes`);

  let sink = 0;
  const scanSeconds = medianSeconds(() => {
    sink += plainScan(tape, buyLimit, sellLimit);
  });
  if (sink === 42) console.log('');

  const parentCount = 2000;
  const parents = generateParentOrders({ count: parentCount, seed: 1, orders: config.orders, tapes: [{ symbol: 'BENCH', day: DAY }] });
  // pathChecks off: every parent runs its ladder (no duplicate_working refusals on one symbol).
  let accepted = 0;
  const backtestSeconds = medianSeconds(() => {
    const { records } = runBacktest({ config, tapes: [tape], parents, pathChecks: false });
    accepted = records.filter((r) => r.status !== 'rejected').length;
  });

  const simRate = consumed / simSeconds;
  const scanRate = QUOTES / scanSeconds;
  return [
    { name: `sim quote events/s while children rest (${(QUOTES / 1e6).toFixed(0)} M, queue)`, value: simRate, unit: 'events/s' },
    { name: 'plain typed-array scan of the same columns', value: scanRate, unit: 'quotes/s' },
    { name: 'ratio simulator / plain scan', value: simRate / scanRate, unit: '×' },
    { name: `backtest parents/s (${parentCount}, ${accepted} ran a ladder)`, value: parentCount / backtestSeconds, unit: 'parents/s' },
    { name: 'gate ≥ 10 M quote events/s', value: simRate >= 10e6 ? 1 : 0, unit: simRate >= 10e6 ? 'pass' : 'FAIL' },
  ];
}
