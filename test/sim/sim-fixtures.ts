/** Small hand-built tapes and a recording order listener for the simulator tests. */
import seedrandom from 'seedrandom';
import { parseConfig, type LadderConfig } from '../../src/config.ts';
import type { OrderEvent } from '../../src/engine/ports.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimMarket } from '../../src/sim/market.ts';
import { makeQuoteColumns, makeTradeColumns, type QuoteRow, type TradeRow, type SymbolDay } from '../../src/data/tape/tape.ts';

/** 2024-03-05 10:00:00 New York (EST) in epoch µs — inside the regular session. */
export const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000;
export const DAY = '2024-03-05';
export const MS = 1000;
export const SEC = 1_000_000;

export function tape(quotes: QuoteRow[], trades: TradeRow[] = [], symbol = 'XYZ', day = DAY): SymbolDay {
  return { symbol, day, quotes: makeQuoteColumns(quotes), trades: makeTradeColumns(trades) };
}

export interface Delivered {
  /** When the engine received it. */
  atUs: number;
  event: OrderEvent;
}

export function simConfig(sim: Record<string, unknown> = {}, seed: number | string = 42): LadderConfig {
  return parseConfig({ seed, sim });
}

/** A clock + market over `tapes`, recording every order event with its delivery time. */
export function makeMarket(tapes: SymbolDay[], sim: Record<string, unknown> = {}, seed: number | string = 42, startUs = T0 - SEC) {
  const clock = new VirtualClock(startUs);
  const config = simConfig(sim, seed);
  const market = new SimMarket({ clock, sim: config.sim, seed: config.seed, tapes });
  const events: Delivered[] = [];
  market.setOrderListener((event) => events.push({ atUs: clock.nowUs(), event }));
  /** Advance to `tUs` (everything strictly before it, plus tape events stamped tUs), as the engine would act at tUs. */
  const at = (tUs: number) => market.run(tUs, 3);
  const fills = (id?: string) =>
    events
      .filter((e) => e.event.type === 'fill' && (id === undefined || e.event.clientOrderId === id))
      .map((e) => {
        const f = e.event as Extract<OrderEvent, { type: 'fill' }>;
        return { tsUs: f.tsUs, price: f.price, qty: f.qty, cumQty: f.cumQty };
      });
  const types = (id?: string) => events.filter((e) => id === undefined || e.event.clientOrderId === id).map((e) => e.event.type);
  return { clock, market, events, at, fills, types, config };
}

export function buy(clientOrderId: string, qty: number, limitPrice: number, symbol = 'XYZ') {
  return { clientOrderId, symbol, side: 'buy' as const, qty, limitPrice, timeInForce: 'day' as const };
}

export function sell(clientOrderId: string, qty: number, limitPrice: number, symbol = 'XYZ') {
  return { clientOrderId, symbol, side: 'sell' as const, qty, limitPrice, timeInForce: 'day' as const };
}

/**
 * A seeded random-walk tape: `quoteCount` quotes every `stepMs` from `startUs`, spread 1–4 ticks of
 * $0.01 around a mid near `price`, sizes 100–900, and one print every `tradeEvery` quotes at the
 * bid, the ask or inside, about one in four off-exchange.
 */
export function randomTape(seed: number, quoteCount: number, options: { startUs?: number; stepMs?: number; price?: number; tradeEvery?: number; symbol?: string; day?: string } = {}): SymbolDay {
  const rng = seedrandom(`tape:${seed}`);
  const startUs = options.startUs ?? T0 - SEC;
  const stepUs = (options.stepMs ?? 50) * MS;
  const tradeEvery = options.tradeEvery ?? 3;
  let midTicks = Math.round((options.price ?? 20) * 100) * 2; // in half-cents
  const quotes: QuoteRow[] = [];
  const trades: TradeRow[] = [];
  for (let i = 0; i < quoteCount; i++) {
    midTicks += Math.floor(rng() * 3) - 1;
    const spreadCents = 1 + Math.floor(rng() * 4);
    const bidCents = Math.floor((midTicks - spreadCents) / 2);
    const bid = bidCents / 100;
    const ask = (bidCents + spreadCents) / 100;
    const tsUs = startUs + i * stepUs;
    quotes.push([tsUs, bid, ask, 100 * (1 + Math.floor(rng() * 9)), 100 * (1 + Math.floor(rng() * 9))]);
    if (i % tradeEvery === 0) {
      const where = rng();
      const price = where < 0.4 ? bid : where < 0.8 ? ask : (bidCents + Math.floor(rng() * (spreadCents + 1))) / 100;
      trades.push([tsUs + Math.floor(stepUs / 2), price, 1 + Math.floor(rng() * 500), rng() < 0.25 ? 'D' : 'N']);
    }
  }
  return tape(quotes, trades, options.symbol ?? 'XYZ', options.day ?? DAY);
}
