/**
 * Fault switches: failures `serve` produces on demand so a client's recovery paths can be
 * rehearsed (config `serve.faults`, or POST /admin/faults while running). Counted faults are
 * consumed one use at a time; what each one does:
 *
 *   data_stream_stall        market-data sockets stay open but receive no data
 *   (admin drop_data_stream) every market-data socket is cut at once (the client reconnects)
 *   submit_errors            the next N POST /v2/orders are answered submit_error_status (429 or
 *                            500); with submit_error_accept the order is placed first, so the
 *                            answer is lost but the order exists (GET by client order id finds it)
 *   cancel_ack_delay_ms      each `canceled` trade update is held this many virtual ms; REST
 *                            already shows the order canceled
 *   fill_after_cancel        the next N cancel requests are overtaken by a fill at the order's
 *                            limit (fill_after_cancel_qty shares, null = all that remain)
 *   duplicate_trade_updates  the next N trade updates are sent twice (same execution id)
 *   reorder_trade_updates    the next N pairs of trade updates are sent in swapped order
 *   market_closed_until      the clock says closed and new orders are held until then
 */
import { z } from 'zod';
import { nyLocalToUtcUs } from '../core/calendar.ts';
import { serveFaultsSchema, type ServeFaults } from './config.ts';
import { invalid } from './errors.ts';
import { parseRequestTime } from './wire.ts';

const HHMM_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `market_closed_until` → epoch µs: RFC 3339, or HH:MM[:SS] New York on `day`. NaN when neither. */
export function closedUntilUs(text: string, day: string): number {
  const m = HHMM_RE.exec(text);
  if (m) {
    const localMs = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? '0')) * 1000;
    return nyLocalToUtcUs(day, localMs);
  }
  return parseRequestTime(text);
}

export class Faults {
  private settings: ServeFaults;
  constructor(
    initial: ServeFaults,
    private readonly day: string,
  ) {
    this.settings = { ...initial };
    this.checkClosedUntil(this.settings.market_closed_until);
  }

  get current(): Readonly<ServeFaults> {
    return this.settings;
  }

  /** Merge a partial update (admin endpoint body); unknown keys and bad values are 422s. */
  update(body: unknown): Readonly<ServeFaults> {
    const partial = serveFaultsSchema.partial().strict().safeParse(body ?? {});
    if (!partial.success) throw invalid(`faults: ${z.prettifyError(partial.error).replace(/\n/g, '; ')}`);
    const next = { ...this.settings, ...stripUndefined(partial.data) };
    this.checkClosedUntil(next.market_closed_until);
    this.settings = next;
    return this.settings;
  }

  reset(): Readonly<ServeFaults> {
    this.settings = serveFaultsSchema.parse({});
    return this.settings;
  }

  /** The market is closed by the fault at `nowUs`; returns the reopening time or null. */
  closedUntil(nowUs: number): number | null {
    const text = this.settings.market_closed_until;
    if (text === null) return null;
    const until = closedUntilUs(text, this.day);
    return nowUs < until ? until : null;
  }

  /** Consume one submit error: the status to answer with and whether to place the order first, or null. */
  takeSubmitError(): { status: 429 | 500; accept: boolean } | null {
    if (this.settings.submit_errors <= 0) return null;
    this.settings.submit_errors--;
    return { status: this.settings.submit_error_status, accept: this.settings.submit_error_accept };
  }

  /** Consume one fill-after-cancel: the shares to fill (null = all remaining), or undefined when off. */
  takeFillAfterCancel(): number | null | undefined {
    if (this.settings.fill_after_cancel <= 0) return undefined;
    this.settings.fill_after_cancel--;
    return this.settings.fill_after_cancel_qty;
  }

  takeDuplicate(): boolean {
    if (this.settings.duplicate_trade_updates <= 0) return false;
    this.settings.duplicate_trade_updates--;
    return true;
  }

  takeReorder(): boolean {
    if (this.settings.reorder_trade_updates <= 0) return false;
    this.settings.reorder_trade_updates--;
    return true;
  }

  get cancelAckDelayUs(): number {
    return Math.round(this.settings.cancel_ack_delay_ms * 1000);
  }

  get dataStreamStalled(): boolean {
    return this.settings.data_stream_stall;
  }

  private checkClosedUntil(text: string | null): void {
    if (text !== null && Number.isNaN(closedUntilUs(text, this.day))) {
      throw invalid(`faults: market_closed_until ${JSON.stringify(text)}: expected RFC 3339 or HH:MM[:SS] New York time`);
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
