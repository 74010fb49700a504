/**
 * The `touch` and `queue` fill models: prints AT the limit and queue position, on hand-built
 * tapes through the Market port, buy and sell, plus the queue model's hooks directly.
 */
import { describe, expect, it } from 'vitest';
import { LogQueueProb, PowerQueueProb } from '../../src/sim/fill/prob.ts';
import { QueueFillModel } from '../../src/sim/fill/queue.ts';
import { NearTouch } from '../../src/sim/fill/model.ts';

const touch = (price: number, size: number) => Object.assign(new NearTouch(), { price, size });
import { buy, makeMarket, SEC, sell, T0, tape } from './sim-fixtures.ts';

describe('touch: a print AT the limit fills with probability p_touch, capped by the print', () => {
  const quotes: [number, number, number, number, number][] = [[T0, 10.0, 10.05, 300, 400]];
  const buyTape = () => tape(quotes, [[T0 + 2 * SEC, 10.0, 60, 'N'], [T0 + 3 * SEC, 10.0, 500, 'D'], [T0 + 4 * SEC, 10.0, 70, 'N']]);
  const sellTape = () => tape(quotes, [[T0 + 2 * SEC, 10.05, 60, 'N'], [T0 + 3 * SEC, 10.05, 500, 'D'], [T0 + 4 * SEC, 10.05, 70, 'N']]);

  it('p_touch = 1: every eligible print at L fills (buy), the off-exchange one does not', () => {
    const { market, at, fills } = makeMarket([buyTape()], { fill_model: 'touch', p_touch: 1 });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.run();
    expect(fills('b1')).toEqual([
      { tsUs: T0 + 2 * SEC, price: 10.0, qty: 60, cumQty: 60 },
      { tsUs: T0 + 4 * SEC, price: 10.0, qty: 40, cumQty: 100 },
    ]);
  });

  it('p_touch = 1: sell at the ask', () => {
    const { market, at, fills } = makeMarket([sellTape()], { fill_model: 'touch', p_touch: 1 });
    at(T0 + SEC);
    market.submit(sell('s1', 100, 10.05));
    market.run();
    expect(fills('s1')).toEqual([
      { tsUs: T0 + 2 * SEC, price: 10.05, qty: 60, cumQty: 60 },
      { tsUs: T0 + 4 * SEC, price: 10.05, qty: 40, cumQty: 100 },
    ]);
  });

  it('p_touch = 0: never (buy and sell)', () => {
    const a = makeMarket([buyTape()], { fill_model: 'touch', p_touch: 0 });
    a.at(T0 + SEC);
    a.market.submit(buy('b1', 100, 10.0));
    a.market.run();
    const b = makeMarket([sellTape()], { fill_model: 'touch', p_touch: 0 });
    b.at(T0 + SEC);
    b.market.submit(sell('s1', 100, 10.05));
    b.market.run();
    expect([a.fills(), b.fills()]).toEqual([[], []]);
  });

  it('the draws are seeded: the same seed gives the same fills, about p_touch of 400 prints fill', () => {
    const prints: [number, number, number, string][] = [];
    for (let i = 0; i < 400; i++) prints.push([T0 + (2 + i) * SEC, 10.0, 1, 'N']);
    const run = (seed: number) => {
      const m = makeMarket([tape(quotes, prints)], { fill_model: 'touch', p_touch: 0.3 }, seed);
      m.at(T0 + SEC);
      m.market.submit(buy('b1', 1000, 10.0));
      m.market.run();
      return m.fills().map((f) => f.tsUs);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    expect(first.length).toBeGreaterThan(90);
    expect(first.length).toBeLessThan(150);
  });
});

describe('queue: place in the displayed queue', () => {
  it('buy joins behind the displayed bid; prints at L eat the queue, the excess fills (depletion)', () => {
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400]], [[T0 + 2 * SEC, 10.0, 200, 'N'], [T0 + 3 * SEC, 10.0, 150, 'N'], [T0 + 4 * SEC, 10.0, 500, 'N']])],
      { fill_model: 'queue' },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.run();
    // 300 ahead: −200 → 100 ahead; −150 → 50 past us: fills 50; then the next print fills the rest
    expect(fills('b1')).toEqual([
      { tsUs: T0 + 3 * SEC, price: 10.0, qty: 50, cumQty: 50 },
      { tsUs: T0 + 4 * SEC, price: 10.0, qty: 50, cumQty: 100 },
    ]);
  });

  it('sell joins behind the displayed ask; off-exchange prints do not move the queue', () => {
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400]], [[T0 + 2 * SEC, 10.05, 380, 'N'], [T0 + 3 * SEC, 10.05, 1000, 'D'], [T0 + 4 * SEC, 10.05, 30, 'N']])],
      { fill_model: 'queue' },
    );
    at(T0 + SEC);
    market.submit(sell('s1', 100, 10.05));
    market.run();
    expect(fills('s1')).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.05, qty: 10, cumQty: 10 }]);
  });

  /**
   * Join at 300 ahead; the bid grows to 500 (200 join behind), then shrinks to 400 with no print:
   * Δ = 100 cancelled, ahead = 300, behind = 200. share from ahead s = 300ⁿ/(300ⁿ + 200ⁿ):
   *   n = 1: s = 0.6       → ahead 240        → a 250-share print fills 10
   *   n = 3: s = 27/35     → ahead 222.857…   → a 250-share print fills 27 (whole shares)
   */
  for (const [n, expected] of [
    [1, 10],
    [3, 27],
  ] as const) {
    it(`expected-value attribution of cancellations, n = ${n} (buy and sell)`, () => {
      const b = makeMarket(
        [tape([[T0, 10.0, 10.05, 300, 400], [T0 + 2 * SEC, 10.0, 10.05, 500, 400], [T0 + 3 * SEC, 10.0, 10.05, 400, 400]], [[T0 + 4 * SEC, 10.0, 250, 'N']])],
        { fill_model: 'queue', queue_power: n },
      );
      b.at(T0 + SEC);
      b.market.submit(buy('b1', 100, 10.0));
      b.market.run();
      expect(b.fills()).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.0, qty: expected, cumQty: expected }]);

      const s = makeMarket(
        [tape([[T0, 10.0, 10.05, 400, 300], [T0 + 2 * SEC, 10.0, 10.05, 400, 500], [T0 + 3 * SEC, 10.0, 10.05, 400, 400]], [[T0 + 4 * SEC, 10.05, 250, 'N']])],
        { fill_model: 'queue', queue_power: n },
      );
      s.at(T0 + SEC);
      s.market.submit(sell('s1', 100, 10.05));
      s.market.run();
      expect(s.fills()).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.05, qty: expected, cumQty: expected }]);
    });
  }

  /**
   * queue_prob: log on the same tape: s = ln 301 / (ln 301 + ln 201) = 0.518337…, ahead after the
   * 100 cancelled = 300 − 51.83… = 248.17; a 300-share print then fills 51 (whole shares).
   */
  it('queue_prob: log splits cancellations by ln(1 + x) (buy and sell)', () => {
    const b = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [T0 + 2 * SEC, 10.0, 10.05, 500, 400], [T0 + 3 * SEC, 10.0, 10.05, 400, 400]], [[T0 + 4 * SEC, 10.0, 300, 'N']])],
      { fill_model: 'queue', queue_prob: 'log', queue_power: 7 },
    );
    b.at(T0 + SEC);
    b.market.submit(buy('b1', 100, 10.0));
    b.market.run();
    expect(b.fills()).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.0, qty: 51, cumQty: 51 }]);

    const s = makeMarket(
      [tape([[T0, 10.0, 10.05, 400, 300], [T0 + 2 * SEC, 10.0, 10.05, 400, 500], [T0 + 3 * SEC, 10.0, 10.05, 400, 400]], [[T0 + 4 * SEC, 10.05, 300, 'N']])],
      { fill_model: 'queue', queue_prob: 'log' },
    );
    s.at(T0 + SEC);
    s.market.submit(sell('s1', 100, 10.05));
    s.market.run();
    expect(s.fills()).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.05, qty: 51, cumQty: 51 }]);
  });

  it('a size decrease explained by prints is not counted twice', () => {
    // ahead 300; print 100 at L → ahead 200; the quote then shows 200 (the same 100 gone): Δ = 0.
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [T0 + 3 * SEC, 10.0, 10.05, 200, 400]], [[T0 + 2 * SEC, 10.0, 100, 'N'], [T0 + 4 * SEC, 10.0, 230, 'N']])],
      { fill_model: 'queue' },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.0, qty: 30, cumQty: 30 }]);
  });

  it('inside the spread it behaves as touch, in expectation: p_touch · print size, no draw', () => {
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.1, 300, 400]], [[T0 + 2 * SEC, 10.05, 100, 'N'], [T0 + 3 * SEC, 10.05, 5, 'N'], [T0 + 4 * SEC, 10.05, 5, 'N']])],
      { fill_model: 'queue', p_touch: 0.3 },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.05));
    market.run();
    // 30; then 1.5 → 1 (carry 0.5); then 0.5 + 1.5 = 2
    expect(fills('b1')).toEqual([
      { tsUs: T0 + 2 * SEC, price: 10.05, qty: 30, cumQty: 30 },
      { tsUs: T0 + 3 * SEC, price: 10.05, qty: 1, cumQty: 31 },
      { tsUs: T0 + 4 * SEC, price: 10.05, qty: 2, cumQty: 33 },
    ]);
  });

  it('the level emptied by the touch moving away leaves nobody ahead (sell)', () => {
    // sell at 10.05 joins 400 ahead; the ask rises to 10.06: our level emptied → ahead 0, and the
    // child is now inside the spread (touch in expectation); the ask comes back to 10.05 × 300
    // (joined behind us): a 100 print fills 100.
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [T0 + 2 * SEC, 10.0, 10.06, 300, 400], [T0 + 3 * SEC, 10.0, 10.05, 300, 300]], [[T0 + 4 * SEC, 10.05, 100, 'N']])],
      { fill_model: 'queue' },
    );
    at(T0 + SEC);
    market.submit(sell('s1', 100, 10.05));
    market.run();
    expect(fills('s1')).toEqual([{ tsUs: T0 + 4 * SEC, price: 10.05, qty: 100, cumQty: 100 }]);
  });

  it('behind the touch the queue estimate waits for the level to show', () => {
    // buy at 9.99 with the bid at 10.00: invisible level; when the bid drops to 9.99 × 250, all 250 are ahead.
    const { market, at, fills } = makeMarket(
      [tape([[T0, 10.0, 10.05, 300, 400], [T0 + 2 * SEC, 9.99, 10.04, 250, 400]], [[T0 + 3 * SEC, 9.99, 300, 'N']])],
      { fill_model: 'queue' },
    );
    at(T0 + SEC);
    market.submit(buy('b1', 100, 9.99));
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + 3 * SEC, price: 9.99, qty: 50, cumQty: 50 }]);
  });

  it('still fills through, like every model', () => {
    const { market, at, fills } = makeMarket([tape([[T0, 10.0, 10.05, 300, 400]], [[T0 + 2 * SEC, 9.98, 70, 'N']])], { fill_model: 'queue' });
    at(T0 + SEC);
    market.submit(buy('b1', 100, 10.0));
    market.run();
    expect(fills('b1')).toEqual([{ tsUs: T0 + 2 * SEC, price: 10.0, qty: 70, cumQty: 70 }]);
  });
});

describe('queue model hooks, directly', () => {
  it('overflow: cancellations the back cannot absorb come from the front', () => {
    // ahead 10, behind 40; Δ = 45 with n = 3: s = 1000/65000; from behind (1 − s)·45 = 44.3 > 40
    // → ahead = 10 − s·45 + (40 − 44.3) = 5 = the whole remaining level.
    const model = new QueueFillModel(new PowerQueueProb(3), 0.3);
    // The model's own state for the child (its `order.q`): only queue fields, fresh per child.
    const o = model.newOrder({ isBuy: true, limitPrice: 10, tickUnits: 100 }, touch(10, 10));
    expect(o).toMatchObject({ queueAhead: 10, levelQty: 10, tradedAtLevel: 0, fillable: 0, insideSpread: false });
    model.depth(o, touch(10, 50));
    expect(o.queueAhead).toBe(10);
    model.depth(o, touch(10, 5));
    expect(o.queueAhead).toBeCloseTo(5, 12);
  });

  it('probability rules: power and log', () => {
    expect(new PowerQueueProb(1).shareAhead(300, 200)).toBeCloseTo(0.6, 15);
    expect(new PowerQueueProb(2).shareAhead(300, 100)).toBeCloseTo(0.9, 15);
    expect(new PowerQueueProb(2).shareAhead(0, 0)).toBe(0);
    expect(new LogQueueProb().shareAhead(Math.E - 1, Math.E ** 3 - 1)).toBeCloseTo(0.25, 12);
  });

  it('power 2 (the default) gives the bits of the general power rule: x·x is what pow returns for y = 2', () => {
    const square = new PowerQueueProb(2);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 2000; k++) {
      // fractional estimates (ahead after a split) and whole displayed sizes
      const ahead = k % 2 ? rand() * 5000 : Math.floor(rand() * 5000);
      const behind = rand() * 20000;
      const general = ahead ** 2 / (ahead ** 2 + behind ** 2);
      expect(square.shareAhead(ahead, behind)).toBe(ahead === 0 && behind === 0 ? 0 : general);
    }
    expect(square.shareAhead(300, 100)).toBe(0.9);
    expect(new PowerQueueProb(2.5).shareAhead(300, 100)).toBeCloseTo(300 ** 2.5 / (300 ** 2.5 + 100 ** 2.5), 15);
  });

  it('takeFillable takes the shares a print made fillable: a second call gives 0 (sell inside the spread)', () => {
    const model = new QueueFillModel(new PowerQueueProb(2), 0.5);
    const o = model.newOrder({ isBuy: false, limitPrice: 10.04, tickUnits: 100 }, touch(10.05, 300));
    expect(o.insideSpread).toBe(true);
    model.trade(o, 61); // 0.5 · 61 = 30.5 → 30 now, 0.5 carried
    expect([model.takeFillable(o), model.takeFillable(o), o.expectedCarry]).toEqual([30, 0, 0.5]);
  });
});
