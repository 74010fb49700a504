/**
 * compareParent's price difference is reports/metrics.ts priceVsReferenceBps (one formula):
 * D·(P_sim − P_live)/M₀ · 10⁴, positive = the simulator paid more, buys and sells.
 * Arrival 10.00 / 10.10 → M₀ = 10.05.
 *   buy:  live 100 @ 10.06, sim 100 @ 10.08 → +1 · 0.02 / 10.05 · 10⁴ = +19.900 bps (sim paid more)
 *   sell: live 100 @ 10.04, sim 100 @ 10.02 → −1 · −0.02 / 10.05 · 10⁴ = +19.900 bps (sim received less)
 */
import { describe, expect, it } from 'vitest';
import { compareParent } from '../../src/fidelity/compare.ts';
import { priceVsReferenceBps } from '../../src/reports/metrics.ts';
import { makeRecord } from '../reports/report-fixtures.ts';
import type { Side } from '../../src/engine/types.ts';

const flatMid = () => 10.05;
const filledAt = (id: string, side: Side, price: number) =>
  makeRecord({ id, side, qty: 100, bid: 10, ask: 10.1, children: [{ step: 0, limit: price, qty: 100, sentBid: 10, sentAsk: 10.1, fills: [{ atUs: 1e6, price, qty: 100 }] }] });

describe('compareParent price difference (metrics.ts priceVsReferenceBps), buy and sell', () => {
  it('buy: the simulator paying 2 cents more is +19.90 bps; the mirror is −19.90', () => {
    const live = filledAt('B', 'buy', 10.06);
    expect(compareParent('as run', live, filledAt('B', 'buy', 10.08), flatMid).priceDiffBps).toBeCloseTo(19.9005, 4);
    expect(compareParent('as run', live, filledAt('B', 'buy', 10.04), flatMid).priceDiffBps).toBeCloseTo(-19.9005, 4);
  });
  it('sell: the simulator receiving 2 cents less is +19.90 bps (a cost); more is −19.90', () => {
    const live = filledAt('S', 'sell', 10.04);
    expect(compareParent('as run', live, filledAt('S', 'sell', 10.02), flatMid).priceDiffBps).toBeCloseTo(19.9005, 4);
    expect(compareParent('as run', live, filledAt('S', 'sell', 10.06), flatMid).priceDiffBps).toBeCloseTo(-19.9005, 4);
  });
  it('is exactly the metrics formula, and NaN unless both filled', () => {
    const live = filledAt('S', 'sell', 10.04);
    const sim = filledAt('S', 'sell', 10.03);
    expect(compareParent('v', live, sim, flatMid).priceDiffBps).toBe(priceVsReferenceBps('sell', 10.03, 10.04, 10.05));
    const unfilled = makeRecord({ id: 'S', side: 'sell', qty: 100, bid: 10, ask: 10.1, children: [] });
    expect(compareParent('v', live, unfilled, flatMid).priceDiffBps).toBeNaN();
  });
});
