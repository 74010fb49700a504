/**
 * Quiet quotes: the queue model marks the near prices that would leave a child's state as it is
 * (NearTouch.quietLo/Hi), and the venue skips `depth` for them. The hooks' bands for buys and sells,
 * and the venue's fills with skipping equal to the fills with every call made.
 */
import { describe, expect, it } from 'vitest';
import { makeTickTable } from '../../src/engine/ticks.ts';
import { Book, CROSS_BUY, CROSS_SELL, MAX_BUY_LIMIT, MIN_SELL_LIMIT, QUIET_ASK_HI, QUIET_ASK_LO, QUIET_BID_HI, QUIET_BID_LO } from '../../src/sim/book.ts';
import { BeyondTouch } from '../../src/sim/fill/beyond-touch.ts';
import { makeFillModel } from '../../src/sim/fill/index.ts';
import { NearTouch, PRICE_EPSILON, type FillModel } from '../../src/sim/fill/model.ts';
import { PowerQueueProb } from '../../src/sim/fill/prob.ts';
import { QueueFillModel, type QueuePosition } from '../../src/sim/fill/queue.ts';
import { Matching } from '../../src/sim/matching.ts';
import { SimOrder } from '../../src/sim/order.ts';
import { MS, randomTape, simConfig, T0, tape } from './sim-fixtures.ts';

const child = (isBuy: boolean, limitPrice: number) => ({ isBuy, limitPrice, tickUnits: 100 });

/** The band `depth` leaves for a child at `limit` seeing near price `nearPrice`. */
function bandAfterDepth(isBuy: boolean, limit: number, nearPrice: number): [number, number] {
  const model = new QueueFillModel(new PowerQueueProb(2), 0.3);
  const state = model.newOrder(child(isBuy, limit), Object.assign(new NearTouch(), { price: limit, size: 500 }));
  const near = Object.assign(new NearTouch(), { price: nearPrice, size: 300 });
  model.depth(state, near);
  return [near.quietLo, near.quietHi];
}

describe('queue model: the near prices that change nothing', () => {
  it('buy: behind the touch (bid above L) quiet while the bid stays above L; inside while it stays below', () => {
    expect(bandAfterDepth(true, 10.0, 10.01)).toEqual([10.0 + PRICE_EPSILON, Infinity]);
    expect(bandAfterDepth(true, 10.0, 9.99)).toEqual([-Infinity, 10.0 - PRICE_EPSILON]);
  });

  it('sell: behind the touch (ask below L) quiet while 0 < ask < L; inside while the ask stays above L', () => {
    expect(bandAfterDepth(false, 10.05, 10.04)).toEqual([0, 10.05 - PRICE_EPSILON]);
    expect(bandAfterDepth(false, 10.05, 10.06)).toEqual([10.05 + PRICE_EPSILON, Infinity]);
  });

  it('at the touch nothing is quiet: every size change moves the queue (buy and sell)', () => {
    expect(bandAfterDepth(true, 10.0, 10.0)).toEqual([Number.NaN, Number.NaN]);
    expect(bandAfterDepth(false, 10.05, 10.05)).toEqual([Number.NaN, Number.NaN]);
  });

  it('a second call inside the band leaves every field as the first call did (buy behind, sell inside)', () => {
    const model = new QueueFillModel(new PowerQueueProb(2), 0.3);
    for (const [isBuy, limit, first, second] of [
      [true, 10.0, 10.01, 10.03],
      [false, 10.05, 10.07, 10.2],
    ] as const) {
      const state = model.newOrder(child(isBuy, limit), Object.assign(new NearTouch(), { price: limit, size: 500 }));
      model.depth(state, Object.assign(new NearTouch(), { price: first, size: 300 }));
      const before = { ...state };
      model.depth(state, Object.assign(new NearTouch(), { price: second, size: 900 }));
      expect({ ...state }).toEqual(before);
    }
  });

  it('intensity: time moves its state, so no quote is quiet', () => {
    const model = makeFillModel(simConfig({ fill_model: 'intensity' }).sim, 1);
    const state = model.newOrder(child(true, 10.0), Object.assign(new NearTouch(), { price: 9.99, size: 500, tsUs: T0 }));
    const near = Object.assign(new NearTouch(), { price: 9.98, size: 300, tsUs: T0 + 1000 });
    model.depth(state, near);
    expect([near.quietLo, near.quietHi]).toEqual([Number.NaN, Number.NaN]);
  });
});

/** The queue model, counting `depth` calls; `honorQuiet: false` clears the band, so the venue calls on every quote. */
class CountingQueue implements FillModel<QueuePosition> {
  readonly name = 'queue' as const;
  readonly usesDepth = true;
  readonly fillsOnQuote = false;
  depthCalls = 0;
  private readonly inner = new QueueFillModel(new PowerQueueProb(2), 0.3);
  constructor(private readonly honorQuiet: boolean) {}
  newOrder(c: SimOrder, near: NearTouch): QueuePosition {
    return this.inner.newOrder(c, near);
  }
  trade(state: QueuePosition, size: number): void {
    this.inner.trade(state, size);
  }
  depth(state: QueuePosition, near: NearTouch): void {
    this.depthCalls++;
    this.inner.depth(state, near);
    if (!this.honorQuiet) near.quietLo = near.quietHi = Number.NaN;
  }
  takeFillable(state: QueuePosition): number {
    return this.inner.takeFillable(state);
  }
}

/** Bounds that dismiss nothing: every quote and print goes child by child. */
function lookAtEveryChild(book: Book): void {
  book.summarizeResting = () => {
    book.restingBounds.fill(Number.NaN);
    book.restingBounds[CROSS_BUY] = Infinity;
    book.restingBounds[CROSS_SELL] = -Infinity;
    book.restingBounds[MAX_BUY_LIMIT] = Infinity;
    book.restingBounds[MIN_SELL_LIMIT] = -Infinity;
  };
}

/** Children resting at several levels on both sides through a random tape; every fill, in order. */
function replayChildren(model: FillModel, everyChild = false): string[] {
  const tape = randomTape(7, 3000, { tradeEvery: 2 });
  const book = new Book('XYZ');
  if (everyChild) lookAtEveryChild(book);
  book.load(tape, -Infinity);
  const fills: string[] = [];
  const matching = new Matching(
    model,
    false,
    (o, shares, price, tsUs) => {
      o.cumQty += shares;
      if (o.cumQty >= o.qty) o.resting = false;
      fills.push(`${o.clientOrderId} ${shares}@${price} t${tsUs}`);
    },
    new BeyondTouch(simConfig().sim.beyond_touch),
    makeTickTable(),
  );
  const limits = [19.9, 19.96, 19.99, 20.0, 20.01, 20.04, 20.1];
  limits.forEach((limit, k) => {
    for (const side of ['buy', 'sell'] as const) {
      const order = new SimOrder({ clientOrderId: `${side[0]}${k}`, symbol: 'XYZ', side, qty: 5000, limitPrice: limit, timeInForce: 'day' }, tape.quotes.ts[0]);
      matching.startResting(book, order, 0, tape.quotes.ts[0]);
    }
  });
  let qi = 1;
  let ti = 0;
  const { quotes, trades } = tape;
  while (qi < quotes.length || ti < trades.length) {
    if (ti < trades.length && (qi >= quotes.length || trades.ts[ti] <= quotes.ts[qi])) matching.applyTrade(book, ti++);
    else matching.applyQuote(book, qi++);
    // As the event loop compacts: the bounds are summarized again only when the resting list
    // shrank; every other change to them is Matching's to make.
    const kept = book.resting.filter((o) => o.resting);
    if (kept.length !== book.resting.length) {
      book.resting = kept;
      book.summarizeResting();
    }
  }
  return fills;
}

describe('the venue skips quiet quotes without changing a fill', () => {
  it('same fills, buys and sells, with far fewer depth calls', () => {
    const quiet = new CountingQueue(true);
    const every = new CountingQueue(false);
    const withSkips = replayChildren(quiet);
    const withoutSkips = replayChildren(every);
    expect(withSkips).toEqual(withoutSkips);
    expect(withSkips.filter((f) => f.startsWith('b')).length).toBeGreaterThan(20);
    expect(withSkips.filter((f) => f.startsWith('s')).length).toBeGreaterThan(20);
    expect(quiet.depthCalls).toBeLessThan(every.depthCalls / 2);
  });

  it('the book-level bounds dismiss only events no child would act on (every fill model)', () => {
    for (const fill_model of ['through', 'touch', 'queue', 'intensity'] as const) {
      const sim = simConfig({ fill_model, p_touch: 0.5 }).sim;
      const dismissing = replayChildren(makeFillModel(sim, 3));
      const childByChild = replayChildren(makeFillModel(sim, 3), true);
      expect(dismissing).toEqual(childByChild);
      expect(dismissing.length).toBeGreaterThan(40);
    }
  });
});

/**
 * A queue-model venue on tape `t` with a 100-share buy at 20.00 and sell at 20.05 resting from its
 * first quote; `bands()` reads the book's quiet bounds [bid lo, bid hi, ask lo, ask hi].
 */
function buyAndSellResting(t: ReturnType<typeof tape>) {
  const book = new Book('XYZ');
  book.load(t, -Infinity);
  const matching = new Matching(makeFillModel(simConfig({ fill_model: 'queue' }).sim, 1), false, () => undefined, new BeyondTouch(simConfig().sim.beyond_touch), makeTickTable());
  for (const [side, limitPrice] of [['buy', 20.0], ['sell', 20.05]] as const) {
    const order = new SimOrder({ clientOrderId: side, symbol: 'XYZ', side, qty: 100, limitPrice, timeInForce: 'day' }, T0);
    matching.startResting(book, order, 0, T0);
  }
  const bands = () => [QUIET_BID_LO, QUIET_BID_HI, QUIET_ASK_LO, QUIET_ASK_HI].map((k) => book.restingBounds[k]);
  return { matching, book, bands };
}

describe('the book\'s bounds follow a band that moves on a quote sent child by child', () => {
  /**
   * A buy at 20.00 and a sell at 20.05 rest; quotes 1–3 go child by child because one child sits
   * at its touch (NaN band); the other child's band moves on them, and the book must follow:
   * quote 1 puts the buy behind (bid 20.01) with the sell at the touch; quote 2 brings the buy to
   * its touch (bid 20.00); quote 3 puts the sell behind (ask 20.04) with the buy at the touch.
   */
  function bandsAfterEachQuote(): number[][] {
    const t = tape([
      [T0, 19.99, 20.06, 300, 300],
      [T0 + MS, 20.01, 20.05, 300, 400],
      [T0 + 2 * MS, 20.0, 20.05, 200, 500],
      [T0 + 3 * MS, 20.0, 20.04, 100, 600],
    ]);
    const { matching, book, bands } = buyAndSellResting(t);
    const after: number[][] = [];
    for (let i = 1; i < 4; i++) {
      matching.applyQuote(book, i);
      after.push(bands());
    }
    return after;
  }

  it('a print at a child\'s price clears its band in the book too (buy, then sell)', () => {
    // Both children join at their touch behind 300 shares, then the touch moves past them (quiet);
    // a 100-share print at each price eats the queue without filling — and resets the band.
    const t = tape(
      [
        [T0, 20.0, 20.05, 300, 300],
        [T0 + MS, 20.01, 20.04, 300, 400],
      ],
      [
        [T0 + 2 * MS, 20.0, 100],
        [T0 + 3 * MS, 20.05, 100],
      ],
    );
    const { matching, book, bands } = buyAndSellResting(t);
    matching.applyQuote(book, 1);
    expect(bands()).toEqual([20.0 + PRICE_EPSILON, Infinity, 0, 20.05 - PRICE_EPSILON]);
    matching.applyTrade(book, 0);
    expect(bands()).toEqual([Number.NaN, Number.NaN, 0, 20.05 - PRICE_EPSILON]);
    matching.applyTrade(book, 1);
    expect(bands()).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  });

  it('buy behind, then at its touch; sell at its touch, then behind', () => {
    const [afterBuyBehind, afterBuyAtTouch, afterSellBehind] = bandsAfterEachQuote();
    // Quote 1: the buy is quiet while the bid stays above its limit; the sell never is.
    expect(afterBuyBehind).toEqual([20.0 + PRICE_EPSILON, Infinity, Number.NaN, Number.NaN]);
    // Quote 2: the buy reached its touch — its band is gone from the book too.
    expect(afterBuyAtTouch).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    // Quote 3: the sell is behind (0 < ask < L), the buy at its touch.
    expect(afterSellBehind).toEqual([Number.NaN, Number.NaN, 0, 20.05 - PRICE_EPSILON]);
  });
});
