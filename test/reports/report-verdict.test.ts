/** The plain-language verdict: a difference is called only when its 95 % interval excludes zero. */
import { describe, expect, it } from 'vitest';
import { verdict } from '../../src/reports/verdict.ts';

const overall = {
  n: 120,
  fillRate: 0.95,
  fillRate_lo: 0.9,
  fillRate_hi: 0.98,
  shortfallBps: 3.2,
  shortfallBps_lo: 1.3,
  shortfallBps_hi: 5.4,
  improvementFarTouchBps: 7.3,
  improvementFarTouchBps_lo: 4.5,
  improvementFarTouchBps_hi: 9.8,
  timeToFillS: 19.6,
  medianTimeToFillS: 13.8,
  savedFarTouchUsd: 1638.375,
  marketStepParents: 24,
};
const baseline = (improvement: number, lo: number, hi: number) => ({
  side: 'all',
  pairs: 120,
  improvementBps: improvement,
  improvementBps_lo: lo,
  improvementBps_hi: hi,
  baselineTimeToFillS: 0.4,
});

describe('verdict', () => {
  it('better: the whole interval above zero', () => {
    const v = verdict({ overall, baselineAll: baseline(8.4, 6.1, 10.8), markoutLongest: null, acceptedParents: 120, rejectedParents: 0 });
    expect(v.call).toBe('better');
    expect(v.headline).toBe(
      'The ladder beat a market order: it saved 8.4 bps per order on average (95 % interval 6.1 to 10.8 bps) against the simulated market-order baseline on the same 120 parent orders.',
    );
    expect(v.points[0]).toBe('Cost of waiting: a median of 13.8 s to fill completely (mean 19.6 s), against 0.4 s for the market order.');
    expect(v.points[1]).toBe('95 % of 120 parent orders filled completely; 24 of them needed the market step.');
    expect(v.points[3]).toContain('$1,638.38 in total');
  });
  it('worse: the whole interval below zero, told as a cost', () => {
    const v = verdict({ overall, baselineAll: baseline(-2.5, -4, -1), markoutLongest: null, acceptedParents: 120, rejectedParents: 3 });
    expect(v.call).toBe('worse');
    expect(v.headline).toMatch(/^The ladder did worse than a market order: it cost 2\.5 bps more per order on average \(95 % interval −4\.0 to −1\.0 bps\)/);
    expect(v.points[1]).toContain('3 more were rejected by the risk checks');
  });
  it('unclear: an interval across zero is not called either way', () => {
    const v = verdict({ overall, baselineAll: baseline(0.8, -1.2, 2.9), markoutLongest: null, acceptedParents: 120, rejectedParents: 0 });
    expect(v.call).toBe('unclear');
    expect(v.headline).toMatch(/^No clear difference from a market order: .*0\.8 bps.*includes zero/);
  });
  it('no baseline: says so, and falls back to the labelled analytic comparison', () => {
    const v = verdict({ overall, baselineAll: null, markoutLongest: null, acceptedParents: 120, rejectedParents: 0 });
    expect(v.headline).toMatch(/^The market-order baseline was not run, so this run cannot say whether the ladder beats a simulated market order\./);
    expect(v.headline).toContain('Against the arrival far touch (analytic');
    expect(v.call).toBe('better');
  });
  it('adverse selection is named when the longest markout is clearly negative; few orders are flagged', () => {
    const v = verdict({
      overall: { ...overall, n: 12 },
      baselineAll: baseline(8.4, 6.1, 10.8),
      markoutLongest: { side: 'all', horizonS: 60, markoutBps: -6.9, markoutBps_lo: -11.6, markoutBps_hi: -2.0 },
      acceptedParents: 12,
      rejectedParents: 0,
    });
    expect(v.points).toContain(
      'Adverse selection: +60 s after the fills the mid had moved 6.9 bps against the ladder (qty-weighted), so part of the saving is paid back in what happens next.',
    );
    expect(v.points.at(-1)).toBe('Only 12 parent orders: treat these intervals as rough; run more orders for a firmer answer.');
  });
});
