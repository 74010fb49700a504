/**
 * The executor on a scripted clock and market, where answers race: the venue's answers in any
 * order, shutdown with answers still in flight, replace (amend) against fills and deadlines, and
 * venue-stamped acks. Every step, timer and venue answer is played by hand, so each assertion is
 * an exact price, quantity or time (the plain ladder walks are in executor.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { LadderEngine } from '../../src/engine/engine.ts';
import type { ExecutionRecord } from '../../src/engine/types.ts';
import { harness } from '../support/engine-harness.ts';
import { SEC, T0 } from '../support/scripted.ts';

describe('never over-fills', () => {
  it('whatever order the venue answers in, filled ≤ qty and Σ child qty sent never exceeds what was open', () => {
    // A scripted adversary: at every step it fills part of the child, sometimes reports the fill
    // twice, sometimes only through the cancel's cumQty, sometimes late.
    for (const side of ['buy', 'sell'] as const) {
      for (let variant = 0; variant < 8; variant++) {
        const h = harness();
        h.market.setQuote('UVXY', 15.23, 15.32);
        h.submit('UVXY', side, 1000);
        let t = 0;
        const late: [string, number, number][] = [];
        for (let round = 0; round < 8 && h.records.length === 0; round++) {
          const child = h.market.lastSubmit();
          h.market.accept(child.clientOrderId);
          const part = Math.min(child.qty, 100 + 37 * variant);
          if (variant % 2 === 0) {
            h.market.fill(child.clientOrderId, part, child.limitPrice, part, `${child.clientOrderId}-a`);
            h.market.fill(child.clientOrderId, part, child.limitPrice, part, `${child.clientOrderId}-a`);
          } else {
            late.push([child.clientOrderId, part, child.limitPrice]);
          }
          t += 16;
          h.clock.advanceTo(T0 + t * SEC);
          if (h.records.length) break;
          h.market.canceled(child.clientOrderId, part);
          for (const [id, qty, price] of late.splice(0)) h.market.fill(id, qty, price, qty, `${id}-late`);
        }
        const r: ExecutionRecord | undefined = h.records[0];
        const filled = r ? r.filledQty : h.engine.position('UVXY') * (side === 'buy' ? 1 : -1);
        expect(filled).toBeLessThanOrEqual(1000);
        expect(h.engine.position('UVXY')).toBe((side === 'buy' ? 1 : -1) * filled);
      }
    }
  });
});

describe('determinism', () => {
  it('the same inputs give identical records', () => {
    const run = () => {
      const h = harness();
      h.market.setQuote('UVXY', 15.23, 15.32);
      h.submit('UVXY', 'buy', 300);
      h.submit('UVXY', 'sell', 200);
      h.market.accept('P1-1');
      h.market.accept('P2-1');
      h.market.fill('P1-1', 100, 15.27, 100);
      h.clock.advanceTo(T0 + 10 * SEC);
      h.market.canceled('P2-1', 0);
      h.market.accept('P2-2');
      h.clock.advanceTo(T0 + 15 * SEC);
      h.market.canceled('P1-1', 100);
      h.market.accept('P1-2');
      h.market.fill('P1-2', 200, 15.28, 200);
      h.market.fill('P2-2', 200, 15.27, 200);
      return JSON.stringify(h.records);
    };
    const a = run();
    expect(a).toBe(run());
    expect(JSON.parse(a)).toHaveLength(2);
  });
});

describe('market-order baseline mode', () => {
  for (const [side, price] of [['buy', 15.37], ['sell', 15.18]] as const) {
    it(`${side}: the parent goes straight to the collared market step`, () => {
      const h = harness();
      h.market.setQuote('UVXY', 15.23, 15.32);
      const baseline = new LadderEngine({ clock: h.clock, market: h.market, config: h.config, marketOnly: true });
      baseline.submit({ clientOrderId: 'B1', symbol: 'UVXY', side, qty: 100, arrivalTsUs: T0 });
      expect(h.market.submits().map((o) => [o.clientOrderId, o.limitPrice])).toEqual([['B1-1', price]]);
      h.market.accept('B1-1');
      h.market.fill('B1-1', 100, side === 'buy' ? 15.32 : 15.23, 100);
      expect(baseline.records()[0]).toMatchObject({ status: 'filled', fillStep: 4, timeToFillUs: 0 });
    });
  }
});

describe('venue answers after the parent ended (shutdown)', () => {
  it('buy: a fill that beat the shutdown cancel joins the record; duplicates dropped; the cancel closes the child', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.canceled('P1-1', 0);
    h.market.accept('P1-2');
    h.clock.advanceTo(T0 + 20 * SEC);
    h.engine.shutdown('shutdown');
    expect(h.market.cancels()).toEqual(['P1-1', 'P1-2']);
    expect(h.records[0]).toMatchObject({ status: 'unfilled', filledQty: 0, reason: 'shutdown', endTsUs: T0 + 20 * SEC });
    expect(h.engine.position('UVXY')).toBe(0);

    h.clock.advanceTo(T0 + 21 * SEC);
    h.market.fill('P1-2', 40, 15.28, 40, 'late');
    h.market.fill('P1-2', 40, 15.28, 40, 'late');
    h.market.canceled('P1-2', 40);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]).toMatchObject({ status: 'partial', filledQty: 40, avgPrice: 15.28, fillStep: 1, timeToFillUs: 21 * SEC, reason: 'shutdown', endTsUs: T0 + 20 * SEC });
    expect(h.records[0].children[1]).toMatchObject({ status: 'canceled', filledQty: 40, doneTsUs: T0 + 21 * SEC });
    expect(h.engine.position('UVXY')).toBe(40);
    expect(h.market.submits()).toHaveLength(2); // nothing sent after the end
  });

  it('sell: late fills that complete the parent turn it filled with no reason', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.engine.shutdown('shutdown');
    h.market.fill('P1-1', 60, 15.28, 60);
    h.market.fill('P1-1', 40, 15.29, 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, reason: null, fillStep: 0 });
    expect(h.records[0].avgPrice).toBeCloseTo((60 * 15.28 + 40 * 15.29) / 100, 12);
    expect(h.records[0].children[0].status).toBe('filled');
    expect(h.engine.position('UVXY')).toBe(-100);
  });
});

describe('amend: replace (one PATCH per step move, where the market offers it)', () => {
  const replacing = () => {
    const h = harness({}, { amend: 'replace' });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    return h;
  };

  it('buy: each step move is one replace; the replacement is adopted once the old child is out', () => {
    const h = replacing();
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    expect(h.market.replaces()).toEqual([['P1-1', 'P1-2', 15.28, 100]]);
    expect(h.market.cancels()).toEqual([]);
    expect(h.market.submits()).toHaveLength(1);
    h.market.accept('P1-2');
    h.market.canceled('P1-1', 0); // replaced
    h.clock.advanceTo(T0 + 30 * SEC); // step 3 rounds to 15.28: kept
    expect(h.market.replaces()).toHaveLength(1);
    h.clock.advanceTo(T0 + 45 * SEC);
    expect(h.market.replaces().at(-1)).toEqual(['P1-2', 'P1-3', 15.29, 100]);
    h.market.canceled('P1-2', 0);
    h.market.accept('P1-3');
    h.clock.advanceTo(T0 + 60 * SEC); // market step, also by replace
    expect(h.market.replaces().at(-1)).toEqual(['P1-3', 'P1-4', 15.37, 100]);
    h.market.canceled('P1-3', 0);
    h.market.accept('P1-4');
    h.market.fill('P1-4', 100, 15.32, 100);
    const r = h.records[0];
    expect(r).toMatchObject({ status: 'filled', filledQty: 100, fillStep: 4, avgPrice: 15.32 });
    expect(r.children.map((c) => [c.clientOrderId, c.replaces ?? null, c.status])).toEqual([
      ['P1-1', null, 'canceled'],
      ['P1-2', 'P1-1', 'canceled'],
      ['P1-3', 'P1-2', 'canceled'],
      ['P1-4', 'P1-3', 'filled'],
    ]);
    expect(h.market.cancels()).toEqual([]);
  });

  it('sell: a fill on the old child racing the replace shrinks the replacement; never over-fills', () => {
    const h = replacing();
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10 * SEC);
    expect(h.market.replaces()).toEqual([['P1-1', 'P1-2', 15.27, 100]]);
    h.market.fill('P1-1', 30, 15.28, 30);
    h.market.canceled('P1-1', 30);
    h.market.accept('P1-2');
    expect(h.records).toHaveLength(0);
    h.market.fill('P1-2', 70, 15.27, 70);
    const r = h.records[0];
    expect(r).toMatchObject({ status: 'filled', filledQty: 100 });
    expect(r.children[1]).toMatchObject({ qty: 70, filledQty: 70, status: 'filled' });
    expect(h.engine.position('UVXY')).toBe(-100);
  });

  it('buy: a refused replace falls back to cancel then submit at the step', () => {
    const h = replacing();
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    h.market.cancelRejected('P1-1');
    expect(h.market.queries()).toEqual([]);
    h.market.rejected('P1-2', 'replace refused');
    expect(h.market.cancels()).toEqual(['P1-1']);
    h.market.canceled('P1-1', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-3', limitPrice: 15.28, qty: 100 });
    expect(h.records).toHaveLength(0);
  });

  it('sell: the old child filling completely while the replace is in flight ends the parent', () => {
    const h = replacing();
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10 * SEC);
    h.market.fill('P1-1', 100, 15.28, 100);
    h.market.rejected('P1-2', 'order already filled');
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, fillStep: 0 });
    expect(h.records[0].children[1].status).toBe('rejected');
  });

  it('buy: an unacknowledged child is never replaced (cancel on ack, as always)', () => {
    const h = replacing();
    h.submit('UVXY', 'buy', 100);
    h.clock.advanceTo(T0 + 15 * SEC);
    expect(h.market.replaces()).toEqual([]);
    h.market.accept('P1-1');
    expect(h.market.cancels()).toEqual(['P1-1']);
  });

  it('sell: without Market.replace the option changes nothing', () => {
    const h = harness({}, { amend: 'replace' });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10 * SEC);
    expect(h.market.cancels()).toEqual(['P1-1']);
  });

  it('buy: shutdown during a replace cancels the old child and the replacement', () => {
    const h = replacing();
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    h.engine.shutdown('shutdown');
    expect(h.market.cancels()).toEqual(['P1-1', 'P1-2']);
    expect(h.records[0]).toMatchObject({ status: 'unfilled', reason: 'shutdown' });
  });
});

describe('amend: replace meets max_execution_time', () => {
  it('buy: the deadline during a replace adopts the replacement, then moves it to the market step; never over-fills', () => {
    const h = harness({ execution: { max_execution_time: 16 } }, { amend: 'replace' });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 15 * SEC);
    expect(h.market.replaces()).toEqual([['P1-1', 'P1-2', 15.28, 100]]);
    h.clock.advanceTo(T0 + 16 * SEC); // deadline while the replace is in flight
    h.market.accept('P1-2');
    h.market.canceled('P1-1', 0);
    expect(h.market.replaces().at(-1)).toEqual(['P1-2', 'P1-3', 15.37, 100]);
    expect(h.market.submits()).toHaveLength(1);
    h.market.accept('P1-3');
    h.market.canceled('P1-2', 0);
    h.market.fill('P1-3', 100, 15.32, 100);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, fillStep: 4 });
    expect(h.engine.position('UVXY')).toBe(100);
  });

  it('sell: a refused replace after the deadline falls back to cancel, then the market step', () => {
    const h = harness({ execution: { max_execution_time: 11 } }, { amend: 'replace' });
    h.market.supportsReplace = true;
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 11 * SEC);
    h.market.cancelRejected('P1-1');
    h.market.rejected('P1-2', 'refused');
    expect(h.market.cancels()).toEqual(['P1-1']);
    h.market.canceled('P1-1', 0);
    expect(h.market.lastSubmit()).toMatchObject({ clientOrderId: 'P1-3', limitPrice: 15.18, qty: 100 });
  });
});

describe('ack time: a venue-stamped ack after the first corrects the record only', () => {
  for (const side of ['buy', 'sell'] as const) {
    it(`${side}: acked on the REST answer (+2 ms), the venue's stamp (+30 ms, heard at +40 ms) is recorded; nothing else moves (no cancel, the same fill)`, () => {
      const h = harness();
      h.market.setQuote('UVXY', 15.23, 15.32);
      h.submit('UVXY', side, 100);
      h.clock.advanceTo(T0 + 2000);
      h.market.accept('P1-1');
      h.clock.advanceTo(T0 + 40_000);
      h.market.emit({ type: 'accepted', clientOrderId: 'P1-1', tsUs: T0 + 30_000, venueStamped: true });
      h.market.emit({ type: 'accepted', clientOrderId: 'P1-1', tsUs: T0 + 35_000, venueStamped: true }); // a duplicate: ignored
      h.market.emit({ type: 'accepted', clientOrderId: 'P1-1', tsUs: T0 + 39_000 }); // unstamped: ignored
      expect(h.market.cancels()).toEqual([]);
      h.clock.advanceTo(T0 + 500_000);
      h.market.fill('P1-1', 100, side === 'buy' ? 15.27 : 15.28, 100);
      const child = h.records[0].children[0];
      expect([child.sentTsUs - T0, child.ackTsUs! - T0, child.ackRecvTsUs! - T0]).toEqual([0, 30_000, 40_000]);
      expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100, fillStep: 0 });
    });
  }
  it('sell: a child ended before the stamp came keeps its status; the stamp still reaches the record', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100);
    h.clock.advanceTo(T0 + 2000);
    h.market.accept('P1-1');
    h.clock.advanceTo(T0 + 10_000);
    h.market.fill('P1-1', 100, 15.28, 100);
    h.clock.advanceTo(T0 + 40_000);
    h.market.emit({ type: 'accepted', clientOrderId: 'P1-1', tsUs: T0 + 8000, venueStamped: true });
    const child = h.records[0].children[0];
    expect([child.status, child.ackTsUs! - T0, child.ackRecvTsUs! - T0]).toEqual(['filled', 8000, 40_000]);
    expect(h.records[0]).toMatchObject({ status: 'filled', filledQty: 100 });
  });
});
