/**
 * The three sample symbols, one character each (invented tickers, so nobody mistakes them for
 * real data):
 *  - BLUE  ~$182, a few-cent spread: the model fitted to IBM 2013-10-07 (fitted-ibm.json), as is.
 *  - PENNY ~$15, tick-constrained: the spread is one cent almost all the time, queues are deep.
 *  - WIDE  ~$15, volatile with wide spreads (like the seed's UVXY 15.23/15.32).
 * PENNY and WIDE are derived from the fitted model by the transforms below, each stated with its
 * reason, so all three share the fitted intraday shape, queue reactions and print mix.
 */
import { readFileSync } from 'node:fs';
import type { Histogram, SampleModel } from './model.ts';
import { sampleModelSchema } from './model.ts';

export const SAMPLE_DAY = '2025-03-12'; // a Wednesday, after the March DST change, no holiday

export interface SampleSymbol {
  symbol: string;
  character: string;
  model: SampleModel;
}

let fitted: SampleModel | undefined;

/** The committed IBM fit (written by `npm run sample:fit`), validated. */
export function fittedIbmModel(): SampleModel {
  if (!fitted) {
    const url = new URL('./fitted-ibm.json', import.meta.url);
    const parsed = sampleModelSchema.safeParse(JSON.parse(readFileSync(url, 'utf8')));
    if (!parsed.success) throw new Error(`${url.pathname}: not a sample model: ${parsed.error.message}`);
    fitted = parsed.data;
  }
  return fitted;
}

function scaleValues(h: Histogram, factor: number): Histogram {
  return { values: h.values.map((v) => Math.round(v * factor)), weights: [...h.weights] };
}

/**
 * Spread one value v of a tick histogram over k(v−1)+1 … k·v with equal shares of its weight:
 * the same distribution seen through a k-times finer tick.
 */
function refine(h: Histogram, k: number, below = Infinity): Histogram | null {
  const weights = new Map<number, number>();
  h.values.forEach((v, i) => {
    for (let j = k * (v - 1) + 1; j <= k * v; j++) if (j < below) weights.set(j, (weights.get(j) ?? 0) + h.weights[i] / k);
  });
  const values = [...weights.keys()].sort((a, b) => a - b);
  return values.length ? { values, weights: values.map((v) => weights.get(v)!) } : null;
}

/** Every displayed-size distribution (and the queue buckets) times `factor`; prints times `printFactor`. */
function scaleSizes(m: SampleModel, factor: number, printFactor: number): SampleModel {
  return {
    ...m,
    queueBucketMaxShares: m.queueBucketMaxShares.map((b) => b * factor),
    levelSize: scaleValues(m.levelSize, factor),
    refreshSize: scaleValues(m.refreshSize, factor),
    addSize: scaleValues(m.addSize, factor),
    cancelSize: scaleValues(m.cancelSize, factor),
    printSize: scaleValues(m.printSize, printFactor),
  };
}

/**
 * Tick-constrained: a $15 name whose fair spread is well under a cent. Displayed sizes ×40 (deep
 * queues at the one-cent touch); prints ×2; a spread wider than one tick is filled back within
 * ~10 ms (50 improvements a second per side, always to one tick); a deep level is rarely pulled
 * whole (pulls ×0.1) or emptied by one market order, so the price ticks a few times a minute,
 * not every few seconds; the fitted inside-print rate of a two-tick spread applies at the
 * half-cent midpoint of the one-tick spread, where such names' off-exchange and midpoint
 * volume prints.
 */
export function tickConstrainedModel(base: SampleModel): SampleModel {
  const m = scaleSizes(base, 40, 2);
  const S = m.maxSpreadTicks;
  const one: Histogram = { values: [1], weights: [1] };
  return {
    ...m,
    description: `tick-constrained $15 name derived from: ${base.description}`,
    startMidDollars: 15.005,
    improvesPerSec: m.improvesPerSec.map((_, s) => (s >= 2 ? 50 : 0)),
    improveToSpread: m.improveToSpread.map((_, s) => (s >= 2 ? one : null)),
    pulls: { ...m.pulls, perSecBySpread: m.pulls.perSecBySpread.map((r) => r * 0.1) },
    clearAfterOrder: [0.1, 0.01, 0.002],
    offExchangeInsidePerSec: m.offExchangeInsidePerSec.map((r, s) => (s === 1 ? m.offExchangeInsidePerSec[Math.min(2, S)] : r)),
    hiddenInsidePerSec: m.hiddenInsidePerSec.map((r, s) => (s === 1 ? m.hiddenInsidePerSec[Math.min(2, S)] / 2 : r)),
  };
}

/**
 * Volatile, wide spreads: a $15 name quoted like the seed's UVXY (9 cents). The fitted model seen
 * through a tick three times finer: spread state s uses the fitted row ⌈s/3⌉, improvement
 * targets and fall-back gaps spread over the three finer ticks (so spreads come out ~3× wider in
 * ticks); event rates ×0.35 (each move is 3× larger, so fewer of them keep the one-minute mid
 * swings near 1 %); displayed sizes ×5 and prints ×3 (a cheaper share trades in larger lots).
 */
export function wideSpreadModel(base: SampleModel): SampleModel {
  const k = 3;
  const rateScale = 0.35;
  const m = scaleSizes(base, 5, 3);
  const S = base.maxSpreadTicks * k;
  const rowOf = (s: number) => Math.min(base.maxSpreadTicks, Math.ceil(s / k));
  const stretch = (row: readonly number[]) => Array.from({ length: S + 1 }, (_, s) => (s === 0 ? 0 : row[rowOf(s)] * rateScale));
  const side = (r: SampleModel['adds']) => ({ perSecBySpread: stretch(r.perSecBySpread), factorByQueue: [...r.factorByQueue] });
  return {
    ...m,
    description: `volatile wide-spread $15 name derived from: ${base.description}`,
    startMidDollars: 15.28,
    maxSpreadTicks: S,
    marketOrders: side(m.marketOrders),
    adds: side(m.adds),
    cancels: side(m.cancels),
    pulls: side(m.pulls),
    improvesPerSec: stretch(m.improvesPerSec),
    offExchangeTouchPerSec: stretch(m.offExchangeTouchPerSec),
    offExchangeInsidePerSec: stretch(m.offExchangeInsidePerSec),
    hiddenInsidePerSec: stretch(m.hiddenInsidePerSec),
    improveToSpread: Array.from({ length: S + 1 }, (_, s) => {
      const h = base.improveToSpread[rowOf(s)];
      return s < 2 || !h ? null : refine(h, k, s);
    }),
    clearGapTicks: refine(base.clearGapTicks, k)!,
  };
}

export function sampleSymbols(): SampleSymbol[] {
  const ibm = fittedIbmModel();
  return [
    { symbol: 'PENNY', character: 'tick-constrained ~$15, one-cent spread, deep queues', model: tickConstrainedModel(ibm) },
    { symbol: 'BLUE', character: 'IBM-like ~$182, a few cents wide (fitted to IBM 2013-10-07)', model: ibm },
    { symbol: 'WIDE', character: 'volatile ~$15, wide spreads (like UVXY 15.23/15.32)', model: wideSpreadModel(ibm) },
  ];
}
