/** The run report's tables as HTML (one function per section) and its definitions. */
import { PUBLISHED_CLAIM_FILL_RATES } from './charts.ts';
import { type Row, bps, count, percent, seconds, withInterval } from './format.ts';
import { type Column, htmlTable } from './html.ts';

const num = (label: string, cell: (r: Row) => string): Column => ({ label, cell, numeric: true });
const text = (label: string, cell: (r: Row) => string): Column => ({ label, cell });

export const DEFINITIONS: [string, string][] = [
  ['D', '+1 for a buy, −1 for a sell. M₀ = arrival mid, P = average fill price, F₀ = arrival far touch (buy: ask, sell: bid). bps = × 10 000.'],
  ['Implementation shortfall', 'D·(P − M₀)/M₀ on the filled quantity; unfilled quantity is charged its opportunity cost D·(M_end − M₀)/M₀ at the last mid of the parent\'s window; weighted by quantity within a parent. Positive = cost.'],
  ['Sign convention', 'Every bps figure in this report is a cost: positive = worse for the ladder, negative = better. The same colour means the same thing in every chart: blue the ladder, red the market-order baseline, grey their difference.'],
  ['Ladder − market order (the headline)', 'Ladder shortfall − baseline shortfall for the same parent (paired), averaged over the parents where both are known: the baseline sends the same parent at arrival as a market step (collared marketable limit) through the same simulated market. Negative = the ladder was cheaper.'],
  ['Decomposition', 'With H = half the arrival spread, D·(F₀ − M₀)/M₀: ladder shortfall = H + ladder vs the far touch; baseline shortfall = H + what the market order paid beyond the touch; so the headline = (ladder vs far touch) − (market order beyond the touch). Each term is a paired mean over the same parents.'],
  ['Vs arrival far touch (analytic)', 'D·(P − F₀)/M₀ on the filled quantity: the fills against an assumed market order filling everything at the arrival touch (the published claim\'s "saves $X vs market" is its negative; ignores depth and latency).'],
  ['Effective spread', '2·D·(p − M)/M per fill, M the mid when its child was sent; quantity-weighted.'],
  ['Markout at +Δ', 'D·(p − M₊Δ)/M₀ per fill, M₊Δ the mid Δ after the fill; quantity-weighted; a cost: positive = the mid moved against the fill (adverse selection). Compared with the market order\'s markouts on the same parents. A parent with any fill whose horizon runs past the tape or the regular-session close has no value at that horizon (counted as "unknown").'],
  ['Realized spread, price impact', 'Realized 2·D·(p − M₊Δ)/M and impact 2·D·(M₊Δ − M)/M, M the mid at the child\'s send; effective spread = realized spread + price impact.'],
  ['Fill rate per step', 'Share of accepted parents fully filled with their last fill at the step; cumulative = filled by the step; conditional = filled at the step among parents still open when it began.'],
  ['Spread bucket', 'Arrival spread (ask − bid)/ask · 100, the same spreadPct the ladder and the risk checks use: < 0.5 %, 0.5–1.5 % (inclusive), > 1.5 %.'],
  ['Share beyond displayed size', 'max(0, filled qty − far-side displayed size at arrival)/filled qty, summed over parents: the part of the order a marketable order at arrival could not have taken at the touch.'],
  ['95 % intervals', 'Percentile intervals of a block bootstrap: arrival minutes are resampled with replacement (orders in the same minute stay together), seeded from the config seed.'],
];

export function fillRateTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    text('step', (r) => String(r.stepLabel)),
    num('filled here', (r) => count(r.filledAt)),
    num('filled at this step', (r) => withInterval(r, 'share', percent)),
    num('filled by this step', (r) => withInterval(r, 'cumulative', percent)),
    num('of those still open', (r) => withInterval(r, 'conditional', percent)),
    num('published claim (by step)', (r) => {
      const claim = r.stepLabel === 'market' ? undefined : PUBLISHED_CLAIM_FILL_RATES[r.fillStep as number];
      return claim ? `${percent(claim[0])}–${percent(claim[1])}` : '—';
    }),
  ]);
}

export function spreadTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('arrival spread', (r) => String(r.spreadBucket)),
    num('parents', (r) => count(r.n)),
    num('shortfall (bps)', (r) => withInterval(r, 'shortfallBps', bps)),
    num('ladder − market order (bps)', (r) => withInterval(r, 'vsBaselineBps', bps)),
    num('vs far touch, analytic (bps)', (r) => withInterval(r, 'vsFarTouchBps', bps)),
  ]);
}

export function speedTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    num('parents', (r) => count(r.n)),
    num('filled completely', (r) => withInterval(r, 'fillRate', percent)),
    num('mean time to fill (s)', (r) => withInterval(r, 'timeToFillS', seconds)),
    num('median (s)', (r) => seconds(r.medianTimeToFillS)),
    num('shortfall (bps)', (r) => withInterval(r, 'shortfallBps', bps)),
    num('vs far touch, analytic (bps)', (r) => withInterval(r, 'vsFarTouchBps', bps)),
  ]);
}

export function markoutTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    text('horizon', (r) => `+${r.horizonS} s`),
    num('parents with fills', (r) => count(r.filledParents)),
    num('unknown (past tape/close)', (r) => count(r.unknownHorizon)),
    num('markout (bps)', (r) => withInterval(r, 'markoutBps', bps)),
    num('realized spread (bps)', (r) => withInterval(r, 'realizedSpreadBps', bps)),
    num('price impact (bps)', (r) => withInterval(r, 'priceImpactBps', bps)),
    num('effective spread (bps)', (r) => withInterval(r, 'effectiveSpreadBps', bps)),
  ]);
}

export function baselineTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    num('pairs', (r) => count(r.pairs)),
    num('ladder shortfall (bps)', (r) => withInterval(r, 'ladderShortfallBps', bps)),
    num('baseline shortfall (bps)', (r) => withInterval(r, 'baselineShortfallBps', bps)),
    num('ladder − market order (bps)', (r) => withInterval(r, 'vsBaselineBps', bps)),
    num('half spread (bps)', (r) => withInterval(r, 'halfSpreadBps', bps)),
    num('ladder vs far touch (bps)', (r) => withInterval(r, 'ladderVsFarTouchBps', bps)),
    num('market order beyond touch (bps)', (r) => withInterval(r, 'baselineBeyondTouchBps', bps)),
    num('ladder time to fill (s)', (r) => withInterval(r, 'ladderTimeToFillS', seconds)),
    num('baseline time to fill (s)', (r) => withInterval(r, 'baselineTimeToFillS', seconds)),
  ]);
}

export function detailsTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    num('parents', (r) => count(r.n)),
    num('effective spread (bps)', (r) => bps(r.effectiveSpreadBps)),
    num('price levels sent', (r) => (typeof r.priceLevelsSent === 'number' ? r.priceLevelsSent.toFixed(2) : '—')),
    num('fill price levels', (r) => (typeof r.fillPriceLevels === 'number' ? r.fillPriceLevels.toFixed(2) : '—')),
    num('qty beyond displayed size', (r) => percent(r.beyondDisplayedShare)),
    num('mean fill step', (r) => (typeof r.fillStep === 'number' ? r.fillStep.toFixed(2) : '—')),
  ]);
}

export function markoutsVsBaselineTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('side', (r) => String(r.side)),
    text('horizon', (r) => `+${r.horizonS} s`),
    num('pairs', (r) => count(r.pairs)),
    num('ladder markout (bps)', (r) => withInterval(r, 'ladderMarkoutBps', bps)),
    num('market-order markout (bps)', (r) => withInterval(r, 'baselineMarkoutBps', bps)),
    num('ladder − market order (bps)', (r) => withInterval(r, 'vsBaselineBps', bps)),
  ]);
}

export function breakdownsTable(rows: Row[]): string {
  return htmlTable(rows, [
    text('by', (r) => String(r.dimension)),
    text('group', (r) => `${String(r.group)}${r.thin ? ' (thin: n < 30)' : ''}`),
    num('parents', (r) => count(r.n)),
    num('pairs', (r) => count(r.pairs)),
    num('ladder − market order (bps)', (r) => withInterval(r, 'vsBaselineBps', bps)),
    num('ladder shortfall (bps)', (r) => withInterval(r, 'shortfallBps', bps)),
    num('filled completely', (r) => withInterval(r, 'fillRate', percent)),
  ]);
}
