/**
 * Execution metrics on hand-made parents, buy and sell mirrored, values worked out by hand.
 *
 * Arrival quote 10.00 / 10.10 → M₀ = 10.05. Two fills per parent:
 *   buy:  60 @ 10.06 at +2 s (child 0 priced from 10.00/10.10, mid 10.05)
 *         40 @ 10.08 at +20 s (child 1 priced from 10.02/10.12, mid 10.07)   P = 10.068
 *   sell: 60 @ 10.04 at +2 s (child 0 from 10.00/10.10, mid 10.05)
 *         40 @ 10.02 at +20 s (child 1 from 9.98/10.08, mid 10.03)            P = 10.032
 * The tape mid moves our way for neither: buy path 10.05 → 10.07 (3 s) → 10.09 (21 s) → 10.11
 * (25 s); the sell path mirrors it downward.
 */
import { describe, expect, it } from 'vitest';
import { type MidAt, parentMetrics, priceVsReferenceBps, runMetrics, spreadBucket } from '../../src/reports/metrics.ts';
import { makeRecord, stepMids } from './report-fixtures.ts';

const BUY_MIDS = stepMids([
  [-1e12, 10.05],
  [3e6, 10.07],
  [21e6, 10.09],
  [25e6, 10.11],
]);
const SELL_MIDS = stepMids([
  [-1e12, 10.05],
  [3e6, 10.03],
  [21e6, 10.01],
  [25e6, 9.99],
]);

const buy = makeRecord({
  id: 'B1',
  side: 'buy',
  qty: 100,
  bid: 10.0,
  ask: 10.1,
  bidSize: 500,
  askSize: 70,
  children: [
    { step: 0, limit: 10.06, qty: 100, sentBid: 10.0, sentAsk: 10.1, fills: [{ atUs: 2e6, price: 10.06, qty: 60 }] },
    { step: 1, limit: 10.08, qty: 40, sentBid: 10.02, sentAsk: 10.12, fills: [{ atUs: 20e6, price: 10.08, qty: 40 }] },
  ],
});
const sell = makeRecord({
  id: 'S1',
  side: 'sell',
  qty: 100,
  bid: 10.0,
  ask: 10.1,
  bidSize: 80,
  askSize: 500,
  children: [
    { step: 0, limit: 10.04, qty: 100, sentBid: 10.0, sentAsk: 10.1, fills: [{ atUs: 2e6, price: 10.04, qty: 60 }] },
    { step: 1, limit: 10.02, qty: 40, sentBid: 9.98, sentAsk: 10.08, fills: [{ atUs: 20e6, price: 10.02, qty: 40 }] },
  ],
});

describe('implementation shortfall vs the arrival mid', () => {
  it('buy: (10.068 − 10.05)/10.05 = 17.910 bps', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.avgPrice).toBeCloseTo(10.068, 10);
    expect(m.arrivalMid).toBeCloseTo(10.05, 10);
    expect(m.shortfallBps).toBeCloseTo(17.9104, 3);
    expect(m.filledShortfallBps).toBeCloseTo(17.9104, 3);
  });
  it('sell: −(10.032 − 10.05)/10.05 = 17.910 bps', () => {
    const m = parentMetrics(sell, SELL_MIDS);
    expect(m.avgPrice).toBeCloseTo(10.032, 10);
    expect(m.shortfallBps).toBeCloseTo(17.9104, 3);
  });
  it('buy, partly filled: the unfilled 40 are charged at the last mid of the window (10.11 at 30 s)', () => {
    const partial = makeRecord({
      id: 'B2', side: 'buy', qty: 100, bid: 10.0, ask: 10.1, endAfterUs: 30e6,
      children: [{ step: 0, limit: 10.06, qty: 100, sentBid: 10.0, sentAsk: 10.1, fills: [{ atUs: 2e6, price: 10.06, qty: 60 }] }],
    });
    const m = parentMetrics(partial, BUY_MIDS);
    // [60·(10.06 − 10.05) + 40·(10.11 − 10.05)] / (100 · 10.05) = 3 / 1005
    expect(m.shortfallBps).toBeCloseTo(29.8507, 3);
    expect(m.filledShortfallBps).toBeCloseTo(9.9502, 3);
    expect(m.complete).toBe(0);
    expect(m.fillStep).toBeNull();
    expect(m.timeToFillS).toBeNull();
  });
  it('sell, partly filled: the unfilled 40 are charged at 9.99', () => {
    const partial = makeRecord({
      id: 'S2', side: 'sell', qty: 100, bid: 10.0, ask: 10.1, endAfterUs: 30e6,
      children: [{ step: 0, limit: 10.04, qty: 100, sentBid: 10.0, sentAsk: 10.1, fills: [{ atUs: 2e6, price: 10.04, qty: 60 }] }],
    });
    expect(parentMetrics(partial, SELL_MIDS).shortfallBps).toBeCloseTo(29.8507, 3);
  });
  it('nothing filled: the whole qty at its opportunity cost; no price, step or time', () => {
    const none = makeRecord({ id: 'B3', side: 'buy', qty: 100, bid: 10.0, ask: 10.1, endAfterUs: 30e6, children: [] });
    const m = parentMetrics(none, BUY_MIDS);
    expect(m.shortfallBps).toBeCloseTo(59.7015, 3); // 100 · 0.06 / 1005
    expect(m.avgPrice).toBeNull();
    expect(m.vsFarTouchBps).toBeNull();
    expect(m.effectiveSpreadBps).toBeNull();
    const sellNone = makeRecord({ id: 'S3', side: 'sell', qty: 100, bid: 10.0, ask: 10.1, endAfterUs: 30e6, children: [] });
    expect(parentMetrics(sellNone, SELL_MIDS).shortfallBps).toBeCloseTo(59.7015, 3);
  });
  it('unknown last mid: the shortfall of an unfilled rest is null, not guessed', () => {
    const none = makeRecord({ id: 'B4', side: 'buy', qty: 100, bid: 10.0, ask: 10.1, endAfterUs: 30e6, children: [] });
    expect(parentMetrics(none, () => Number.NaN).shortfallBps).toBeNull();
  });
});

describe('half spread at arrival', () => {
  it('buy and sell: (10.10 − 10.00)/2/10.05 = 49.751 bps', () => {
    expect(parentMetrics(buy, BUY_MIDS).halfSpreadBps).toBeCloseTo(49.7512, 3);
    expect(parentMetrics(sell, SELL_MIDS).halfSpreadBps).toBeCloseTo(49.7512, 3);
  });
  it('shortfall = half spread + cost vs the far touch for a filled parent: 17.910 = 49.751 − 31.841', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.shortfallBps!).toBeCloseTo(m.halfSpreadBps! + m.vsFarTouchBps!, 9);
  });
});

describe('analytic cost vs the arrival far touch (negative = better than the touch)', () => {
  it('buy: (P − ask₀)/M₀ = −0.032/10.05 → −31.841 bps, −$3.20', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.vsFarTouchBps).toBeCloseTo(-31.8408, 3);
    expect(m.vsFarTouchUsd).toBeCloseTo(-3.2, 10);
  });
  it('sell: (bid₀ − P)/M₀ = −0.032/10.05 → −31.841 bps, −$3.20', () => {
    const m = parentMetrics(sell, SELL_MIDS);
    expect(m.vsFarTouchBps).toBeCloseTo(-31.8408, 3);
    expect(m.vsFarTouchUsd).toBeCloseTo(-3.2, 10);
  });
});

describe('effective spread 2·D·(p − M)/M, M = mid when the child was sent', () => {
  it('buy: 0.6 · 2·0.01/10.05 + 0.4 · 2·0.01/10.07 = 19.885 bps', () => {
    expect(parentMetrics(buy, BUY_MIDS).effectiveSpreadBps).toBeCloseTo(19.8847, 3);
  });
  it('sell: 0.6 · 2·0.01/10.05 + 0.4 · 2·0.01/10.03 = 19.916 bps', () => {
    expect(parentMetrics(sell, SELL_MIDS).effectiveSpreadBps).toBeCloseTo(19.9164, 3);
  });
});

describe('markouts D·(p − M₊Δ)/M₀, qty-weighted (a cost: negative = the mid moved past the fill price)', () => {
  it('buy: +1 s both fills 1 cent → −9.950 bps; +5 s (0.6·1 + 0.4·3 cents) → −17.910; +60 s (0.6·5 + 0.4·3) → −41.791', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.markout1sBps).toBeCloseTo(-9.9502, 3);
    expect(m.markout5sBps).toBeCloseTo(-17.9104, 3);
    expect(m.markout60sBps).toBeCloseTo(-41.791, 3);
  });
  it('sell: the mirrored path gives the same markouts', () => {
    const m = parentMetrics(sell, SELL_MIDS);
    expect(m.markout1sBps).toBeCloseTo(-9.9502, 3);
    expect(m.markout5sBps).toBeCloseTo(-17.9104, 3);
    expect(m.markout60sBps).toBeCloseTo(-41.791, 3);
  });
  it('a horizon past the tape is null (the others still count)', () => {
    const tapeEndsAt50s: MidAt = (symbol, ts) => (ts - buy.arrivalTsUs > 50e6 ? Number.NaN : BUY_MIDS(symbol, ts));
    const m = parentMetrics(buy, tapeEndsAt50s);
    expect(m.markout1sBps).toBeCloseTo(-9.9502, 3);
    expect(m.markout60sBps).toBeNull();
    expect(m.realizedSpread60sBps).toBeNull();
    expect(m.priceImpact60sBps).toBeNull();
    const s = parentMetrics(sell, (symbol, ts) => (ts - sell.arrivalTsUs > 50e6 ? Number.NaN : SELL_MIDS(symbol, ts)));
    expect(s.markout5sBps).toBeCloseTo(-17.9104, 3);
    expect(s.markout60sBps).toBeNull();
  });
});

describe('realized spread 2·D·(p − M₊Δ)/M and price impact 2·D·(M₊Δ − M)/M', () => {
  it('buy at +1 s: realized −19.885, impact 39.769, and they add up to the effective spread', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.realizedSpread1sBps).toBeCloseTo(-19.8847, 3);
    expect(m.priceImpact1sBps).toBeCloseTo(39.7694, 3);
    expect(m.realizedSpread1sBps! + m.priceImpact1sBps!).toBeCloseTo(m.effectiveSpreadBps!, 9);
  });
  it('sell at +1 s: realized −19.916, impact 39.833', () => {
    const m = parentMetrics(sell, SELL_MIDS);
    expect(m.realizedSpread1sBps).toBeCloseTo(-19.9164, 3);
    expect(m.priceImpact1sBps).toBeCloseTo(39.8327, 3);
    expect(m.realizedSpread60sBps! + m.priceImpact60sBps!).toBeCloseTo(m.effectiveSpreadBps!, 9);
  });
});

describe('time to fill, fill step, price levels, share beyond displayed size', () => {
  it('buy: 20 s, step 1, two levels sent and filled, 30 of 100 beyond the 70 shown on the ask', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.timeToFillS).toBe(20);
    expect(m.fillStep).toBe(1);
    expect(m.complete).toBe(1);
    expect(m.priceLevelsSent).toBe(2);
    expect(m.fillPriceLevels).toBe(2);
    expect(m.displayedFarSize).toBe(70);
    expect(m.beyondDisplayedQty).toBe(30);
    expect(m.beyondDisplayedShare).toBeCloseTo(0.3, 12);
  });
  it('sell: 20 s, step 1, 20 of 100 beyond the 80 shown on the bid', () => {
    const m = parentMetrics(sell, SELL_MIDS);
    expect(m.timeToFillS).toBe(20);
    expect(m.fillStep).toBe(1);
    expect(m.displayedFarSize).toBe(80);
    expect(m.beyondDisplayedQty).toBe(20);
    expect(m.beyondDisplayedShare).toBeCloseTo(0.2, 12);
  });
  it('steps that round to the same price count as one level; a fill within the displayed size is 0 beyond', () => {
    const r = makeRecord({
      id: 'B5', side: 'buy', qty: 100, bid: 10.0, ask: 10.02, askSize: 300,
      children: [
        { step: 0, limit: 10.01, qty: 100, sentBid: 10.0, sentAsk: 10.02 },
        { step: 1, limit: 10.01, qty: 100, sentBid: 10.0, sentAsk: 10.02, fills: [{ atUs: 12e6, price: 10.01, qty: 100 }] },
      ],
    });
    const m = parentMetrics(r, BUY_MIDS);
    expect(m.priceLevelsSent).toBe(1);
    expect(m.fillPriceLevels).toBe(1);
    expect(m.beyondDisplayedShare).toBe(0);
  });
});

describe('spread buckets use spreadPct (ask denominator)', () => {
  it('edges: 0.5 and 1.5 belong to the middle bucket', () => {
    expect(spreadBucket(0.4999)).toBe('< 0.5 %');
    expect(spreadBucket(0.5)).toBe('0.5–1.5 %');
    expect(spreadBucket(1.5)).toBe('0.5–1.5 %');
    expect(spreadBucket(1.5001)).toBe('> 1.5 %');
  });
  it('10.00/10.10 is 0.990 % of the ask → middle bucket', () => {
    const m = parentMetrics(buy, BUY_MIDS);
    expect(m.spreadPctArrival).toBeCloseTo(0.990099, 5);
    expect(m.spreadBucket).toBe('0.5–1.5 %');
  });
  it('arrival minute is the bootstrap block', () => {
    expect(parentMetrics(buy, BUY_MIDS).arrivalMinute).toBe(Math.floor(buy.arrivalTsUs / 60e6));
  });
});

describe('runMetrics', () => {
  it('rejected parents are counted out, not measured', () => {
    const rejected = makeRecord({ id: 'R1', side: 'buy', qty: 100, bid: 10.0, ask: 10.1, status: 'rejected' });
    const rows = runMetrics([buy, rejected, sell], BUY_MIDS);
    expect(rows.map((r) => r.clientOrderId)).toEqual(['B1', 'S1']);
  });
});

describe('priceVsReferenceBps: D·(P − P_ref)/M · 10⁴, positive = a cost', () => {
  it('buy above the reference and sell below it are costs; the mirrors are savings', () => {
    expect(priceVsReferenceBps('buy', 10.1, 10.05, 10.05)).toBeCloseTo(49.7512, 4);
    expect(priceVsReferenceBps('buy', 10.0, 10.05, 10.05)).toBeCloseTo(-49.7512, 4);
    expect(priceVsReferenceBps('sell', 10.0, 10.05, 10.05)).toBeCloseTo(49.7512, 4);
    expect(priceVsReferenceBps('sell', 10.1, 10.05, 10.05)).toBeCloseTo(-49.7512, 4);
  });
});
