/**
 * The event loop and the venue's sessions: two symbols whose tape events share a timestamp and a
 * class both progress (the active list breaks the tie); sessions for a parent at any time of day.
 */
import { describe, expect, it } from 'vitest';
import { nyLocalToUtcUs } from '../../src/core/calendar.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimMarket } from '../../src/sim/market.ts';
import { buy, DAY, makeMarket, SEC, sell, simConfig, T0, tape } from './sim-fixtures.ts';

describe('tape events of two symbols at the same (time, class)', () => {
  it('both books are walked, both children fill at the same instant (buy XYZ, sell ABC)', () => {
    const xyz = tape([[T0, 10.0, 10.05, 300, 400], [T0 + 2 * SEC, 9.95, 10.0, 300, 400]], [[T0 + 3 * SEC, 9.99, 50, 'N']], 'XYZ');
    const abc = tape([[T0, 20.0, 20.05, 300, 400], [T0 + 2 * SEC, 20.05, 20.1, 300, 400]], [[T0 + 3 * SEC, 20.06, 70, 'N']], 'ABC');
    const { market, at, fills } = makeMarket([xyz, abc], { fill_model: 'through' });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0, 'XYZ'));
    market.submit(sell('s1', 100, 20.05, 'ABC'));
    market.run(T0 + 10 * SEC);
    // 2 s: both quotes cross the limits at the same µs: XYZ ask 10.00 ≤ 10.00, ABC bid 20.05 ≥ 20.05.
    expect(fills('b1')).toEqual([{ tsUs: T0 + 2 * SEC, price: 10.0, qty: 100, cumQty: 100 }]);
    expect(fills('s1')).toEqual([{ tsUs: T0 + 2 * SEC, price: 20.05, qty: 100, cumQty: 100 }]);
  });

  it('prints at the same µs on two symbols fill both, and the loop ends', () => {
    const xyz = tape([[T0, 10.0, 10.05, 300, 400]], [[T0 + 3 * SEC, 9.99, 50, 'N'], [T0 + 4 * SEC, 9.99, 50, 'N']], 'XYZ');
    const abc = tape([[T0, 20.0, 20.05, 300, 400]], [[T0 + 3 * SEC, 20.06, 70, 'N'], [T0 + 4 * SEC, 20.06, 30, 'N']], 'ABC');
    const { market, at, fills } = makeMarket([xyz, abc], { fill_model: 'through' });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0, 'XYZ'));
    market.submit(sell('s1', 100, 20.05, 'ABC'));
    market.run(T0 + 10 * SEC);
    expect(fills('b1').map((f) => [f.tsUs - T0, f.qty])).toEqual([[3 * SEC, 50], [4 * SEC, 50]]);
    expect(fills('s1').map((f) => [f.tsUs - T0, f.qty])).toEqual([[3 * SEC, 70], [4 * SEC, 30]]);
  });
});

describe('session(): the regular session of the instant, else the next one', () => {
  const open5 = nyLocalToUtcUs(DAY, 9.5 * 3_600_000);
  const close5 = nyLocalToUtcUs(DAY, 16 * 3_600_000);

  it('inside, before the open and after the close of a data day', () => {
    const days = [DAY, '2024-03-07'];
    const market = new SimMarket({ clock: new VirtualClock(T0), sim: simConfig().sim, seed: 1, days });
    expect(market.session(T0)).toEqual({ isOpen: true, openUs: open5, closeUs: close5 });
    expect(market.session(open5 - SEC)).toEqual({ isOpen: false, openUs: open5, closeUs: close5 });
    // After the close: the next day IN THE DATA (03-06 is not in it).
    expect(market.session(close5)).toEqual({ isOpen: false, openUs: nyLocalToUtcUs('2024-03-07', 9.5 * 3_600_000), closeUs: nyLocalToUtcUs('2024-03-07', 16 * 3_600_000) });
    expect(market.session(nyLocalToUtcUs('2024-03-07', 17 * 3_600_000))).toEqual({ isOpen: false, openUs: null, closeUs: null });
  });

  it('no day list: the next weekday (Friday after the close → Monday)', () => {
    const market = new SimMarket({ clock: new VirtualClock(T0), sim: simConfig().sim, seed: 1 });
    const fridayLate = nyLocalToUtcUs('2024-03-08', 17 * 3_600_000);
    expect(market.session(fridayLate)).toEqual({ isOpen: false, openUs: nyLocalToUtcUs('2024-03-11', 9.5 * 3_600_000), closeUs: nyLocalToUtcUs('2024-03-11', 16 * 3_600_000) });
  });
});
