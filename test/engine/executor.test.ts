/**
 * The executor on a scripted clock and market: every step, timer and venue answer is played by
 * hand, so each assertion is an exact price, quantity or time (races between answers, shutdown,
 * replace and venue-stamped acks are in executor-races.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../support/engine-harness.ts';
import { SEC, T0 } from '../support/scripted.ts';

describe('a buy walks the UVXY ladder (15.23 / 15.32, 15 s steps)', () => {
  it('steps 15.27 → 15.28 → (15.28 kept) → 15.29 → market 15.37, then fills', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    expect(h.market.submits().map((o) => [o.clientOrderId, o.limitPrice, o.qty])).toEqual([['P1-1', 15.27, 100]]);
    h.market.accept('P1-1');

    h.clock.advanceTo(T0 + 15 * SEC);
    expect(h.market.cancels()).toEqual(['P1-1']);
    h.market.canceled('P1-1', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', limitPrice: 15.28, qty: 100 });
    h.market.accept('P1-2');

    // Step 3 rounds to 15.28 as well: the child keeps its queue place, the timer restarts.
    h.clock.advanceTo(T0 + 30 * SEC);
    expect(h.market.cancels()).toEqual(['P1-1']);
    expect(h.market.submits()).toHaveLength(2);

    h.clock.advanceTo(T0 + 45 * SEC);
    expect(h.market.cancels()).toEqual(['P1-1', 'P1-2']);
    h.market.canceled('P1-2', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-3', limitPrice: 15.29 });
    h.market.accept('P1-3');

    h.clock.advanceTo(T0 + 60 * SEC);
    h.market.canceled('P1-3', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-4', limitPrice: 15.37, qty: 100 });
    h.market.accept('P1-4');
    h.clock.advanceTo(T0 + 60.5 * SEC);
    h.market.fill('P1-4', 100, 15.32, 100);

    const r = h.records[0];
    expect(r).toMatchObject({ status: 'filled', filledQty: 100, avgPrice: 15.32, fillStep: 4, timeToFillUs: 60.5 * SEC, reason: null });
    expect(r.children.map((c) => [c.step, c.stepsKept, c.limitPrice, c.status])).toEqual([
      [0, [], 15.27, 'canceled'],
      [1, [2], 15.28, 'canceled'],
      [3, [], 15.29, 'canceled'],
      [4, [], 15.37, 'filled'],
    ]);
    expect(r.stepPercentages).toEqual([10, 10, 10, 10]);
  });
});

describe('a sell walks the UVXY ladder (10 s steps)', () => {
  it('steps 15.28 → 15.27 → 15.26 → (15.26 kept) → market 15.18', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 200);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10 * SEC);
    h.market.canceled('P1-1', 0);
    h.market.accept('P1-2');
    h.clock.advanceTo(T0 + 20 * SEC);
    h.market.canceled('P1-2', 0);
    h.market.accept('P1-3');
    h.clock.advanceTo(T0 + 30 * SEC); // step 4 rounds to 15.26 too: kept
    expect(h.market.cancels()).toEqual(['P1-1', 'P1-2']);
    h.clock.advanceTo(T0 + 40 * SEC);
    h.market.canceled('P1-3', 0);
    h.market.accept('P1-4');
    expect(h.market.submits().map((o) => o.limitPrice)).toEqual([15.28, 15.27, 15.26, 15.18]);
    h.market.fill('P1-4', 200, 15.23, 200);
    expect(h.records[0]).toMatchObject({ status: 'filled', fillStep: 4, avgPrice: 15.23, timeToFillUs: 40 * SEC });
    expect(h.records[0].children[2].stepsKept).toEqual([3]);
  });
});

describe('partial fills and cancels', () => {
  it('buy: a partial fill, then the next step is sized from the fills', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 300);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 5 * SEC);
    h.market.fill('P1-1', 100, 15.27, 100);
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 100);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', qty: 200, limitPrice: 15.28 });
    h.market.accept('P1-2');
    h.clock.advanceTo(T0 + 20 * SEC);
    h.market.fill('P1-2', 200, 15.28, 200);
    const r = h.records[0];
    expect(r.status).toBe('filled');
    expect(r.filledQty).toBe(300);
    expect(r.avgPrice).toBeCloseTo((100 * 15.27 + 200 * 15.28) / 300, 12);
    expect(r.fillStep).toBe(1);
    expect(r.children[0].fills.map((f) => f.step)).toEqual([0]);
  });

  it('sell: a fill arriving after the cancel was sent completes the parent; no new child', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10 * SEC);
    expect(h.market.cancels()).toEqual(['P1-1']);
    h.clock.advanceTo(T0 + 10.01 * SEC);
    h.market.fill('P1-1', 100, 15.28, 100); // the fill won the race
    h.market.cancelRejected('P1-1');
    expect(h.market.submits()).toHaveLength(1);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, avgPrice: 15.28, fillStep: 0 });
  });

  it('buy: part filled before the cancel lands → the next child takes only the rest', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.fill('P1-1', 40, 15.27, 40);
    h.market.canceled('P1-1', 40);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', qty: 60 });
  });

  it('a duplicated fill event counts once', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.market.fill('P1-1', 30, 15.27, 30, 'E1');
    h.market.fill('P1-1', 30, 15.27, 30, 'E1');
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 30);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', qty: 70 });
  });

  it('sell: the cancel confirmation overtakes a fill event → sized from cumQty, the late fill does not over-fill', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10 * SEC);
    h.market.canceled('P1-1', 50); // venue filled 50 before canceling; the fill event is late
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', qty: 50 });
    h.market.fill('P1-1', 50, 15.28, 50, 'LATE');
    h.market.accept('P1-2');
    h.market.fill('P1-2', 50, 15.27, 50);
    const r = h.records[0];
    expect(r.filledQty).toBe(100);
    expect(r.avgPrice).toBeCloseTo(15.275, 12);
    expect(h.market.submits().reduce((s, o) => s + o.qty, 0)).toBe(150); // sent, not filled: 100 + 50
  });
});

describe('cancel acknowledgements', () => {
  it('no answer to a cancel → the order state is queried; still open → cancel re-sent; canceled → next step', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    expect(h.market.queries()).toEqual([]);
    h.clock.advanceTo(T0 + 17 * SEC); // cancel_ack_timeout_ms = 2000
    expect(h.market.queries()).toEqual(['P1-1']);
    h.market.status('P1-1', 'new', 0);
    expect(h.market.cancels()).toEqual(['P1-1', 'P1-1']);
    h.clock.advanceTo(T0 + 17.5 * SEC);
    h.market.status('P1-1', 'canceled', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', limitPrice: 15.28, qty: 100 });
  });

  it('a timer that fires before the ack defers the cancel until the ack', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.clock.advanceTo(T0 + 10 * SEC);
    expect(h.market.cancels()).toEqual([]);
    h.market.accept('P1-1');
    expect(h.market.cancels()).toEqual(['P1-1']);
  });

  it('a query answered "filled" settles the child and the parent', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 12 * SEC);
    h.market.status('P1-1', 'filled', 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100 });
    expect(h.market.submits()).toHaveLength(1);
  });
});

describe('max execution time and the market step', () => {
  it('sell: reaching max_execution_time forces the market step before the ladder ends', () => {
    const h = harness({ execution: { step_timeout_sell: 50, max_execution_time: 120 } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    const ackCancel = () => {
      const last = h.market.cancels().at(-1)!;
      h.market.canceled(last, 0);
      h.market.accept(h.market.lastSubmit().clientOrderId);
    };
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 50 * SEC);
    ackCancel();
    h.clock.advanceTo(T0 + 100 * SEC);
    ackCancel();
    h.clock.advanceTo(T0 + 120 * SEC);
    ackCancel();
    const sends = h.market.commands.filter((c) => c.kind === 'submit').map((c) => [c.atUs - T0, (c as { order: { limitPrice: number } }).order.limitPrice]);
    expect(sends).toEqual([
      [0, 15.28],
      [50 * SEC, 15.27],
      [100 * SEC, 15.26],
      [120 * SEC, 15.18],
    ]);
  });

  it('buy: the collared rest is re-priced at the new far touch, then ends collar_exhausted', () => {
    const h = harness({ execution: { progressive_steps: 1, market_step: { max_retries: 1, retry_after_s: 5, collar_ticks: 2 } } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', limitPrice: 15.34 });
    h.market.accept('P1-2');
    h.market.fill('P1-2', 30, 15.32, 30);
    h.market.setQuote('UVXY', 15.3, 15.4);
    h.clock.advanceTo(T0 + 20 * SEC);
    h.market.canceled('P1-2', 30);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-3', limitPrice: 15.42, qty: 70 });
    h.market.accept('P1-3');
    h.clock.advanceTo(T0 + 25 * SEC);
    expect(h.market.cancels().at(-1)).toBe('P1-3');
    h.market.canceled('P1-3', 0);
    expect(h.records[0]).toMatchObject({ status: 'partial', filledQty: 30, reason: 'collar_exhausted', fillStep: 1 });
  });

  it('sell: the spread guard at the market step waits, then gives up with spread_guard_timeout', () => {
    const h = harness({ execution: { progressive_steps: 1, market_step: { spread_wait_s: 30 } } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.market.setQuote('UVXY', 14.0, 15.32); // spread 8.6 % > 5 %
    h.clock.advanceTo(T0 + 10 * SEC);
    h.market.canceled('P1-1', 0);
    expect(h.market.submits()).toHaveLength(1);
    h.clock.advanceTo(T0 + 39 * SEC);
    expect(h.records).toHaveLength(0);
    h.clock.advanceTo(T0 + 40 * SEC);
    expect(h.records[0]).toMatchObject({ status: 'unfilled', reason: 'spread_guard_timeout' });
  });

  it('buy: the spread guard passes once the spread narrows', () => {
    const h = harness({ execution: { progressive_steps: 1 } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.market.setQuote('UVXY', 14.0, 15.32);
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 0);
    h.clock.advanceTo(T0 + 16 * SEC);
    h.market.setQuote('UVXY', 15.25, 15.3);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', limitPrice: 15.35 });
  });
});

describe('quotes the ladder cannot price from', () => {
  it('buy: a locked quote at arrival → no child until a usable quote arrives', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.3, 15.3);
    h.submit('UVXY', 'buy', 100);
    expect(h.market.submits()).toHaveLength(0);
    expect(h.market.subscriberCount('UVXY')).toBe(1);
    h.clock.advanceTo(T0 + 2 * SEC);
    h.market.setQuote('UVXY', 15.31, 15.3); // crossed: still waiting
    expect(h.market.submits()).toHaveLength(0);
    h.market.setQuote('UVXY', 15.23, 15.32);
    expect(h.market.lastSubmit()).toMatchObject({ limitPrice: 15.27 });
    expect(h.market.subscriberCount('UVXY')).toBe(0);
    expect(h.records).toHaveLength(0);
  });

  it('sell: a stale quote is not priced from', () => {
    const h = harness({ execution: { stale_ms: 1000 } });
    h.market.feedAlive = false;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.clock.advanceTo(T0 + 2 * SEC);
    h.submit('UVXY', 'sell', 100);
    expect(h.market.submits()).toHaveLength(0);
    h.market.setQuote('UVXY', 15.24, 15.32);
    expect(h.market.lastSubmit()).toMatchObject({ limitPrice: 15.28 });
  });

  it('reprice: arrival freezes the arrival quote for every step', () => {
    const h = harness({ execution: { reprice: 'arrival' } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.market.setQuote('UVXY', 15.5, 15.6);
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 0);
    expect(h.market.lastSubmit()).toMatchObject({ limitPrice: 15.28 });
  });

  it('reprice: current follows the market', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.market.setQuote('UVXY', 15.5, 15.6); // mid 15.55, +0.1·0.1·0.75 = 15.5575 → 15.55
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 0);
    expect(h.market.lastSubmit()).toMatchObject({ limitPrice: 15.55 });
  });
});

describe('rejected children', () => {
  it('buy: a rejected child is re-sent after the delay, up to reject_retries, then child_rejected', () => {
    const h = harness({ execution: { reject_retries: 2, reject_retry_delay_ms: 500 } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.rejected('P1-1');
    expect(h.market.submits()).toHaveLength(1);
    h.clock.advanceTo(T0 + 0.5 * SEC);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', limitPrice: 15.27 });
    h.market.rejected('P1-2');
    h.clock.advanceTo(T0 + 1 * SEC);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-3' });
    h.market.rejected('P1-3');
    expect(h.records[0]).toMatchObject({ status: 'unfilled', reason: 'child_rejected' });
    expect(h.records[0].children.map((c) => c.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('sell: a retried child that then fills completes normally', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.rejected('P1-1');
    h.clock.advanceTo(T0 + 1 * SEC);
    h.market.accept('P1-2');
    h.market.fill('P1-2', 100, 15.28, 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', fillStep: 0 });
  });
});
