import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config.ts';
import { checkParent, type RiskContext } from '../../src/engine/risk.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { harness } from '../support/engine-harness.ts';
import { SEC, T0 } from '../support/scripted.ts';

const risk = defaultConfig().risk;
const open = { isOpen: true, openUs: T0 - 1800 * SEC, closeUs: T0 + 6 * 3600 * SEC };
const ctx = (over: Partial<RiskContext> = {}): RiskContext => ({
  nowUs: T0,
  quote: { tsUs: T0, bid: 15.23, ask: 15.32, bidSize: 100, askSize: 100 },
  session: open,
  positionQty: 0,
  workingQty: 0,
  sameSideWorking: false,
  clientOrderIdSeen: false,
  worstCaseLadderS: 60,
  ...over,
});
const order = (side: 'buy' | 'sell', qty = 100): ParentOrder => ({ clientOrderId: 'A', symbol: 'UVXY', side, qty, arrivalTsUs: T0 });
const reason = (d: ReturnType<typeof checkParent>) => (d.kind === 'reject' ? d.reason : d.kind);

describe('risk checks (pure), buy and sell', () => {
  for (const side of ['buy', 'sell'] as const) {
    it(`${side}: accepts a normal order`, () => {
      expect(checkParent(order(side), ctx(), risk)).toEqual({ kind: 'accept' });
    });
    it(`${side}: each rejection carries its reason`, () => {
      expect(reason(checkParent(order(side, 0), ctx(), risk))).toBe('invalid_qty');
      expect(reason(checkParent(order(side, 10.5), ctx(), risk))).toBe('invalid_qty');
      expect(reason(checkParent(order(side), ctx({ clientOrderIdSeen: true }), risk))).toBe('duplicate_client_order_id');
      expect(reason(checkParent(order(side), ctx({ sameSideWorking: true }), risk))).toBe('duplicate_working');
      expect(reason(checkParent(order(side), ctx({ session: { ...open, isOpen: false } }), risk))).toBe('market_closed');
      expect(reason(checkParent(order(side), ctx({ quote: undefined }), risk))).toBe('no_quote');
      // spread 0.80/15.32 = 5.22 % > 5 %
      expect(reason(checkParent(order(side), ctx({ quote: { tsUs: T0, bid: 14.52, ask: 15.32, bidSize: 1, askSize: 1 } }), risk))).toBe('spread_too_wide');
      expect(reason(checkParent(order(side, 10_001), ctx(), risk))).toBe('max_qty');
      expect(reason(checkParent(order(side, 5000), ctx(), parseConfig({ risk: { max_notional: 70_000 } }).risk))).toBe('max_notional');
    });
  }
  it('spread exactly 5 % passes, just above fails', () => {
    const q = (bid: number) => ({ tsUs: T0, bid, ask: 100, bidSize: 1, askSize: 1 });
    expect(reason(checkParent(order('buy'), ctx({ quote: q(95) }), risk))).toBe('accept');
    expect(reason(checkParent(order('buy'), ctx({ quote: q(94.99) }), risk))).toBe('spread_too_wide');
  });
  it('notional is checked at the far touch: buy at the ask, sell at the bid', () => {
    const limit = parseConfig({ risk: { max_notional: 1530 } }).risk; // 100 × 15.32 = 1532 > 1530 ≥ 100 × 15.23
    expect(reason(checkParent(order('buy'), ctx(), limit))).toBe('max_notional');
    expect(reason(checkParent(order('sell'), ctx(), limit))).toBe('accept');
  });
  it('max position counts the filled position, the working orders and this order with their signs', () => {
    const limit = parseConfig({ risk: { max_position: 1000 } }).risk;
    expect(reason(checkParent(order('buy', 300), ctx({ positionQty: 500, workingQty: 200 }), limit))).toBe('accept');
    expect(reason(checkParent(order('buy', 301), ctx({ positionQty: 500, workingQty: 200 }), limit))).toBe('max_position');
    expect(reason(checkParent(order('sell', 301), ctx({ positionQty: -500, workingQty: -200 }), limit))).toBe('max_position');
    expect(reason(checkParent(order('sell', 1000), ctx({ positionQty: 500 }), limit))).toBe('accept');
  });
  it('session end: a ladder that cannot finish before close − buffer is rejected', () => {
    const closeUs = T0 + 120 * SEC; // 60 s ladder + 60 s buffer fits exactly
    expect(reason(checkParent(order('buy'), ctx({ session: { ...open, closeUs } }), risk))).toBe('accept');
    expect(reason(checkParent(order('sell'), ctx({ session: { ...open, closeUs: closeUs - 1 } }), risk))).toBe('session_end');
  });
  it('market closed with queue_when_closed queues to the next open', () => {
    const queueing = parseConfig({ risk: { queue_when_closed: true } }).risk;
    const next = T0 + 3600 * SEC;
    expect(checkParent(order('buy'), ctx({ session: { isOpen: false, openUs: next, closeUs: next + 6.5 * 3600 * SEC } }), queueing)).toEqual({ kind: 'queue', untilUs: next });
    expect(reason(checkParent(order('sell'), ctx({ session: { isOpen: false, openUs: null, closeUs: null } }), queueing))).toBe('market_closed');
  });
});

describe('risk in the engine: shared state across parents', () => {
  it('a second buy on the same symbol is a duplicate while the first works; a sell is not', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.submit('UVXY', 'buy', 100);
    h.submit('UVXY', 'sell', 100);
    expect(h.records.map((r) => [r.clientOrderId, r.status, r.reason])).toEqual([['P2', 'rejected', 'duplicate_working']]);
    expect(h.engine.workingCount()).toBe(2);
  });
  it('risk.one_working_per_symbol_side: false lets a second buy and a second sell work beside the first', () => {
    const off = parseConfig({ risk: { one_working_per_symbol_side: false } }).risk;
    for (const side of ['buy', 'sell'] as const) {
      expect(checkParent(order(side), ctx({ sameSideWorking: true }), off)).toEqual({ kind: 'accept' });
    }
    const h = harness({ risk: { one_working_per_symbol_side: false } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.submit('UVXY', 'buy', 100);
    h.submit('UVXY', 'sell', 100);
    h.submit('UVXY', 'sell', 100);
    expect(h.records).toEqual([]);
    expect(h.engine.workingCount()).toBe(4);
  });
  it('a client order id is used once, even after its parent finished', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'sell', 100, 'SAME');
    h.market.accept('SAME-1');
    h.market.fill('SAME-1', 100, 15.28, 100);
    h.submit('UVXY', 'sell', 100, 'SAME');
    expect(h.records.map((r) => [r.status, r.reason])).toEqual([
      ['filled', null],
      ['rejected', 'duplicate_client_order_id'],
    ]);
  });
  it('fills move the position that max_position checks', () => {
    const h = harness({ risk: { max_position: 150 } });
    h.market.setQuote('UVXY', 15.23, 15.32);
    h.submit('UVXY', 'buy', 100);
    h.market.accept('P1-1');
    h.market.fill('P1-1', 100, 15.27, 100);
    expect(h.engine.position('UVXY')).toBe(100);
    h.submit('UVXY', 'buy', 100);
    expect(h.records.at(-1)).toMatchObject({ status: 'rejected', reason: 'max_position' });
    h.submit('UVXY', 'sell', 200);
    expect(h.engine.workingCount()).toBe(1);
  });
  it('market closed: rejected by default, queued to the open with queue_when_closed', () => {
    const closed = (h: ReturnType<typeof harness>) => {
      h.market.session = (t) => (t < T0 + 600 * SEC ? { isOpen: false, openUs: T0 + 600 * SEC, closeUs: T0 + 7 * 3600 * SEC } : open);
      h.market.setQuote('UVXY', 15.23, 15.32);
    };
    const rejecting = harness();
    closed(rejecting);
    rejecting.submit('UVXY', 'buy', 100);
    expect(rejecting.records[0]).toMatchObject({ status: 'rejected', reason: 'market_closed' });

    const queueing = harness({ risk: { queue_when_closed: true } });
    closed(queueing);
    queueing.submit('UVXY', 'sell', 100);
    expect(queueing.market.submits()).toHaveLength(0);
    queueing.clock.advanceTo(T0 + 600 * SEC);
    expect(queueing.market.submits().map((o) => [o.clientOrderId, o.limitPrice])).toEqual([['P1-1', 15.28]]);
    expect(queueing.records).toHaveLength(0);
  });
});
