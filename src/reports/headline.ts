/**
 * The one headline of a run, printed word for word by `ladderlab backtest` and at the top of the
 * HTML report: per parent, the ladder's implementation shortfall minus the market-order
 * baseline's on the same parent (paired), its mean with a 95 % block-bootstrap interval
 * (tables.ts ladderVsBaselineTable, the "all" row), and the verdict:
 *   better       the interval lies below 0 (the ladder cost less)
 *   worse        the interval lies above 0
 *   cannot tell  the interval contains 0
 * Under it a decomposition that cannot contradict it — every term a paired mean over the same
 * parents, with H the half spread at arrival:
 *   Δ = ladder IS − baseline IS,  ladder IS = H + ladder vs far touch,  baseline IS = H + beyond touch
 *   so Δ = (ladder vs far touch) − (what the market order paid beyond the touch).
 */
import { type Row, bps, count, withInterval } from './format.ts';

export type Call = 'better' | 'worse' | 'cannot tell' | 'no baseline' | 'no data';

export interface Headline {
  call: Call;
  /** The sentence, identical in the CLI summary and the report. */
  text: string;
  /** [label, value] lines of the decomposition (values "x [lo, hi]" in bps). */
  decomposition: [string, string][];
}

/** The verdict of a cost difference from its interval (positive = the ladder cost more). */
export function callOf(row: Row, column: string): 'better' | 'worse' | 'cannot tell' {
  const lo = row[`${column}_lo`];
  const hi = row[`${column}_hi`];
  if (typeof hi === 'number' && hi < 0) return 'better';
  if (typeof lo === 'number' && lo > 0) return 'worse';
  return 'cannot tell';
}

const CALL_WORDS: Record<'better' | 'worse' | 'cannot tell', string> = {
  better: 'BETTER — the ladder cost less than a market order',
  worse: 'WORSE — the ladder cost more than a market order',
  'cannot tell': 'CANNOT TELL — the interval includes zero',
};

/** The headline from the ladder-vs-baseline "all" row (null: no baseline was run). */
export function headline(all: Row | null, acceptedParents: number): Headline {
  if (acceptedParents === 0) return { call: 'no data', text: 'No parent order was accepted in this run: nothing to measure.', decomposition: [] };
  if (all === null || typeof all.vsBaselineBps !== 'number') {
    return {
      call: 'no baseline',
      text: 'The market-order baseline was not run (--no-baseline), so this run cannot say whether the ladder beats a market order.',
      decomposition: [],
    };
  }
  const call = callOf(all, 'vsBaselineBps');
  const text =
    `Ladder − market order: ${withInterval(all, 'vsBaselineBps', bps)} bps per order ` +
    `(implementation shortfall, paired over ${count(all.pairs)} parents, 95 % interval; positive = the ladder cost more): ${CALL_WORDS[call]}.`;
  const decomposition: [string, string][] = [
    ['ladder implementation shortfall', withInterval(all, 'ladderShortfallBps', bps)],
    ['market-order implementation shortfall', withInterval(all, 'baselineShortfallBps', bps)],
    ['half spread at arrival (in both)', withInterval(all, 'halfSpreadBps', bps)],
    ['ladder vs the arrival far touch', withInterval(all, 'ladderVsFarTouchBps', bps)],
    ['market order: paid beyond the far touch', withInterval(all, 'baselineBeyondTouchBps', bps)],
    ['difference = far-touch terms: ladder − market order', withInterval(all, 'vsBaselineBps', bps)],
  ];
  return { call, text, decomposition };
}

/** The headline as text lines (the CLI summary). */
export function formatHeadline(h: Headline): string[] {
  const width = Math.max(0, ...h.decomposition.map(([label]) => label.length));
  return [h.text, ...h.decomposition.map(([label, value]) => `  ${label.padEnd(width)}  ${value} bps`)];
}
