/** The headline and verdict: a difference is called only when its 95 % interval excludes zero; every figure a cost. */
import { describe, expect, it } from 'vitest';
import { formatHeadline, headline } from '../../src/reports/headline.ts';
import { verdict } from '../../src/reports/verdict.ts';

const overall = {
  n: 120,
  fillRate: 0.95,
  fillRate_lo: 0.9,
  fillRate_hi: 0.98,
  shortfallBps: 3.2,
  shortfallBps_lo: 1.3,
  shortfallBps_hi: 5.4,
  vsFarTouchBps: -7.3,
  vsFarTouchBps_lo: -9.8,
  vsFarTouchBps_hi: -4.5,
  timeToFillS: 19.6,
  medianTimeToFillS: 13.8,
  vsFarTouchUsd: -1638.375,
  marketStepParents: 24,
};
/** A ladder-vs-baseline "all" row whose decomposition adds up: Δ = ladder − baseline = (ladder − H) − (baseline − H). */
const baseline = (ladder: number, base: number, lo: number, hi: number) => ({
  side: 'all',
  pairs: 120,
  vsBaselineBps: ladder - base,
  vsBaselineBps_lo: lo,
  vsBaselineBps_hi: hi,
  ladderShortfallBps: ladder,
  baselineShortfallBps: base,
  halfSpreadBps: 10,
  ladderVsFarTouchBps: ladder - 10,
  baselineBeyondTouchBps: base - 10,
  baselineTimeToFillS: 0.4,
});

describe('headline', () => {
  it('better: the whole interval below zero (the ladder cost less)', () => {
    const h = headline(baseline(3.2, 11.6, -10.8, -6.1), 120);
    expect(h.call).toBe('better');
    expect(h.text).toBe(
      'Ladder − market order: −8.4 [−10.8, −6.1] bps per order (implementation shortfall, paired over 120 parents, 95 % interval; positive = the ladder cost more): BETTER — the ladder cost less than a market order.',
    );
    expect(h.decomposition).toEqual([
      ['ladder implementation shortfall', '3.2'],
      ['market-order implementation shortfall', '11.6'],
      ['half spread at arrival (in both)', '10.0'],
      ['ladder vs the arrival far touch', '−6.8'],
      ['market order: paid beyond the far touch', '1.6'],
      ['difference = far-touch terms: ladder − market order', '−8.4 [−10.8, −6.1]'],
    ]);
    expect(formatHeadline(h)[0]).toBe(h.text);
  });
  it('worse: the whole interval above zero; cannot tell: an interval across zero', () => {
    expect(headline(baseline(5, 2.5, 1, 4), 120).call).toBe('worse');
    expect(headline(baseline(5, 2.5, 1, 4), 120).text).toContain('WORSE — the ladder cost more than a market order');
    const unclear = headline(baseline(3, 2.2, -1.2, 2.9), 120);
    expect(unclear.call).toBe('cannot tell');
    expect(unclear.text).toContain('0.8 [−1.2, 2.9] bps per order');
    expect(unclear.text).toContain('CANNOT TELL — the interval includes zero');
  });
  it('no baseline and no data say so', () => {
    expect(headline(null, 120)).toMatchObject({ call: 'no baseline', decomposition: [] });
    expect(headline(null, 120).text).toContain('cannot say whether the ladder beats a market order');
    expect(headline(null, 0).call).toBe('no data');
  });
});

describe('verdict', () => {
  it('the box carries the headline, its decomposition and the points; the far-touch figure is labelled as such', () => {
    const v = verdict({ overall, baselineAll: baseline(3.2, 11.6, -10.8, -6.1), markoutLongest: null, acceptedParents: 120, rejectedParents: 0 });
    expect(v.call).toBe('better');
    expect(v.headline).toBe(headline(baseline(3.2, 11.6, -10.8, -6.1), 120).text);
    expect(v.decomposition).toHaveLength(6);
    expect(v.points[0]).toBe('Cost of waiting: a median of 13.8 s to fill completely (mean 19.6 s), against 0.4 s for the simulated market order.');
    expect(v.points[1]).toBe('95 % of 120 parent orders filled completely; 24 of them needed the market step.');
    expect(v.points[2]).toContain('−7.3 [−9.8, −4.5] bps per order on the filled quantity, −$1,638.38 in total');
    expect(v.points[2]).toContain('This is not the headline');
  });
  it('cannot tell → the "unclear" box; rejected parents are counted', () => {
    const v = verdict({ overall, baselineAll: baseline(3, 2.2, -1.2, 2.9), markoutLongest: null, acceptedParents: 120, rejectedParents: 3 });
    expect(v.call).toBe('unclear');
    expect(v.points[1]).toContain('3 more were rejected before trading');
  });
  it('markouts are compared with the market order\'s: worse markouts are named as a payback; few orders are flagged', () => {
    const v = verdict({
      overall: { ...overall, n: 12 },
      baselineAll: baseline(3.2, 11.6, -10.8, -6.1),
      markoutLongest: { side: 'all', horizonS: 60, vsBaselineBps: 6.9, vsBaselineBps_lo: 2.0, vsBaselineBps_hi: 11.6 },
      acceptedParents: 12,
      rejectedParents: 0,
    });
    expect(v.points[3]).toContain('Markouts +60 s after the fills, ladder − market order: 6.9 [2.0, 11.6] bps');
    expect(v.points[3]).toContain('part of its saving is paid back');
    expect(v.points[4]).toBe('Only 12 parent orders: treat these intervals as rough; run more orders for a firmer answer.');
  });
  it('no accepted parent: nothing to measure', () => {
    const v = verdict({ overall: {}, baselineAll: null, markoutLongest: null, acceptedParents: 0, rejectedParents: 4 });
    expect(v.call).toBe('no-data');
    expect(v.points).toEqual(['4 parent orders were rejected by the risk checks.']);
  });
});
