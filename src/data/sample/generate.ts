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
import { makeTickTable, unitsToDollars } from '../../engine/ticks.ts';
import type { SymbolDay } from '../tape/tape.ts';
import type { SampleModel } from './model.ts';
import { exponentialWait, makeUniform } from './random.ts';
import { KINDS, SampleBook } from './sample-book.ts';
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
  const tick = makeTickTable().tickUnits(opts.symbol, model.startMidDollars, opts.day);
  const rng = makeUniform(opts.seed);
  const sessionSec = (opts.closeUs - opts.openUs) / 1e6;
  const bucketSec = model.profileBucketMinutes * 60;
  const buckets = model.tradeProfile.length;
  const expectedRows = Math.ceil(sessionSec * 4);
  const quotes = new QuoteBuilder(expectedRows, { collapseSameTimestamp: true });
  const trades = new TradeBuilder(expectedRows);
  const book = new SampleBook(model, tick, rng, trades);
  const pushQuote = (tsUs: number) => quotes.push(tsUs, unitsToDollars(book.bidU), unitsToDollars(book.askU), book.bidSize, book.askSize);
  let lastTsUs = opts.openUs;
  pushQuote(lastTsUs);

  const rates = new Float64Array(KINDS);
  let bucket = 0;
  let bucketEnd = Math.min(bucketSec, sessionSec);
  for (;;) {
    const total = book.setRates(rates, bucket);
    const wait = total > 0 ? exponentialWait(rng(), total) : Infinity;
    if (book.reactionAtSec < book.tSec + wait && book.reactionAtSec < bucketEnd) {
      // The reaction comes first (the Poisson wait, memoryless, is simply drawn again after it).
      book.tSec = book.reactionAtSec;
      book.reactionAtSec = Infinity;
      const tsUs = Math.max(opts.openUs + Math.floor(book.tSec * 1e6), lastTsUs + 1);
      if (tsUs >= opts.closeUs) break;
      lastTsUs = tsUs;
      book.improve(book.reactionSide);
      pushQuote(tsUs);
      continue;
    }
    if (book.tSec + wait >= bucketEnd) {
      book.tSec = bucketEnd;
      bucket += 1;
      if (bucket >= buckets || book.tSec >= sessionSec) break;
      bucketEnd = Math.min((bucket + 1) * bucketSec, sessionSec);
      continue;
    }
    book.tSec += wait;
    const tsUs = Math.max(opts.openUs + Math.floor(book.tSec * 1e6), lastTsUs + 1);
    if (tsUs >= opts.closeUs) break;
    lastTsUs = tsUs;
    // Kind k with probability λ_k / Λ.
    let x = rng() * total;
    let kind = 0;
    while (kind < KINDS - 1 && x >= rates[kind]) x -= rates[kind++];
    if (book.apply(kind, tsUs)) pushQuote(tsUs);
  }

  return { symbol: opts.symbol, day: opts.day, quotes: quotes.finish(), trades: trades.finish() };
}
