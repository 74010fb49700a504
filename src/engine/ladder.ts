/**
 * Pure step pricing for the progressive ladder (DESIGN §2).
 *
 *   step k = 0 … S−1:   buy  L_k = mid + spread · k · p · a_buy
 *                       sell L_k = mid − spread · k · p · a_sell
 *   then the market step: a marketable limit at the far touch ± a collar.
 *
 * p is the step percentage; with the adaptive rule it follows the spread (ONE spreadPct function,
 * ask denominator, shared with risk and reports). Every price is rounded in integer ticks toward
 * the passive side and never through the far touch (ticks.ts).
 */
import type { ExecutionConfig } from './config.ts';
import { ceilToTick, dollarsToUnits, floorToTick, roundPassive, unitsToDollars } from './ticks.ts';
import type { Quote, Side } from './types.ts';

export interface LadderParams {
  steps: number;
  stepPercentage: number;
  aggressionBuy: number;
  aggressionSell: number;
  adaptive: boolean;
  wideSpreadPct: number;
  wideStepPercentage: number;
  narrowSpreadPct: number;
  narrowStepPercentage: number;
}

export function ladderParams(execution: ExecutionConfig): LadderParams {
  return {
    steps: execution.progressive_steps,
    stepPercentage: execution.step_percentage,
    aggressionBuy: execution.aggression_buy,
    aggressionSell: execution.aggression_sell,
    adaptive: execution.adaptive_step,
    wideSpreadPct: execution.adaptive_wide_spread_pct,
    wideStepPercentage: execution.adaptive_wide_step_percentage,
    narrowSpreadPct: execution.adaptive_narrow_spread_pct,
    narrowStepPercentage: execution.adaptive_narrow_step_percentage,
  };
}

/** The spread in percent of the ask: (ask − bid) / ask · 100. The ONE definition in ladderlab. */
export function spreadPct(bid: number, ask: number): number {
  return ((ask - bid) / ask) * 100;
}

export type QuoteProblem = 'missing' | 'locked' | 'crossed' | 'stale' | 'invalid';

/**
 * Why a quote cannot be priced from, or null when it can: it must exist, have positive prices,
 * be neither locked (bid = ask) nor crossed (bid > ask), and be at most `staleMs` old.
 */
export function quoteProblem(quote: Quote | undefined, nowUs: number, staleMs: number): QuoteProblem | null {
  if (!quote) return 'missing';
  if (!(quote.bid > 0) || !(quote.ask > 0)) return 'invalid';
  const bidUnits = Math.round(dollarsToUnits(quote.bid));
  const askUnits = Math.round(dollarsToUnits(quote.ask));
  if (bidUnits === askUnits) return 'locked';
  if (bidUnits > askUnits) return 'crossed';
  if (nowUs - quote.tsUs > staleMs * 1000) return 'stale';
  return null;
}

/** Step percentage for a spread: adaptive (> wide → wide %, < narrow → narrow %) or the configured one. */
export function stepPercentageFor(spreadPercent: number, params: LadderParams): number {
  if (!params.adaptive) return params.stepPercentage;
  if (spreadPercent > params.wideSpreadPct) return params.wideStepPercentage;
  if (spreadPercent < params.narrowSpreadPct) return params.narrowStepPercentage;
  return params.stepPercentage;
}

export function aggressionFor(side: Side, params: LadderParams): number {
  return side === 'buy' ? params.aggressionBuy : params.aggressionSell;
}

/** Unrounded target of step k, in dollars (for tables and for the "within one tick" checks). */
export function stepTarget(bid: number, ask: number, side: Side, step: number, stepPercentage: number, aggression: number): number {
  const bidUnits = dollarsToUnits(bid);
  const askUnits = dollarsToUnits(ask);
  const midUnits = (bidUnits + askUnits) / 2;
  const offsetUnits = (askUnits - bidUnits) * step * (stepPercentage / 100) * aggression;
  return unitsToDollars(side === 'buy' ? midUnits + offsetUnits : midUnits - offsetUnits);
}

export interface StepQuote {
  bid: number;
  ask: number;
}

/** The legal limit price of limit step k for a usable quote. */
export function stepPrice(quote: StepQuote, side: Side, step: number, params: LadderParams, tickUnits: number): number {
  const p = stepPercentageFor(spreadPct(quote.bid, quote.ask), params);
  const target = stepTarget(quote.bid, quote.ask, side, step, p, aggressionFor(side, params));
  return roundPassive(target, side, side === 'buy' ? quote.ask : quote.bid, tickUnits);
}

export interface Collar {
  /** Ticks beyond the far touch. */
  ticks: number;
  /** Basis points beyond the far touch; when set it wins over ticks. */
  bps?: number;
}

/**
 * The market step: a marketable limit at the far touch ± the collar, so a "market order" can
 * never fill at any price. buy: ask + collar, sell: bid − collar; a bps collar rounds back toward
 * the touch (the collar is a bound, never exceeded).
 */
export function marketStepPrice(quote: StepQuote, side: Side, collar: Collar, tickUnits: number): number {
  const farUnits = dollarsToUnits(side === 'buy' ? quote.ask : quote.bid);
  if (collar.bps !== undefined) {
    const widthUnits = (farUnits * collar.bps) / 10_000;
    return side === 'buy'
      ? unitsToDollars(floorToTick(farUnits + widthUnits, tickUnits))
      : unitsToDollars(Math.max(tickUnits, ceilToTick(farUnits - widthUnits, tickUnits)));
  }
  return side === 'buy'
    ? unitsToDollars(floorToTick(farUnits, tickUnits) + collar.ticks * tickUnits)
    : unitsToDollars(Math.max(tickUnits, ceilToTick(farUnits, tickUnits) - collar.ticks * tickUnits));
}

export interface LadderRow {
  step: number;
  stepPercentage: number;
  target: number;
  price: number;
}

/** The whole limit ladder for one quote and side, as the demo and docs print it. */
export function ladderTable(quote: StepQuote, side: Side, params: LadderParams, tickUnits: number): LadderRow[] {
  const p = stepPercentageFor(spreadPct(quote.bid, quote.ask), params);
  const rows: LadderRow[] = [];
  for (let step = 0; step < params.steps; step++) {
    rows.push({
      step,
      stepPercentage: p,
      target: stepTarget(quote.bid, quote.ask, side, step, p, aggressionFor(side, params)),
      price: stepPrice(quote, side, step, params, tickUnits),
    });
  }
  return rows;
}
