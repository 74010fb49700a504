/**
 * Latency channels and the event order at equal timestamps (DESIGN §3), through the Market port.
 */
import { describe, expect, it } from 'vitest';
import { EventClass, VirtualClock } from '../../src/sim/clock.ts';
import { LatencyChannel } from '../../src/sim/latency.ts';
import { makeRng } from '../../src/core/rng.ts';
import { buy, makeMarket, MS, SEC, sell, T0, tape } from './sim-fixtures.ts';

const quotes: [number, number, number, number, number][] = [[T0, 10.0, 10.05, 300, 400]];

describe('each latency shifts its events', () => {
  it('entry: the order reaches the venue later, so a print before that cannot fill it', () => {
    const { market, at, fills, events } = makeMarket(
      [tape(quotes, [[T0 + SEC + 2 * MS, 9.99, 100, 'N'], [T0 + SEC + 4 * MS, 9.98, 100, 'N']])],
      { fill_model: 'through', latency: { entry: { ms: 3 } } },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.run();
    expect(events[0]).toEqual({ atUs: T0 + SEC + 3 * MS, event: { type: 'accepted', clientOrderId: 'b1', tsUs: T0 + SEC + 3 * MS } });
    expect(fills('b1')).toEqual([{ tsUs: T0 + SEC + 4 * MS, price: 10.0, qty: 100, cumQty: 100 }]);
  });

  it('response: acks and fills reach the engine later, stamped with the venue time', () => {
    const { market, at, events } = makeMarket([tape(quotes, [[T0 + 2 * SEC, 10.07, 100, 'N']])], {
      fill_model: 'through',
      latency: { response: { ms: 2 } },
    });
    at(T0 + SEC);
    market.submit(sell('s1', 100, 10.05));
    market.run();
    expect(events.map((e) => [e.event.type, e.event.tsUs - T0, e.atUs - T0])).toEqual([
      ['accepted', SEC, SEC + 2 * MS],
      ['fill', 2 * SEC, 2 * SEC + 2 * MS],
    ]);
  });

  it('cancel: the cancel reaches the venue later; a print in between fills', () => {
    const { market, at, fills, events } = makeMarket([tape(quotes, [[T0 + SEC + 4 * MS, 9.99, 30, 'N']])], {
      fill_model: 'through',
      latency: { cancel: { ms: 5 } },
    });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.cancel('b1');
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + SEC + 4 * MS, price: 10.0, qty: 30, cumQty: 30 }]);
    expect(events.at(-1)!.event).toEqual({ type: 'canceled', clientOrderId: 'b1', tsUs: T0 + SEC + 5 * MS, cumQty: 30 });
  });

  it('cancel never overtakes the order it cancels', () => {
    const { market, at, events } = makeMarket([tape(quotes)], { latency: { entry: { ms: 10 }, cancel: { ms: 1 } } });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    at(T0 + SEC + MS);
    market.cancel('b1');
    market.run();
    expect(events.map((e) => [e.event.type, e.atUs - T0])).toEqual([
      ['accepted', SEC + 10 * MS],
      ['canceled', SEC + 10 * MS],
    ]);
  });

  it('feed: the engine sees the quote as of now − feed latency', () => {
    const { market, at } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [T0 + SEC, 10.01, 10.06, 200, 100], [T0 + SEC + 10 * MS, 10.02, 10.07, 100, 100]])],
      { latency: { feed: { ms: 10 } } },
    );
    at(T0 + SEC + 5 * MS);
    expect({ ...market.latestQuote('XYZ')! }).toEqual({ tsUs: T0 + SEC - 5 * MS, bid: 10.0, ask: 10.05, bidSize: 300, askSize: 400 });
    at(T0 + SEC + 10 * MS);
    expect({ ...market.latestQuote('XYZ')! }).toEqual({ tsUs: T0 + SEC, bid: 10.01, ask: 10.06, bidSize: 200, askSize: 100 });
  });

  it('feed: a subscriber hears each quote feed-latency after its stamp, and nothing once unsubscribed', () => {
    const { clock, market, at } = makeMarket(
      [tape([[T0, 10.0, 10.05], [T0 + SEC, 10.01, 10.06], [T0 + 2 * SEC, 10.02, 10.07], [T0 + 3 * SEC, 10.03, 10.08]])],
      { latency: { feed: { ms: 10 } } },
    );
    at(T0 + SEC / 2);
    const heard: [number, number][] = [];
    let stop = () => {};
    stop = market.subscribeQuotes('XYZ', () => {
      heard.push([clock.nowUs() - T0, market.latestQuote('XYZ')!.bid]);
      if (heard.length === 2) stop();
    });
    market.run();
    expect(heard).toEqual([
      [SEC + 10 * MS, 10.01],
      [2 * SEC + 10 * MS, 10.02],
    ]);
  });

  it('feed: deliveries that only read go on in the same walk; one that sends or unsubscribes is honoured at once (buy and sell)', () => {
    // A sell rests far away all day (the book is walked); the subscriber sends a child on its 2nd
    // delivery and unsubscribes on its 3rd: the child fills on the next quote that reaches it.
    for (const side of ['buy', 'sell'] as const) {
      const q: [number, number, number, number, number][] = [
        [T0, 10.0, 10.05, 300, 400],
        [T0 + SEC, 10.01, 10.06, 300, 400],
        [T0 + 2 * SEC, 10.02, 10.07, 300, 400],
        [T0 + 3 * SEC, side === 'buy' ? 10.0 : 10.07, side === 'buy' ? 10.02 : 10.09, 300, 400], // reaches the child's limit
        [T0 + 4 * SEC, 10.04, 10.09, 300, 400],
      ];
      const { clock, market, at, fills } = makeMarket([tape(q)], { fill_model: 'through', latency: { feed: { ms: 10 }, entry: { ms: 1 } } });
      at(T0 + SEC / 2);
      market.submit(side === 'buy' ? sell('far', 100, 20.0) : buy('far', 100, 1.0));
      const heard: [number, number][] = [];
      const stop = market.subscribeQuotes('XYZ', () => {
        heard.push([clock.nowUs() - T0, market.latestQuote('XYZ')!.bid]);
        if (heard.length === 2) market.submit(side === 'buy' ? buy('c', 100, 10.02) : sell('c', 100, 10.07));
        if (heard.length === 3) stop();
      });
      market.run();
      expect(heard).toEqual([
        [SEC + 10 * MS, 10.01],
        [2 * SEC + 10 * MS, 10.02],
        [3 * SEC + 10 * MS, side === 'buy' ? 10.0 : 10.07],
      ]);
      expect(fills('c')).toEqual([{ tsUs: T0 + 3 * SEC, price: side === 'buy' ? 10.02 : 10.07, qty: 100, cumQty: 100 }]);
      expect(fills('far')).toEqual([]);
    }
  });

  it('sampled latency keeps each channel in order, and the seed decides the samples', () => {
    const arrivals = (seed: number) => {
      const { market, at, events } = makeMarket([tape(quotes)], { latency: { entry: { ms: 5, jitter: 'lognormal', sigma: 1.5 } } }, seed);
      for (let i = 0; i < 50; i++) {
        at(T0 + SEC + i * 100);
        market.submit(buy(`b${i}`, 100, 9.0));
      }
      market.run();
      return events.map((e) => e.atUs);
    };
    const a = arrivals(1);
    expect(a).toHaveLength(50);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[i - 1]);
    expect(arrivals(1)).toEqual(a);
    expect(arrivals(2)).not.toEqual(a);
  });

  it('LatencyChannel: delivery = max(previous delivery, sent + sample); lognormal median ≈ ms', () => {
    const fixed = new LatencyChannel({ ms: 2.5, jitter: 'none', sigma: 0.5 }, makeRng(1, 'x'));
    expect([fixed.deliver(1000), fixed.deliver(1000), fixed.deliver(5000)]).toEqual([3500, 3500, 7500]);
    const jitter = new LatencyChannel({ ms: 4, jitter: 'lognormal', sigma: 0.5 }, makeRng(1, 'y'));
    const samples = Array.from({ length: 2001 }, () => jitter.sampleUs()).sort((x, y) => x - y);
    expect(samples[1000]).toBeGreaterThan(3600);
    expect(samples[1000]).toBeLessThan(4400);
    expect(samples.every((s) => Number.isInteger(s) && s > 0)).toBe(true);
  });
});

describe('event order at equal timestamps', () => {
  it('an order arriving at t sees the quote stamped t but cannot fill on the print stamped t', () => {
    const t1 = T0 + SEC;
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [t1, 10.0, 10.03, 300, 50]], [[t1, 9.9, 1000, 'N'], [t1 + MS, 10.02, 20, 'N']])],
      { fill_model: 'through' },
    );
    at(t1);
    market.submit(buy('b1', 100, 10.03));
    market.run();
    expect(fills('b1')).toEqual([
      { tsUs: t1, price: 10.03, qty: 50, cumQty: 50 }, // taker on the quote stamped t1
      { tsUs: t1 + MS, price: 10.03, qty: 20, cumQty: 70 }, // the next print, not the one at t1
    ]);
  });

  it('at one timestamp the print comes before the quote', () => {
    // resting buy 100 at 10.00; at t a print at 9.99 (50) and a quote with ask 10.00 × 100:
    // print first → 50 from the print, then 50 from the quote (quote first would take all 100).
    const t = T0 + 2 * SEC;
    const { market, at, fills } = makeMarket([tape([[T0, 10.0, 10.05, 300, 400], [t, 9.99, 10.0, 300, 100]], [[t, 9.99, 50, 'N']])], { fill_model: 'through' });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.run();
    expect(fills('b1')).toEqual([
      { tsUs: t, price: 10.0, qty: 50, cumQty: 50 },
      { tsUs: t, price: 10.0, qty: 50, cumQty: 100 },
    ]);
  });

  it('trades, quotes, feed, venue arrivals, engine arrivals, timers, then insertion order', () => {
    const t1 = T0 + SEC;
    const { clock, market, at, events } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [t1, 10.0, 10.04, 300, 400]], [[t1, 10.04, 100, 'N']])],
      { fill_model: 'through', latency: { entry: { ms: 1 } } },
    );
    at(t1 - MS);
    const log: string[] = [];
    clock.setTimer(t1, () => log.push('timer A'));
    market.subscribeQuotes('XYZ', () => log.push(`feed ${market.latestQuote('XYZ')!.ask}`));
    market.submit(sell('s1', 400, 10.0)); // arrives at t1: takes the bid of the quote at t1; the print at t1 (10.04 > L) must not fill the rest
    clock.setTimer(t1, () => log.push('timer B'));
    market.setOrderListener((e) => {
      events.push({ atUs: clock.nowUs(), event: e });
      log.push(`engine ${e.type}`);
    });
    market.run();
    expect(log).toEqual(['feed 10.04', 'engine accepted', 'engine fill', 'timer A', 'timer B']);
    // the fill is the taker fill at the bid of the quote stamped t1, not the print at t1
    expect(events.map((e) => e.event)).toEqual([
      { type: 'accepted', clientOrderId: 's1', tsUs: t1 },
      { type: 'fill', clientOrderId: 's1', tsUs: t1, execId: 's1-x1', qty: 300, price: 10.0, cumQty: 300 },
    ]);
  });
});

describe('VirtualClock', () => {
  it('runs timers in (time, class, insertion) order; canceled ones never; past times at now', () => {
    const clock = new VirtualClock(1000);
    const log: string[] = [];
    clock.setTimer(3000, () => log.push('t3000 first'));
    clock.schedule(3000, EventClass.engine, () => log.push('engine 3000'));
    const dropped = clock.setTimer(2000, () => log.push('never'));
    clock.setTimer(3000, () => log.push('t3000 second'));
    clock.setTimer(2500, () => {
      log.push(`t2500 at ${clock.nowUs()}`);
      clock.setTimer(100, () => log.push(`past → ${clock.nowUs()}`));
    });
    clock.cancelTimer(dropped);
    clock.runUntil(10_000);
    expect(log).toEqual(['t2500 at 2500', 'past → 2500', 'engine 3000', 't3000 first', 't3000 second']);
    expect(clock.nowUs()).toBe(10_000);
    expect(() => clock.advanceTo(9_999)).toThrow(/backwards/);
  });
});
