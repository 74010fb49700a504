/**
 * Generate one regular session of a symbol's top of book and prints from a SampleModel.
 *
 * State: bid and ask (integer price units, whole ticks apart, never locked or crossed) and their
 * displayed sizes. With spread s ticks (s̄ = min(s, S)), the sides' queue buckets q_bid, q_ask and
 * intraday bucket b, every event kind arrives at rate
 *   one-side kinds on side x:   λ = u[b] · perSecBySpread[s̄] · factorByQueue[q_x]
 *   improvements, per side:     λ = uQ[b] · improvesPerSec[s̄]          (s ≥ 2)
 *   prints leaving the quote:   λ = uT[b] · rate[s̄]
 * (u = uT, the trade profile, for market orders and prints; uQ, the quote profile, otherwise;
 * cancels only while the side shows more than a lot). The next event comes after an exponential
 * wait at the total rate Λ = Σ λ (bucket edges restart the wait: exact, the process being
 * memoryless) and is kind k with probability λ_k / Λ:
 *  - market order on a side (MO): k prints at that touch, volume V = Σ sizes. With prob
 *    clearAfterOrder[q] (q its queue bucket) the level clears; otherwise its displayed size D
 *    falls by V, or, when less than a lot would remain, is replenished at the same price (a
 *    reserve order refreshing, another venue at that price) with a size from refreshSize. The
 *    quote update carries the prints' timestamp, so trades come first (DESIGN §3 event order).
 *  - add / cancel at a touch: D rises / falls (a cancel only while D > one lot, never below it;
 *    its size drawn from cancelSize given that bound).
 *  - pull: the touch level is cancelled; the side falls back by a gap of g ticks (clearGapTicks)
 *    with a fresh displayed size. The same happens when a market order clears a level.
 *  - improve (s ≥ 2): a new level inside the spread; the new spread s' < s from improveToSpread[s̄].
 *  - reaction: when a side falls back, with the fitted probabilities the opposite side improves
 *    in the same instant, or a delay later (reaction.delayMs) the opposite side follows or the
 *    same side refills; a spontaneous improvement first cancels a pending reaction.
 *  - off-exchange print (exchange D, eligible 0) at a touch or inside the spread, or a hidden
 *    exchange print inside the spread (eligible 1): a trade that leaves the displayed quote alone.
 *    Inside prints take a whole tick drawn evenly inside the spread, or at a one-tick spread the
 *    midpoint (sub-penny midpoint prints are legal off-exchange and for midpoint orders).
 * Every event gets its own microsecond (strictly increasing), so a quote row never shares a
 * timestamp with a print it did not cause.
 */
import { makeTickTable, unitsToDollars, dollarsToUnits } from '../../engine/ticks.ts';
import { exchangeCode, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import type { SymbolDay } from '../tape/tape.ts';
import type { Histogram, SampleModel } from './model.ts';
import { DiscreteSampler, exponentialWait, makeUniform } from './random.ts';
import { QuoteBuilder, TradeBuilder } from '../tape/builder.ts';

export interface GenerateOptions {
  symbol: string;
  /** New York date, YYYY-MM-DD. */
  day: string;
  seed: string;
  /** Regular session bounds, epoch µs. */
  openUs: number;
  closeUs: number;
}

/** Event kinds, in the order of the rate vector. */
const MO_BID = 0, MO_ASK = 1, OFFEX_TOUCH = 2, OFFEX_INSIDE = 3, HIDDEN_INSIDE = 4;
const ADD_BID = 5, ADD_ASK = 6, CANCEL_BID = 7, CANCEL_ASK = 8, PULL_BID = 9, PULL_ASK = 10, IMPROVE_BID = 11;
const KINDS = 13; // IMPROVE_ASK = 12

function checkModel(m: SampleModel): void {
  const n = m.maxSpreadTicks + 1;
  const buckets = m.queueBucketMaxShares.length + 1;
  const bySpread: Record<string, readonly unknown[]> = {
    'marketOrders.perSecBySpread': m.marketOrders.perSecBySpread,
    'adds.perSecBySpread': m.adds.perSecBySpread,
    'cancels.perSecBySpread': m.cancels.perSecBySpread,
    'pulls.perSecBySpread': m.pulls.perSecBySpread,
    improvesPerSec: m.improvesPerSec,
    offExchangeTouchPerSec: m.offExchangeTouchPerSec,
    offExchangeInsidePerSec: m.offExchangeInsidePerSec,
    hiddenInsidePerSec: m.hiddenInsidePerSec,
    improveToSpread: m.improveToSpread,
  };
  for (const [name, row] of Object.entries(bySpread)) {
    if (row.length !== n) throw new Error(`sample model: ${name} has ${row.length} entries, expected maxSpreadTicks + 1 = ${n}`);
  }
  const byQueue: Record<string, readonly number[]> = {
    'marketOrders.factorByQueue': m.marketOrders.factorByQueue,
    'adds.factorByQueue': m.adds.factorByQueue,
    'cancels.factorByQueue': m.cancels.factorByQueue,
    'pulls.factorByQueue': m.pulls.factorByQueue,
    clearAfterOrder: m.clearAfterOrder,
  };
  for (const [name, row] of Object.entries(byQueue)) {
    if (row.length !== buckets) throw new Error(`sample model: ${name} has ${row.length} entries, expected one per queue bucket (${buckets})`);
  }
  if (m.tradeProfile.length !== m.quoteProfile.length) throw new Error('sample model: trade and quote profiles differ in length');
  for (let s = 2; s < n; s++) {
    const h = m.improveToSpread[s];
    if (m.improvesPerSec[s] > 0 && (!h || h.values.some((v) => v < 1 || v >= s || !Number.isInteger(v)))) {
      throw new Error(`sample model: improveToSpread[${s}] must hold whole spreads 1..${s - 1}`);
    }
  }
}

export function generateSymbolDay(model: SampleModel, opts: GenerateOptions): SymbolDay {
  checkModel(model);
  const S = model.maxSpreadTicks;
  const tick = makeTickTable().tickUnits(opts.symbol, model.startMidDollars, opts.day);
  const lot = model.lotShares;
  const rng = makeUniform(opts.seed);
  const bounds = model.queueBucketMaxShares;
  const queueBucket = (shares: number): number => {
    let b = 0;
    while (b < bounds.length && shares > bounds[b]) b++;
    return b;
  };
  const { marketOrders: mo, adds, cancels, pulls } = model;
  const rates = new Float64Array(KINDS);

  const sample = (h: Histogram) => new DiscreteSampler(h);
  const improveTo = model.improveToSpread.map((h) => (h ? sample(h) : null));
  const gapTicks = sample(model.clearGapTicks);
  const printsPerOrder = sample(model.printsPerMarketOrder);
  const printSize = sample(model.printSize);
  const levelSize = sample(model.levelSize);
  const refreshSize = sample(model.refreshSize);
  const addSize = sample(model.addSize);
  const cancelSize = sample(model.cancelSize);
  const reactionDelayMs = sample(model.reaction.delayMs);
  const litExchange = sample({ values: model.litExchanges.values.map((l) => exchangeCode(l)), weights: model.litExchanges.weights });

  const sessionSec = (opts.closeUs - opts.openUs) / 1e6;
  const bucketSec = model.profileBucketMinutes * 60;
  const buckets = model.tradeProfile.length;
  const expectedRows = Math.ceil(sessionSec * 4);
  const quotes = new QuoteBuilder(expectedRows, { collapseSameTimestamp: true });
  const trades = new TradeBuilder(expectedRows);

  // Opening state: two ticks around the start mid, fresh levels on both sides.
  const midUnits = Math.round(dollarsToUnits(model.startMidDollars) / tick) * tick;
  let bidU = midUnits - tick;
  let askU = midUnits + tick;
  let bidSize = levelSize.draw(rng());
  let askSize = levelSize.draw(rng());
  let lastTsUs = opts.openUs;
  quotes.push(lastTsUs, unitsToDollars(bidU), unitsToDollars(askU), bidSize, askSize);

  let tSec = 0;
  // A pending reaction: the side (0 bid, 1 ask) that improves at reactionAtSec.
  let reactionAtSec = Infinity;
  let reactionSide = 0;

  /** A new level inside the spread on `side`; the new spread from improveToSpread. */
  const improve = (side: number) => {
    const spread = (askU - bidU) / tick;
    const target = improveTo[spread > S ? S : spread];
    if (spread < 2 || !target) return;
    if (side === 0) {
      bidU = askU - target.draw(rng()) * tick;
      bidSize = levelSize.draw(rng());
    } else {
      askU = bidU + target.draw(rng()) * tick;
      askSize = levelSize.draw(rng());
    }
  };
  /** After `fell` (0 bid, 1 ask) fell back: the other side follows now, or a reaction is scheduled. */
  const react = (fell: number) => {
    const { sameRow, oppositeSide, sameSide } = model.reaction;
    const u = rng();
    reactionAtSec = Infinity;
    if (u < sameRow) improve(1 - fell);
    else if (u < sameRow + oppositeSide + sameSide) {
      reactionSide = u < sameRow + oppositeSide ? 1 - fell : fell;
      reactionAtSec = tSec + reactionDelayMs.draw(rng()) / 1000;
    }
  };
  const clearBid = () => {
    bidU = Math.max(tick, bidU - gapTicks.draw(rng()) * tick);
    bidSize = levelSize.draw(rng());
    react(0);
  };
  const clearAsk = () => {
    askU += gapTicks.draw(rng()) * tick;
    askSize = levelSize.draw(rng());
    react(1);
  };
  /** Prints of one marketable order at `priceU`; returns the volume. */
  const printSweep = (tsUs: number, priceU: number): number => {
    const prints = printsPerOrder.draw(rng());
    let volume = 0;
    for (let i = 0; i < prints; i++) {
      const size = printSize.draw(rng());
      trades.push(tsUs, unitsToDollars(priceU), size, litExchange.draw(rng()), 1);
      volume += size;
    }
    return volume;
  };
  /**
   * Shares a partial cancel removes when `excess` shares stand above one lot: a draw from
   * cancelSize conditioned on ≤ excess (rejection, a few tries), else the whole excess.
   */
  const cancelShares = (excess: number): number => {
    for (let i = 0; i < 8; i++) {
      const shares = cancelSize.draw(rng());
      if (shares <= excess) return shares;
    }
    return excess;
  };
  /** A price strictly inside the spread: a whole tick drawn evenly, or the midpoint of a one-tick spread. */
  const insidePriceU = (): number => {
    const spreadTicks = (askU - bidU) / tick;
    if (spreadTicks === 1) return bidU + Math.floor(tick / 2);
    return bidU + (1 + Math.floor(rng() * (spreadTicks - 1))) * tick;
  };

  let bucket = 0;
  let bucketEnd = Math.min(bucketSec, sessionSec);
  for (;;) {
    const spread = (askU - bidU) / tick;
    const s = spread > S ? S : spread;
    const uT = model.tradeProfile[bucket];
    const uQ = model.quoteProfile[bucket];
    const qBid = queueBucket(bidSize);
    const qAsk = queueBucket(askSize);
    rates[MO_BID] = uT * mo.perSecBySpread[s] * mo.factorByQueue[qBid];
    rates[MO_ASK] = uT * mo.perSecBySpread[s] * mo.factorByQueue[qAsk];
    rates[OFFEX_TOUCH] = uT * model.offExchangeTouchPerSec[s];
    rates[OFFEX_INSIDE] = uT * model.offExchangeInsidePerSec[s];
    rates[HIDDEN_INSIDE] = uT * model.hiddenInsidePerSec[s];
    rates[ADD_BID] = uQ * adds.perSecBySpread[s] * adds.factorByQueue[qBid];
    rates[ADD_ASK] = uQ * adds.perSecBySpread[s] * adds.factorByQueue[qAsk];
    rates[CANCEL_BID] = bidSize > lot ? uQ * cancels.perSecBySpread[s] * cancels.factorByQueue[qBid] : 0;
    rates[CANCEL_ASK] = askSize > lot ? uQ * cancels.perSecBySpread[s] * cancels.factorByQueue[qAsk] : 0;
    rates[PULL_BID] = uQ * pulls.perSecBySpread[s] * pulls.factorByQueue[qBid];
    rates[PULL_ASK] = uQ * pulls.perSecBySpread[s] * pulls.factorByQueue[qAsk];
    rates[IMPROVE_BID] = s >= 2 ? uQ * model.improvesPerSec[s] : 0; // nothing improves a one-tick spread
    rates[IMPROVE_BID + 1] = rates[IMPROVE_BID];
    let total = 0;
    for (let k = 0; k < KINDS; k++) total += rates[k];
    const wait = total > 0 ? exponentialWait(rng(), total) : Infinity;
    if (reactionAtSec < tSec + wait && reactionAtSec < bucketEnd) {
      // The reaction comes first (the Poisson wait, memoryless, is simply drawn again after it).
      tSec = reactionAtSec;
      reactionAtSec = Infinity;
      const tsUs = Math.max(opts.openUs + Math.floor(tSec * 1e6), lastTsUs + 1);
      if (tsUs >= opts.closeUs) break;
      lastTsUs = tsUs;
      improve(reactionSide);
      quotes.push(tsUs, unitsToDollars(bidU), unitsToDollars(askU), bidSize, askSize);
      continue;
    }
    if (tSec + wait >= bucketEnd) {
      tSec = bucketEnd;
      bucket += 1;
      if (bucket >= buckets || tSec >= sessionSec) break;
      bucketEnd = Math.min((bucket + 1) * bucketSec, sessionSec);
      continue;
    }
    tSec += wait;
    const tsUs = Math.max(opts.openUs + Math.floor(tSec * 1e6), lastTsUs + 1);
    if (tsUs >= opts.closeUs) break;
    lastTsUs = tsUs;

    let x = rng() * total;
    let kind = 0;
    while (kind < KINDS - 1 && x >= rates[kind]) x -= rates[kind++];
    switch (kind) {
      case MO_BID: {
        const volume = printSweep(tsUs, bidU);
        if (rng() < model.clearAfterOrder[qBid]) clearBid();
        else if (bidSize - volume >= lot) bidSize -= volume;
        else bidSize = refreshSize.draw(rng());
        break;
      }
      case MO_ASK: {
        const volume = printSweep(tsUs, askU);
        if (rng() < model.clearAfterOrder[qAsk]) clearAsk();
        else if (askSize - volume >= lot) askSize -= volume;
        else askSize = refreshSize.draw(rng());
        break;
      }
      case OFFEX_TOUCH:
        trades.push(tsUs, unitsToDollars(rng() < 0.5 ? bidU : askU), printSize.draw(rng()), OFF_EXCHANGE_CODE, 0);
        continue; // the displayed quote is untouched
      case OFFEX_INSIDE:
        trades.push(tsUs, unitsToDollars(insidePriceU()), printSize.draw(rng()), OFF_EXCHANGE_CODE, 0);
        continue;
      case HIDDEN_INSIDE:
        trades.push(tsUs, unitsToDollars(insidePriceU()), printSize.draw(rng()), litExchange.draw(rng()), 1);
        continue;
      case ADD_BID: bidSize += addSize.draw(rng()); break;
      case ADD_ASK: askSize += addSize.draw(rng()); break;
      case CANCEL_BID: bidSize -= cancelShares(bidSize - lot); break;
      case CANCEL_ASK: askSize -= cancelShares(askSize - lot); break;
      case PULL_BID: clearBid(); break;
      case PULL_ASK: clearAsk(); break;
      case IMPROVE_BID:
        reactionAtSec = Infinity; // the book moved on: a pending reaction no longer applies
        improve(0);
        break;
      default: // IMPROVE_ASK
        reactionAtSec = Infinity;
        improve(1);
        break;
    }
    quotes.push(tsUs, unitsToDollars(bidU), unitsToDollars(askU), bidSize, askSize);
  }

  return { symbol: opts.symbol, day: opts.day, quotes: quotes.finish(), trades: trades.finish() };
}
