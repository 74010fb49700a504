/**
 * The simulated venue's trading sessions: the regular session 09:30–16:00 New York (13:00 on an
 * early-close day) of the day of `tsUs` when it is a trading day in the data (NYSE trading days
 * when no day list is known) and `tsUs` is
 * before its close; otherwise the next one. Cached per New York day: one call per parent order
 * and per executor makes no Intl call and scans no day list.
 */
import { nyDay, regularSession } from '../core/calendar.ts';
import { tradingDaysFrom } from '../core/exchange-calendar.ts';
import type { SessionInfo } from '../engine/ports.ts';

export class SessionCalendar {
  private readonly days: string[];
  /** Per New York day: the days whose session may still be ahead (data days ≥ it, or 7 trading days from it). */
  private readonly candidates = new Map<string, readonly string[]>();

  constructor(days: readonly string[]) {
    this.days = [...new Set(days)].sort();
  }

  at(tsUs: number): SessionInfo {
    const list = this.candidatesFrom(nyDay(tsUs));
    for (let k = 0; k < list.length; k++) {
      const { openUs, closeUs } = regularSession(list[k]);
      if (tsUs < closeUs) return { isOpen: tsUs >= openUs, openUs, closeUs };
    }
    return { isOpen: false, openUs: null, closeUs: null };
  }

  private candidatesFrom(day: string): readonly string[] {
    let list = this.candidates.get(day);
    if (list === undefined) {
      list = this.days.length > 0 ? this.days.filter((d) => d >= day) : tradingDaysFrom(day, 7);
      this.candidates.set(day, list);
    }
    return list;
  }
}
