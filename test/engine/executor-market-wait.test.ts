/**
 * The market step that cannot be priced yet (no usable quote, or the spread guard) waits the way a
 * limit step does: the working child keeps resting — it may still fill at its price — until the
 * market step can be priced; only then does it move (cancel then submit, or one replace). Both
 * sides, both amend modes. UVXY 15.23 / 15.32, one limit step (buy 15.27, sell 15.28), collar 5 ticks.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../support/engine-harness.ts';
import { SEC, T0 } from '../support/scripted.ts';

const cases = [
  // side, limit step price, timeout (s), the quote that prices the market step, its price
  ['buy', 15.27, 15, [15.25, 15.34], 15.39],
  ['sell', 15.28, 10, [15.25, 15.34], 15.2],
] as const;

describe.each(['cancel_replace', 'replace'] as const)('amend %s: the market step waits with the child resting', (amend) => {
  it.each(cases)('%s: locked quote at the step timeout → no cancel, no replace; a usable quote → the child moves to the market step', (side, limit, timeoutS, [bid, ask], marketPrice) => {
    const h = harness({ execution: { progressive_steps: 1 } }, { amend });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-1', limitPrice: limit, qty: 100 });
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + (timeoutS - 2) * SEC);
    h.market.setQuote('UVXY', 15.3, 15.3); // locked: not usable
    h.clock.advanceTo(T0 + (timeoutS + 1) * SEC);
    // The market step is due but cannot be priced: the limit child still works.
    expect(h.market.cancels()).toEqual([]);
    expect(h.market.replaces()).toEqual([]);
    expect(h.market.submits()).toHaveLength(1);
    expect(h.records).toHaveLength(0);

    h.clock.advanceTo(T0 + (timeoutS + 2) * SEC);
    h.market.setQuote('UVXY', bid, ask);
    if (amend === 'replace') {
      expect(h.market.replaces()).toEqual([['P1-1', 'P1-2', marketPrice, 100]]);
      expect(h.market.cancels()).toEqual([]);
    } else {
      expect(h.market.cancels()).toEqual(['P1-1']);
      h.market.canceled('P1-1', 0);
      expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-2', limitPrice: marketPrice, qty: 100 });
    }
  });

  it.each(cases)('%s: the resting child fills at its price during the wait — the parent is done at the limit step, nothing else sent', (side, limit, timeoutS) => {
    const h = harness({ execution: { progressive_steps: 1 } }, { amend });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.market.setQuote('UVXY', 15.3, 15.3);
    h.clock.advanceTo(T0 + (timeoutS + 1) * SEC);
    h.market.fill('P1-1', 100, limit, 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, avgPrice: limit, fillStep: 0, reason: null });
    expect(h.market.cancels()).toEqual([]);
    expect(h.market.replaces()).toEqual([]);
    expect(h.market.submits()).toHaveLength(1);
  });

  it.each(cases)('%s: no priceable quote within spread_wait_s → the resting child is canceled, then the parent ends spread_guard_timeout', (side, _limit, timeoutS) => {
    const h = harness({ execution: { progressive_steps: 1, market_step: { spread_wait_s: 30 } } }, { amend });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.market.setQuote('UVXY', 14.0, 15.32); // spread 8.6 % > the 5 % guard
    h.clock.advanceTo(T0 + (timeoutS + 29) * SEC);
    expect(h.market.cancels()).toEqual([]);
    h.clock.advanceTo(T0 + (timeoutS + 30) * SEC);
    expect(h.market.cancels()).toEqual(['P1-1']);
    expect(h.records).toHaveLength(0);
    h.market.canceled('P1-1', 0);
    expect(h.records[0]).toMatchObject({ status: 'unfilled', reason: 'spread_guard_timeout' });
    expect(h.market.submits()).toHaveLength(1);
  });
});

describe('amend replace: a replace refused after the venue canceled the old child is a step move, not a child reject', () => {
  it.each([
    ['buy', 15, 15.28],
    ['sell', 10, 15.27],
  ] as const)('%s (reject_retries 0): old canceled by the venue, then the replacement rejected → a new child at the step price, the parent goes on', (side, timeoutS, stepPrice) => {
    const h = harness({ execution: { reject_retries: 0 } }, { amend: 'replace' });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + timeoutS * SEC);
    expect(h.market.replaces()).toEqual([['P1-1', 'P1-2', stepPrice, 100]]);
    h.market.canceled('P1-1', 0); // the venue canceled it before the PATCH was applied
    h.market.cancelRejected('P1-1');
    h.market.rejected('P1-2', 'order is not replaceable');
    expect(h.records).toHaveLength(0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-3', limitPrice: stepPrice, qty: 100 });
    h.market.accept('P1-3');
    h.market.fill('P1-3', 100, stepPrice, 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, reason: null });
    expect(h.records[0].children.map((c) => [c.clientOrderId, c.status])).toEqual([
      ['P1-1', 'canceled'],
      ['P1-2', 'rejected'],
      ['P1-3', 'filled'],
    ]);
  });
});

describe('shutdown: the venue is asked when a final cancel is refused or its answer is lost', () => {
  it.each(['buy', 'sell'] as const)('%s: cancel_rejected after shutdown → queryOrder; the status answer (filled 100) amends the record', (side) => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.engine.shutdown('shutdown');
    expect(h.market.cancels()).toEqual(['P1-1']);
    expect(h.records[0]).toMatchObject({ status: 'unfilled', reason: 'shutdown' });
    h.market.cancelRejected('P1-1');
    expect(h.market.queries()).toEqual(['P1-1']);
    h.market.status('P1-1', 'filled', 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, reason: null });
  });

  it.each(['buy', 'sell'] as const)('%s: no answer to the final cancel within cancel_ack_timeout → queryOrder; the status answer (canceled, 40 filled) amends the record', (side) => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.engine.shutdown('shutdown');
    expect(h.market.queries()).toEqual([]);
    h.clock.advanceBy(h.config.execution.cancel_ack_timeout_ms * 1000);
    expect(h.market.queries()).toEqual(['P1-1']);
    h.market.status('P1-1', 'canceled', 40);
    expect(h.records[0]).toMatchObject({ status: 'partial', filledQty: 40, reason: 'shutdown' });
    expect(h.records[0].children[0].status).toBe('canceled');
  });
});

describe('venue quantities that contradict each other stop the parent: venue_inconsistent', () => {
  it.each(['buy', 'sell'] as const)('%s: a fill taking the 100-share child to 150 → ends venue_inconsistent, no new child sized from it', (side) => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.market.fill('P1-1', 60, 15.28, 60);
    h.market.fill('P1-1', 90, 15.28, 150);
    expect(h.records[0]).toMatchObject({ reason: 'venue_inconsistent', filledQty: 150 });
    h.clock.advanceTo(T0 + 60 * SEC);
    expect(h.market.submits()).toHaveLength(1);
  });

  it.each(['buy', 'sell'] as const)('%s: a status `filled` with cumQty 40 of 100 → the working child is canceled, the parent ends venue_inconsistent (not filled, not re-sent)', (side) => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.accept('P1-1');
    h.market.status('P1-1', 'filled', 40);
    expect(h.market.cancels()).toEqual(['P1-1']);
    expect(h.records[0]).toMatchObject({ status: 'partial', filledQty: 40, reason: 'venue_inconsistent' });
    h.clock.advanceTo(T0 + 60 * SEC);
    expect(h.market.submits()).toHaveLength(1);
  });
});

describe('opposite sides on one symbol (wash trades)', () => {
  it('risk.serialize_opposite_sides: a sell arriving while a buy works waits, then starts when the buy ends (arrival = then); a buy behind a sell alike', () => {
    for (const [first, second] of [['buy', 'sell'], ['sell', 'buy']] as const) {
      const h = harness({ risk: { serialize_opposite_sides: true } });
      h.market.setQuote('UVXY', 15.23, 15.32);
      h.submit('UVXY', first, 100);
      h.market.accept('P1-1');
      h.clock.advanceTo(T0 + 2 * SEC);
      h.submit('UVXY', second, 100);
      expect(h.market.submits().map((o) => o.clientOrderId)).toEqual(['P1-1']);
      h.clock.advanceTo(T0 + 5 * SEC);
      h.market.fill('P1-1', 100, first === 'buy' ? 15.27 : 15.28, 100);
      h.clock.advanceTo(T0 + 5 * SEC);
      expect(h.market.submits().map((o) => [o.clientOrderId, o.side])).toEqual([
        ['P1-1', first],
        ['P2-1', second],
      ]);
      h.engine.shutdown('shutdown');
      const p2 = h.records.find((r) => r.clientOrderId === 'P2')!;
      expect(p2.arrivalTsUs).toBe(T0 + 5 * SEC);
    }
  });

  it.each(['buy', 'sell'] as const)('%s: a child refused as a wash trade ends the parent wash_trade at once (no retry: it would be refused again)', (side) => {
    const h = harness({ execution: { reject_retries: 3 } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', side, 100);
    h.market.rejected('P1-1', 'wash_trade');
    expect(h.records[0]).toMatchObject({ status: 'unfilled', reason: 'wash_trade' });
    h.clock.advanceTo(T0 + 10 * SEC);
    expect(h.market.submits()).toHaveLength(1);
  });
});
