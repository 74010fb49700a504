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
