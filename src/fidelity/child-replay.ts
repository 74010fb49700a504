/**
 * Child-level replay: the observed children sent to the simulator's venue exactly when they reached
 * the real one (ack_ts) and canceled exactly when their cancel did (done_ts of a canceled child),
 * with every latency channel set to zero — so what differs from the observed run is the fill model
 * alone. All children (both halves) are replayed together, as the venue saw them, because children
 * never share displayed shares: one child's fill can take the print another would have met.
 *
 * A child observed to fill has no observed cancel; it is canceled where its step would have ended,
 * ack + step timeout × (1 + steps it was kept for), so a simulated child cannot keep taking prints
 * long after the real one was gone.
 */
import type { SimConfig } from '../sim/config.ts';
import { EventClass, VirtualClock } from '../sim/clock.ts';
import { SimMarket } from '../sim/market.ts';
import type { TapeSource } from '../sim/backtest.ts';
import type { SymbolDay } from '../data/tape/tape.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import type { ExecutionConfig } from '../engine/config.ts';

export interface ReplayChild {
  /** Index of the parent in the observed list (for bootstrap over parents). */
  parentIndex: number;
  childId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  limitPrice: number;
  venueArrivalUs: number;
  venueCancelUs: number;
  observedFilledQty: number;
  /** First observed fill (venue time), NaN when none. */
  observedFirstFillUs: number;
  isMarketStep: boolean;
}

export interface ReplayOutcome {
  filledQty: Float64Array;
  firstFillUs: Float64Array;
}

export function replayChildrenOf(records: readonly ExecutionRecord[], execution: ExecutionConfig): ReplayChild[] {
  const out: ReplayChild[] = [];
  records.forEach((r, parentIndex) => {
    const timeoutUs = (r.side === 'buy' ? execution.step_timeout_buy : execution.step_timeout_sell) * 1e6;
    for (const c of r.children) {
      if (c.ackTsUs === null || c.status === 'rejected') continue;
      const firstFill = c.fills.reduce((m, f) => Math.min(m, f.tsUs), Infinity);
      const lastFill = c.fills.reduce((m, f) => Math.max(m, f.tsUs), -Infinity);
      const stepEndUs = c.ackTsUs + (c.isMarketStep ? execution.market_step.retry_after_s * 1e6 : timeoutUs * (1 + c.stepsKept.length));
      // A filled child's last fill is within its life however the step timer ran.
      const cancelUs = c.status === 'canceled' && c.doneTsUs !== null ? c.doneTsUs : Math.max(stepEndUs, lastFill + 1);
      out.push({
        parentIndex,
        childId: c.clientOrderId,
        symbol: r.symbol,
        side: r.side,
        qty: c.qty,
        limitPrice: c.limitPrice,
        venueArrivalUs: c.ackTsUs,
        venueCancelUs: Math.max(cancelUs, c.ackTsUs),
        observedFilledQty: c.filledQty,
        observedFirstFillUs: Number.isFinite(firstFill) ? firstFill : Number.NaN,
        isMarketStep: c.isMarketStep,
      });
    }
  });
  return out;
}

const ZERO = { ms: 0, jitter: 'none' as const, sigma: 0 };

export function replayChildren(children: readonly ReplayChild[], sim: SimConfig, seed: number | string, tapes: TapeSource): ReplayOutcome {
  const filledQty = new Float64Array(children.length);
  const firstFillUs = new Float64Array(children.length).fill(Number.NaN);
  if (children.length === 0) return { filledQty, firstFillUs };
  const available = new Set(tapes.list().map((t) => `${t.symbol}\u0000${t.day}`));
  const days = [...new Set(tapes.list().map((t) => t.day))].sort();
  const start = children.reduce((m, c) => Math.min(m, c.venueArrivalUs), Infinity);
  const clock = new VirtualClock(start);
  const loadTape = (symbol: string, day: string): SymbolDay | null => (available.has(`${symbol}\u0000${day}`) ? tapes.load(symbol, day) : null);
  const market = new SimMarket({ clock, sim: { ...sim, latency: { entry: ZERO, cancel: ZERO, response: ZERO, feed: ZERO } }, seed, days, loadTape });
  const index = new Map(children.map((c, i) => [c.childId, i]));
  market.setOrderListener((event) => {
    if (event.type !== 'fill') return;
    const i = index.get(event.clientOrderId);
    if (i === undefined) return;
    filledQty[i] += event.qty;
    if (Number.isNaN(firstFillUs[i])) firstFillUs[i] = event.tsUs;
  });
  let end = start;
  for (const c of children) {
    clock.schedule(c.venueArrivalUs, EventClass.venue, () =>
      market.submit({ clientOrderId: c.childId, symbol: c.symbol, side: c.side, qty: c.qty, limitPrice: c.limitPrice, timeInForce: 'day' }),
    );
    clock.schedule(c.venueCancelUs, EventClass.venue, () => market.cancel(c.childId));
    end = Math.max(end, c.venueCancelUs);
  }
  market.run(end + 1e6, EventClass.trade);
  return { filledQty, firstFillUs };
}

/**
 * How well the replayed child reproduces the observed one, in [0, 1]:
 *   score = 1{same first fill time within `toleranceUs`, or neither filled} · (1 − |q_sim − q_obs| / qty)
 * The time term is what identifies queue position (a queue estimate that is off fills at another
 * print, usually seconds away); the tolerance absorbs the venue's own stamp of an execution versus
 * the tape's (a broker stamps after its hop; clocks differ). The quantity term gives partial credit,
 * so a parameter slightly off (a fractional share carried differently) scores near, not at zero —
 * the objective is smooth enough to search.
 */
export function childScore(c: ReplayChild, outcome: ReplayOutcome, i: number, toleranceUs = 0): number {
  const a = outcome.firstFillUs[i];
  const b = c.observedFirstFillUs;
  const sameTime = (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= toleranceUs;
  if (!sameTime) return 0;
  return 1 - Math.abs(outcome.filledQty[i] - c.observedFilledQty) / c.qty;
}
