/**
 * Start-of-run reconciliation: open orders whose client_order_id starts with our prefix were left
 * by an earlier run that crashed or was killed. They are CANCELED, not adopted: the engine cannot
 * take over another run's ladder (its parent, step and timers are gone), and an orphan child left
 * working could fill against this run's parents and break the position limits. Orders without the
 * prefix belong to someone else and are never touched.
 *
 * The cancels are sent, then each order is read back until it is no longer open (or `waitMs` of
 * wall time has passed); what each ended as goes into run.json.
 */
import type { TradingRest, VenueOrder } from './alpaca-api.ts';
import { venueStatus } from './trade-updates.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

export interface ReconciledOrder {
  clientOrderId: string;
  orderId: string;
  symbol: string;
  side: string;
  qty: number;
  filledQty: number;
  /** The status the order ended with (or still had when we stopped waiting). */
  status: string;
}

export interface ReconcileOptions {
  prefix: string;
  retry: RetryPolicy;
  /** Wall ms to wait for the cancels to land. */
  waitMs: number;
  /** Wall-time pause between read-backs (injectable for tests). */
  pause?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

const defaultPause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function reconcileOpenOrders(rest: TradingRest, options: ReconcileOptions): Promise<ReconciledOrder[]> {
  const retry = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, options.retry);
  const open = (await retry('list open orders', () => rest.listOpen())).filter((o) => o.clientOrderId.startsWith(options.prefix));
  if (open.length === 0) return [];
  options.log?.(`live: ${open.length} open order(s) with prefix ${options.prefix} left by an earlier run — canceling them`);
  for (const o of open) {
    try {
      await retry(`cancel ${o.clientOrderId}`, () => rest.cancel(o.id));
    } catch (err) {
      // 404/422: it closed on its own meanwhile; the read-back below says how.
      options.log?.(`live: cancel of ${o.clientOrderId}: ${(err as Error).message}`);
    }
  }
  const pause = options.pause ?? defaultPause;
  const final = new Map<string, VenueOrder>(open.map((o) => [o.id, o]));
  const deadline = Date.now() + options.waitMs;
  let pending = [...open];
  for (let round = 0; pending.length > 0; round++) {
    const still: VenueOrder[] = [];
    for (const o of pending) {
      const now = await retry(`read ${o.clientOrderId}`, () => rest.getById(o.id)).catch(() => null);
      if (now) final.set(o.id, now);
      const status = venueStatus((now ?? o).status);
      if (now && (status === 'new' || status === 'partially_filled' || status === 'pending_new')) still.push(now);
    }
    pending = still;
    if (pending.length === 0 || Date.now() >= deadline) break;
    await pause(Math.min(200 * 2 ** round, 2000));
  }
  return open.map((o) => {
    const f = final.get(o.id)!;
    return { clientOrderId: o.clientOrderId, orderId: o.id, symbol: f.symbol, side: f.side, qty: f.qty, filledQty: f.filledQty, status: f.status };
  });
}
