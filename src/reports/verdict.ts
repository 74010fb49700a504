/**
 * The verdict box at the top of the report: the run's headline (headline.ts, the same sentence
 * the backtest CLI prints), its decomposition, and the points a trader weighs next — the cost of
 * waiting, how much needed the market step, markouts against the market order's. A difference
 * is called only when its 95 % interval excludes zero. Every bps figure is a cost.
 */
import { type Row, bps, count, percent, seconds, usd, withInterval } from './format.ts';
import { type Call, type Headline, callOf, headline } from './headline.ts';

export interface VerdictInput {
  overall: Row;
  /** The "all" row of ladder vs baseline, or null when the baseline was not run. */
  baselineAll: Row | null;
  /** The "all" row of the markouts-vs-baseline table at the longest horizon, if any. */
  markoutLongest: Row | null;
  acceptedParents: number;
  rejectedParents: number;
}

/** The verdict box of any report page (run, sweep, fidelity). */
export interface Verdict {
  headline: string;
  call: 'better' | 'worse' | 'unclear' | 'no-data' | 'no-baseline';
  points: string[];
  /** [label, value] lines shown under the headline (the run report's decomposition). */
  decomposition?: [string, string][];
}

const CSS_CALL: Record<Call, Verdict['call']> = { better: 'better', worse: 'worse', 'cannot tell': 'unclear', 'no data': 'no-data', 'no baseline': 'no-baseline' };

function box(h: Headline, points: string[]): Verdict {
  return { headline: h.text, call: CSS_CALL[h.call], points, decomposition: h.decomposition };
}

const FEW_PARENTS = 30;

export function verdict(input: VerdictInput): Verdict {
  const { overall, baselineAll } = input;
  const h = headline(baselineAll, input.acceptedParents);
  const points: string[] = [];
  if (h.call === 'no data') {
    if (input.rejectedParents > 0) points.push(`${count(input.rejectedParents)} parent orders were rejected by the risk checks.`);
    return box(h, points);
  }
  points.push(
    `Cost of waiting: a median of ${seconds(overall.medianTimeToFillS)} s to fill completely (mean ${seconds(overall.timeToFillS)} s)` +
      (baselineAll && typeof baselineAll.baselineTimeToFillS === 'number' ? `, against ${seconds(baselineAll.baselineTimeToFillS)} s for the simulated market order.` : '.'),
  );
  points.push(
    `${percent(overall.fillRate)} of ${count(overall.n)} parent orders filled completely; ${count(overall.marketStepParents)} of them needed the market step.` +
      (input.rejectedParents > 0 ? ` ${count(input.rejectedParents)} more were rejected before trading and are not measured.` : ''),
  );
  points.push(
    `Against the arrival far touch (analytic, as the published claim counts "saves $X vs market"; it assumes a market order fills everything at the touch): ` +
      `${withInterval(overall, 'vsFarTouchBps', bps)} bps per order on the filled quantity, ${usd(overall.vsFarTouchUsd)} in total (negative = better than the touch). ` +
      `This is not the headline: the simulated market order did not fill at the touch.`,
  );
  const m = input.markoutLongest;
  if (m && typeof m.vsBaselineBps === 'number') {
    const horizon = `+${m.horizonS} s`;
    const call = callOf(m, 'vsBaselineBps');
    points.push(
      `Markouts ${horizon} after the fills, ladder − market order: ${withInterval(m, 'vsBaselineBps', bps)} bps (a cost; ` +
        (call === 'worse'
          ? 'the ladder\'s fills were followed by more adverse moves than the market order\'s: part of its saving is paid back).'
          : call === 'better'
            ? 'the ladder\'s fills were followed by more favourable moves than the market order\'s).'
            : 'no clear difference from the market order\'s).'),
    );
  }
  if ((overall.n as number) < FEW_PARENTS) {
    points.push(`Only ${count(overall.n)} parent orders: treat these intervals as rough; run more orders for a firmer answer.`);
  }
  return box(h, points);
}
