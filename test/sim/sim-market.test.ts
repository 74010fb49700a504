/**
 * SimMarket's venue rules through the engine's Market port, `through` fill model, zero latency:
 * exact fill times, prices and sizes on small hand-built tapes, buy and sell.
 */
import { describe, expect, it } from 'vitest';
import { buy, makeMarket, MS, SEC, sell, T0, tape } from './sim-fixtures.ts';

// These tests pin the venue's displayed-size rules; levels behind the touch: sim-beyond-touch.test.ts.
const through = { fill_model: 'through', beyond_touch: { model: 'collar' } };

describe('through: a resting order fills when the market trades or quotes through its limit', () => {
  it('buy: ask comes down to L (fills at L, capped by ask size), then a print below L, never an ineligible print', () => {
    const { market, at, fills, types } = makeMarket(
      [
        tape(
          [
            [T0, 10.0, 10.05, 300, 400],
            [T0 + 2 * SEC, 9.99, 10.0, 500, 200], // ask = L: 200 of 500
            [T0 + 5 * SEC, 9.99, 10.01, 500, 200],
          ],
          [
            [T0 + 3 * SEC, 9.98, 1000, 'D'], // off-exchange: ignored
            [T0 + 4 * SEC, 9.99, 120, 'N'], // through L: 120
            [T0 + 6 * SEC, 10.0, 500, 'N'], // at L: never fills with `through`
            [T0 + 7 * SEC, 9.97, 500, 'P'], // through: the last 180
          ],
        ),
      ],
      through,
    );
    at(T0 + SEC);
    market.submit(buy('b1', 500, 10.0));
    market.run();
    expect(types('b1')).toEqual(['accepted', 'fill', 'fill', 'fill']);
    expect(fills('b1')).toEqual([
      { tsUs: T0 + 2 * SEC, price: 10.0, qty: 200, cumQty: 200 },
      { tsUs: T0 + 4 * SEC, price: 10.0, qty: 120, cumQty: 320 },
      { tsUs: T0 + 7 * SEC, price: 10.0, qty: 180, cumQty: 500 },
    ]);
  });

  it('sell: bid comes up to L, then a print above L; prints at L and ineligible prints ignored', () => {
    const { market, at, fills } = makeMarket(
      [
        tape(
          [
            [T0, 10.0, 10.05, 300, 400],
            [T0 + 2 * SEC, 10.05, 10.06, 150, 300], // bid = L: 150
          ],
          [
            [T0 + 3 * SEC, 10.05, 900, 'N'], // at L: no
            [T0 + 4 * SEC, 10.1, 900, 'D'], // off-exchange: no
            [T0 + 5 * SEC, 10.07, 80, 'Z'], // through: 80
          ],
        ),
      ],
      through,
    );
    at(T0 + SEC);
    market.submit(sell('s1', 500, 10.05));
    market.run();
    expect(fills('s1')).toEqual([
      { tsUs: T0 + 2 * SEC, price: 10.05, qty: 150, cumQty: 150 },
      { tsUs: T0 + 5 * SEC, price: 10.05, qty: 80, cumQty: 230 },
    ]);
  });

  it('include_ineligible lets off-exchange prints fill', () => {
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400]], [[T0 + 3 * SEC, 9.98, 1000, 'D']])],
      { ...through, include_ineligible: true },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 500, 10.0));
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + 3 * SEC, price: 10.0, qty: 500, cumQty: 500 }]);
  });

  it('never fills against a locked or crossed quote', () => {
    const { market, at, fills } = makeMarket(
      [
        tape([
          [T0, 10.0, 10.05],
          [T0 + 2 * SEC, 10.02, 10.02, 500, 500], // locked at 10.02
          [T0 + 3 * SEC, 10.04, 9.99, 500, 500], // crossed
          [T0 + 4 * SEC, 10.0, 10.01, 500, 60], // uncrossed, ask ≤ L: fills 60
        ]),
      ],
      through,
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.02));
    market.submit(sell('s1', 100, 10.02));
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.02, qty: 60, cumQty: 60 }]);
    expect(fills('s1')).toEqual([]);
  });
});

describe('a child marketable on arrival takes the displayed far touch as a taker', () => {
  it('buy at the collar: fills the displayed ask size at the ask, the rest rests at L', () => {
    const { market, at, fills, types } = makeMarket(
      [
        tape([
          [T0, 10.0, 10.05, 300, 200],
          [T0 + 2 * SEC, 10.0, 10.08, 300, 500], // above the collar: nothing
          [T0 + 3 * SEC, 10.01, 10.06, 300, 120], // ask ≤ L again: resting rest fills at L
        ]),
      ],
      through,
    );
    at(T0 + SEC);
    market.submit(buy('m1', 500, 10.07));
    market.run();
    expect(types('m1')).toEqual(['accepted', 'fill', 'fill']);
    expect(fills('m1')).toEqual([
      { tsUs: T0 + SEC, price: 10.05, qty: 200, cumQty: 200 },
      { tsUs: T0 + 3 * SEC, price: 10.07, qty: 120, cumQty: 320 },
    ]);
  });

  it('sell at the collar: fills the displayed bid size at the bid', () => {
    const { market, at, fills } = makeMarket([tape([[T0, 10.0, 10.05, 300, 200]])], through);
    at(T0 + SEC);
    market.submit(sell('m1', 500, 9.95));
    market.run();
    expect(fills('m1')).toEqual([{ tsUs: T0 + SEC, price: 10.0, qty: 300, cumQty: 300 }]);
  });

  it('two children cannot take the same displayed shares within one quote', () => {
    const { market, at, fills } = makeMarket(
      [
        tape([
          [T0, 10.0, 10.05, 300, 200],
          [T0 + 2 * SEC, 10.0, 10.05, 300, 200], // a new quote: fresh displayed size
        ]),
      ],
      through,
    );
    at(T0 + SEC);
    market.submit(buy('a', 150, 10.05));
    market.submit(buy('b', 150, 10.05));
    market.run();
    expect(fills('a')).toEqual([{ tsUs: T0 + SEC, price: 10.05, qty: 150, cumQty: 150 }]);
    expect(fills('b')).toEqual([
      { tsUs: T0 + SEC, price: 10.05, qty: 50, cumQty: 50 },
      { tsUs: T0 + 2 * SEC, price: 10.05, qty: 100, cumQty: 150 },
    ]);
  });

  it('ioc: the part not taken at once is canceled', () => {
    const { market, at, fills, events } = makeMarket([tape([[T0, 10.0, 10.05, 300, 200]])], through);
    at(T0 + SEC);
    market.submit({ ...buy('i1', 500, 10.06), timeInForce: 'ioc' });
    market.run();
    expect(fills('i1')).toEqual([{ tsUs: T0 + SEC, price: 10.05, qty: 200, cumQty: 200 }]);
    expect(events.at(-1)!.event).toEqual({ type: 'canceled', clientOrderId: 'i1', tsUs: T0 + SEC, cumQty: 200 });
  });

  it('a locked quote is not taken: the child rests', () => {
    const { market, at, fills } = makeMarket([tape([[T0, 10.05, 10.05, 300, 200]])], through);
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.1));
    market.run();
    expect(fills('b1')).toEqual([]);
    expect(market.restingCount()).toBe(1);
  });
});

describe('cancels', () => {
  it('a cancel in flight loses the race to a fill: cancel_rejected, the fill stands', () => {
    const { market, at, fills, events } = makeMarket(
      [tape([[T0, 10.0, 10.05], [T0 + SEC + 3 * MS, 9.99, 10.0, 100, 500]])],
      { ...through, latency: { cancel: { ms: 5 } } },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    at(T0 + SEC + MS);
    market.cancel('b1'); // reaches the venue at +6 ms; the quote at +3 ms fills first
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + SEC + 3 * MS, price: 10.0, qty: 100, cumQty: 100 }]);
    expect(events.at(-1)).toEqual({
      atUs: T0 + SEC + 6 * MS,
      event: { type: 'cancel_rejected', clientOrderId: 'b1', tsUs: T0 + SEC + 6 * MS, reason: 'already_filled' },
    });
  });

  it('a partial fill before the cancel arrives: canceled with the cumulative qty', () => {
    const { market, at, events } = makeMarket(
      [tape([[T0, 10.0, 10.05], [T0 + SEC + 3 * MS, 10.05, 10.06, 40, 500]])],
      { ...through, latency: { cancel: { ms: 5 } } },
    );
    at(T0 + SEC);
    market.submit(sell('s1', 100, 10.05));
    at(T0 + SEC + MS);
    market.cancel('s1');
    market.run();
    expect(events.map((e) => e.event.type)).toEqual(['accepted', 'fill', 'canceled']);
    expect(events.at(-1)!.event).toEqual({ type: 'canceled', clientOrderId: 's1', tsUs: T0 + SEC + 6 * MS, cumQty: 40 });
  });

  it('queryOrder answers the venue state; unknown ids are unknown', () => {
    const { market, at, events } = makeMarket([tape([[T0, 10.0, 10.05]])], through);
    at(T0 + SEC);
    market.submit(buy('b1', 100, 9.9));
    market.queryOrder('b1');
    market.queryOrder('nope');
    market.cancel('nope');
    market.run();
    expect(events.map((e) => e.event)).toEqual([
      { type: 'accepted', clientOrderId: 'b1', tsUs: T0 + SEC },
      { type: 'status', clientOrderId: 'b1', tsUs: T0 + SEC, status: 'new', cumQty: 0 },
      { type: 'status', clientOrderId: 'nope', tsUs: T0 + SEC, status: 'unknown', cumQty: 0 },
      { type: 'cancel_rejected', clientOrderId: 'nope', tsUs: T0 + SEC, reason: 'unknown_order' },
    ]);
  });

  it('rejects bad orders, duplicates and unknown symbols', () => {
    const { market, at, events } = makeMarket([tape([[T0, 10.0, 10.05]])], through);
    at(T0 + SEC);
    market.submit(buy('b1', 100, 9.9));
    market.submit(buy('b1', 100, 9.9));
    market.submit(buy('b2', 0, 9.9));
    market.submit(buy('b3', 100, -1));
    market.submit(buy('b4', 100, 9.9, 'NOPE'));
    market.run();
    expect(events.filter((e) => e.event.type === 'rejected').map((e) => [e.event.clientOrderId, (e.event as { reason: string }).reason])).toEqual([
      ['b1', 'duplicate_client_order_id'],
      ['b2', 'invalid_qty'],
      ['b3', 'invalid_price'],
      ['b4', 'unknown_symbol'],
    ]);
  });
});

describe('skipping ahead', () => {
  it('walks only the quotes while a child rests, not the day', () => {
    const n = 200_000;
    const rows: [number, number, number, number, number][] = [];
    for (let i = 0; i < n; i++) rows.push([T0 + i * 100 * MS, 10.0, 10.05, 100, 100]);
    const { market, at } = makeMarket([tape(rows)], through);
    at(T0 + 10_000 * SEC); // quote index 100 000
    market.submit(buy('b1', 100, 9.0));
    at(T0 + 10_001 * SEC);
    market.cancel('b1');
    market.run();
    // the quotes in (arrival, cancel]: 10 per second for one second — out of 200 000
    expect(market.stats.quoteEvents).toBe(10);
  });
});
