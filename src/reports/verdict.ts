/**
 * The plain-language verdict at the top of the report: does the ladder beat a market order, by
 * how much, and at what cost in time. A difference is called only when its 95 % interval
 * excludes zero; otherwise the verdict says the run cannot tell.
 */
import { type Row, bps, count, intervalAbove, intervalBelow, percent, seconds, usd } from './format.ts';

export interface VerdictInput {
  overall: Row;
  /** The "all" row of ladder vs baseline, or null when the baseline was not run. */
  baselineAll: Row | null;
  /** The "all" row of the markouts table at the longest horizon, if any. */
  markoutLongest: Row | null;
  acceptedParents: number;
  rejectedParents: number;
}

export interface Verdict {
  headline: string;
  /** 'better' | 'worse' | 'unclear' vs the baseline (or the far touch without one). */
  call: 'better' | 'worse' | 'unclear' | 'no-data';
  points: string[];
}

const FEW_PARENTS = 30;

export function verdict(input: VerdictInput): Verdict {
  const { overall, baselineAll } = input;
  const points: string[] = [];
  if (input.acceptedParents === 0) {
    return {
      headline: 'No parent order was accepted in this run, so there is nothing to measure.',
      call: 'no-data',
      points: input.rejectedParents > 0 ? [`${count(input.rejectedParents)} parent orders were rejected by the risk checks.`] : [],
    };
  }

  let headline: string;
  let call: Verdict['call'];
  const n = count(overall.n);
  if (baselineAll && typeof baselineAll.improvementBps === 'number') {
    const ci = `95 % interval ${bps(baselineAll.improvementBps_lo)} to ${bps(baselineAll.improvementBps_hi)} bps`;
    if (intervalAbove(baselineAll, 'improvementBps')) {
      call = 'better';
      headline = `The ladder beat a market order: it saved ${bps(baselineAll.improvementBps)} bps per order on average (${ci}) against the simulated market-order baseline on the same ${count(baselineAll.pairs)} parent orders.`;
    } else if (intervalBelow(baselineAll, 'improvementBps')) {
      call = 'worse';
      headline = `The ladder did worse than a market order: it cost ${bps(-(baselineAll.improvementBps as number))} bps more per order on average (${ci}) than the simulated market-order baseline on the same ${count(baselineAll.pairs)} parent orders.`;
    } else {
      call = 'unclear';
      headline = `No clear difference from a market order: the ladder's average saving was ${bps(baselineAll.improvementBps)} bps per order, but the ${ci} includes zero (${count(baselineAll.pairs)} paired parent orders).`;
    }
  } else {
    const ci = `95 % interval ${bps(overall.improvementFarTouchBps_lo)} to ${bps(overall.improvementFarTouchBps_hi)} bps`;
    call = intervalAbove(overall, 'improvementFarTouchBps') ? 'better' : intervalBelow(overall, 'improvementFarTouchBps') ? 'worse' : 'unclear';
    headline =
      `The market-order baseline was not run, so this run cannot say whether the ladder beats a simulated market order. ` +
      `Against the arrival far touch (analytic: a market order assumed to fill in full at the touch) the ladder's fills were ${bps(overall.improvementFarTouchBps)} bps better per order (${ci}).`;
  }

  points.push(
    `Cost of waiting: a median of ${seconds(overall.medianTimeToFillS)} s to fill completely (mean ${seconds(overall.timeToFillS)} s)` +
      (baselineAll && typeof baselineAll.baselineTimeToFillS === 'number' ? `, against ${seconds(baselineAll.baselineTimeToFillS)} s for the market order.` : '.'),
  );
  points.push(
    `${percent(overall.fillRate)} of ${n} parent orders filled completely; ${count(overall.marketStepParents)} of them needed the market step.` +
      (input.rejectedParents > 0 ? ` ${count(input.rejectedParents)} more were rejected by the risk checks and are not measured.` : ''),
  );
  points.push(
    `Implementation shortfall against the arrival mid: ${bps(overall.shortfallBps)} bps per order on average (95 % interval ${bps(overall.shortfallBps_lo)} to ${bps(overall.shortfallBps_hi)}), unfilled quantity charged at the last mid of its window.`,
  );
  if (baselineAll) {
    points.push(
      `Against the arrival far touch (analytic, as the seed counts "saves $X vs market"): ${bps(overall.improvementFarTouchBps)} bps per order, ${usd(overall.savedFarTouchUsd)} in total.`,
    );
  } else {
    points.push(`In dollars, the analytic far-touch saving totals ${usd(overall.savedFarTouchUsd)}.`);
  }
  const m = input.markoutLongest;
  if (m && typeof m.markoutBps === 'number') {
    const horizon = `+${m.horizonS} s`;
    if (intervalBelow(m, 'markoutBps')) {
      points.push(`Adverse selection: ${horizon} after the fills the mid had moved ${bps(-(m.markoutBps as number))} bps against the ladder (qty-weighted), so part of the saving is paid back in what happens next.`);
    } else if (intervalAbove(m, 'markoutBps')) {
      points.push(`${horizon} after the fills the mid had moved ${bps(m.markoutBps)} bps in the ladder's favour (qty-weighted).`);
    } else {
      points.push(`Markouts at ${horizon} (${bps(m.markoutBps)} bps) show no clear adverse selection.`);
    }
  }
  if ((overall.n as number) < FEW_PARENTS) {
    points.push(`Only ${n} parent orders: treat these intervals as rough; run more orders for a firmer answer.`);
  }
  return { headline, call, points };
}
