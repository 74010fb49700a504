/** Small hand-built tapes and a recording order listener for the simulator tests. */
import { parseConfig, type LadderConfig } from '../src/engine/config.ts';
import type { OrderEvent } from '../src/engine/ports.ts';
import { VirtualClock } from '../src/sim/clock.ts';
import { SimMarket } from '../src/sim/market.ts';
import { makeQuoteColumns, makeTradeColumns, type QuoteRow, type TradeRow, type SymbolDay } from '../src/sim/tape.ts';

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
