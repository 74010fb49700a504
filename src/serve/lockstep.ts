/**
 * The lockstep rehearsal protocol, `serve`'s side (`--speed lockstep`; the client is
 * src/live/lockstep-clock.ts). Virtual time advances only when the client has consumed every
 * event due, so a rehearsal gives the same result at any machine load:
 *
 *   POST /admin/lockstep {"until_us": U, "received": {"trade_updates": n, "market_data": m}}
 *     received ≠ sent  → nothing moves: the client has messages still on the way
 *     received = sent  → time moves to min(U, the next tape row or venue event after now)
 *   → 200 {"now_us", "advanced", "sent": {"trade_updates", "market_data"}}
 *
 * `sent` counts trade_updates messages and market-data rows (quotes and trades) sent on the
 * connections open now; the client counts what it received since each of its streams last
 * (re)connected, so a dropped connection drops out of both counts. After an answer the client
 * waits until it has received `sent`, handles everything (its REST calls answered), fires its
 * timers due at `now_us`, and asks again with its next timer as U.
 *
 * A hold (POST /admin/lockstep/hold {"at_us": H}; DELETE releases) caps every step at H, and
 * GET /admin/lockstep/hold says `reached` once a client asked at H with every message received —
 * it has then handled everything due up to H, so a test can kill it at exactly that virtual time
 * on any machine.
 */
import { invalid } from './errors.ts';
import type { Venue } from './venue.ts';

export interface StreamCounts {
  trade_updates: number;
  market_data: number;
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(`lockstep: received.${name} must be a whole number ≥ 0`);
  return value;
}

/** Where virtual time stops until released, and whether a caught-up client has asked there. */
export class LockstepHold {
  atUs = Infinity;
  reached = false;

  set(body: unknown): Record<string, unknown> {
    const atUs = typeof body === 'object' && body !== null ? Number((body as Record<string, unknown>).at_us) : Number.NaN;
    if (!Number.isFinite(atUs)) throw invalid('lockstep hold: body {"at_us": epoch microseconds}');
    this.atUs = atUs;
    this.reached = false;
    return this.json();
  }

  release(): Record<string, unknown> {
    this.atUs = Infinity;
    this.reached = false;
    return this.json();
  }

  json(): Record<string, unknown> {
    return { at_us: Number.isFinite(this.atUs) ? this.atUs : null, reached: this.reached };
  }
}

export function lockstepStep(venue: Venue, sentCounts: () => StreamCounts, body: unknown, hold?: LockstepHold): Record<string, unknown> {
  if (!venue.lockstep) throw invalid('lockstep: the server is not running at --speed lockstep');
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const untilUs = b.until_us === undefined || b.until_us === null ? Infinity : Number(b.until_us);
  if (Number.isNaN(untilUs)) throw invalid('lockstep: until_us must be epoch microseconds');
  const received = (typeof b.received === 'object' && b.received !== null ? b.received : {}) as Record<string, unknown>;
  const got = { trade_updates: count(received.trade_updates ?? 0, 'trade_updates'), market_data: count(received.market_data ?? 0, 'market_data') };
  venue.settle();
  const before = venue.nowUs();
  const sent = sentCounts();
  if (got.trade_updates !== sent.trade_updates || got.market_data !== sent.market_data) {
    return { now_us: before, advanced: false, sent };
  }
  if (hold && before >= hold.atUs) hold.reached = true;
  const now = venue.lockstepTo(hold ? Math.min(untilUs, hold.atUs) : untilUs);
  return { now_us: now, advanced: now > before, sent: sentCounts() };
}
