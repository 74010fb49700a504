/**
 * AlpacaMarket on an in-memory Alpaca (FakeAlpaca) with hand-driven time and no retry delay — the
 * set-up the live market tests share — with child requests on UVXY and, for the replace tests, a
 * short line per event and a helper that leaves a child working.
 */
import type { ChildOrderRequest, OrderEvent } from '../../src/engine/ports.ts';
import { AlpacaMarket } from '../../src/live/alpaca-market.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { FakeAlpaca, ManualWallTime, T0 } from './live-fakes.ts';

export interface FakeMarketOptions {
  reorderWaitMs?: number;
  staleMs?: number;
  attempts?: number;
  onQuoteSeen?: ConstructorParameters<typeof AlpacaMarket>[0]['onQuoteSeen'];
}

export function fakeAlpacaMarket(options: FakeMarketOptions = {}) {
  const wall = new ManualWallTime();
  const clock = new WallClock({ originUs: T0, speed: 1, wall });
  const api = new FakeAlpaca();
  api.nowUs = () => clock.nowUs();
  const events: OrderEvent[] = [];
  const fatal: unknown[] = [];
  const logs: string[] = [];
  const market = new AlpacaMarket({
    clock,
    api,
    staleMs: options.staleMs ?? 5000,
    retry: { attempts: options.attempts ?? 4, minDelayMs: 0, maxDelayMs: 0 },
    clientIdPrefix: 'll-',
    runTag: 'tag',
    reorderWaitMs: options.reorderWaitMs ?? 250,
    onFatal: (e) => fatal.push(e),
    log: (l) => logs.push(l),
    ...(options.onQuoteSeen ? { onQuoteSeen: options.onQuoteSeen } : {}),
  });
  market.setOrderListener((e) => events.push(e));
  return { wall, clock, api, market, events, fatal, logs };
}

/** The replace tests' market: events as short lines (as the engine sees them), and `working`. */
export function replaceSetup(options: { reorderWaitMs?: number; attempts?: number } = {}) {
  const fake = fakeAlpacaMarket(options);
  const { api, market, events } = fake;
  // A venue-stamped ack after the first only carries the venue's time for the records (live-market.test.ts).
  const acked = new Set<string>();
  const engineSees = (e: OrderEvent) => e.type !== 'accepted' || !acked.has(e.clientOrderId) || !e.venueStamped;
  const brief = () =>
    events.filter((e, i) => {
      if (i === 0) acked.clear();
      const keep = engineSees(e);
      if (e.type === 'accepted') acked.add(e.clientOrderId);
      return keep;
    }).map((e) =>
      e.type === 'fill'
        ? `fill ${e.clientOrderId} ${e.qty}@${e.price} cum ${e.cumQty}`
        : e.type === 'canceled'
          ? `canceled ${e.clientOrderId} cum ${e.cumQty}`
          : e.type === 'status'
            ? `status ${e.clientOrderId} ${e.status} cum ${e.cumQty}`
            : e.type === 'rejected' || e.type === 'cancel_rejected'
              ? `${e.type} ${e.clientOrderId} ${e.reason}`
              : `${e.type} ${e.clientOrderId}`,
    );
  /** A child sent and acknowledged (REST answer), with the calls and events so far cleared. */
  const working = async (request: ChildOrderRequest) => {
    market.submit(request);
    await market.settle();
    api.calls.length = 0;
    events.length = 0;
  };
  return { ...fake, brief, working };
}

export const buy = (id: string, qty = 100, limitPrice = 15.25) => ({ clientOrderId: id, symbol: 'UVXY', side: 'buy' as const, qty, limitPrice, timeInForce: 'day' as const });
export const sell = (id: string, qty = 300, limitPrice = 15.3) => ({ clientOrderId: id, symbol: 'UVXY', side: 'sell' as const, qty, limitPrice, timeInForce: 'day' as const });
