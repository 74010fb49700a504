/**
 * The sample generator's book (generate.ts states the model): bid and ask in integer price
 * units, their displayed sizes, the pending reaction, and what each event kind does to them.
 * Every random draw comes from the one stream `rng`, in a fixed order, so a seed gives the same
 * day byte for byte.
 */
import { dollarsToUnits, unitsToDollars } from '../../engine/ticks.ts';
import { exchangeCode, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import type { TradeBuilder } from '../tape/builder.ts';
import type { Histogram, SampleModel } from './model.ts';
import { DiscreteSampler, type Uniform } from './random.ts';

/** Event kinds, in the order of the rate vector. */
export const MO_BID = 0, MO_ASK = 1, OFFEX_TOUCH = 2, OFFEX_INSIDE = 3, HIDDEN_INSIDE = 4;
export const ADD_BID = 5, ADD_ASK = 6, CANCEL_BID = 7, CANCEL_ASK = 8, PULL_BID = 9, PULL_ASK = 10, IMPROVE_BID = 11;
export const KINDS = 13; // IMPROVE_ASK = 12

export class SampleBook {
  bidU: number;
  askU: number;
  bidSize: number;
  askSize: number;
  /** Seconds since the open. */
  tSec = 0;
  /** A pending reaction: the side (0 bid, 1 ask) that improves at reactionAtSec. */
  reactionAtSec = Infinity;
  reactionSide = 0;
  private qBid = 0;
  private qAsk = 0;
  private readonly S: number;
  private readonly improveTo: (DiscreteSampler | null)[];
  private readonly gapTicks: DiscreteSampler;
  private readonly printsPerOrder: DiscreteSampler;
  private readonly printSize: DiscreteSampler;
  private readonly levelSize: DiscreteSampler;
  private readonly refreshSize: DiscreteSampler;
  private readonly addSize: DiscreteSampler;
  private readonly cancelSize: DiscreteSampler;
  private readonly reactionDelayMs: DiscreteSampler;
  private readonly litExchange: DiscreteSampler;

  /** Opening state: two ticks around the start mid, fresh levels on both sides. */
  constructor(
    private readonly model: SampleModel,
    private readonly tick: number,
    private readonly rng: Uniform,
    private readonly trades: TradeBuilder,
  ) {
    this.S = model.maxSpreadTicks;
    const sample = (h: Histogram) => new DiscreteSampler(h);
    this.improveTo = model.improveToSpread.map((h) => (h ? sample(h) : null));
    this.gapTicks = sample(model.clearGapTicks);
    this.printsPerOrder = sample(model.printsPerMarketOrder);
    this.printSize = sample(model.printSize);
    this.levelSize = sample(model.levelSize);
    this.refreshSize = sample(model.refreshSize);
    this.addSize = sample(model.addSize);
    this.cancelSize = sample(model.cancelSize);
    this.reactionDelayMs = sample(model.reaction.delayMs);
    this.litExchange = sample({ values: model.litExchanges.values.map((l) => exchangeCode(l)), weights: model.litExchanges.weights });
    const midUnits = Math.round(dollarsToUnits(model.startMidDollars) / tick) * tick;
    this.bidU = midUnits - tick;
    this.askU = midUnits + tick;
    this.bidSize = this.levelSize.draw(rng());
    this.askSize = this.levelSize.draw(rng());
  }

  private queueBucket(shares: number): number {
    const bounds = this.model.queueBucketMaxShares;
    let b = 0;
    while (b < bounds.length && shares > bounds[b]) b++;
    return b;
  }

  /** Each kind's rate in intraday bucket `bucket` (generate.ts gives the formulas); returns Λ = Σ λ. */
  setRates(rates: Float64Array, bucket: number): number {
    const m = this.model;
    const { marketOrders: mo, adds, cancels, pulls } = m;
    const spread = (this.askU - this.bidU) / this.tick;
    const s = spread > this.S ? this.S : spread;
    const uT = m.tradeProfile[bucket];
    const uQ = m.quoteProfile[bucket];
    const qBid = (this.qBid = this.queueBucket(this.bidSize));
    const qAsk = (this.qAsk = this.queueBucket(this.askSize));
    const lot = m.lotShares;
    rates[MO_BID] = uT * mo.perSecBySpread[s] * mo.factorByQueue[qBid];
    rates[MO_ASK] = uT * mo.perSecBySpread[s] * mo.factorByQueue[qAsk];
    rates[OFFEX_TOUCH] = uT * m.offExchangeTouchPerSec[s];
    rates[OFFEX_INSIDE] = uT * m.offExchangeInsidePerSec[s];
    rates[HIDDEN_INSIDE] = uT * m.hiddenInsidePerSec[s];
    rates[ADD_BID] = uQ * adds.perSecBySpread[s] * adds.factorByQueue[qBid];
    rates[ADD_ASK] = uQ * adds.perSecBySpread[s] * adds.factorByQueue[qAsk];
    rates[CANCEL_BID] = this.bidSize > lot ? uQ * cancels.perSecBySpread[s] * cancels.factorByQueue[qBid] : 0;
    rates[CANCEL_ASK] = this.askSize > lot ? uQ * cancels.perSecBySpread[s] * cancels.factorByQueue[qAsk] : 0;
    rates[PULL_BID] = uQ * pulls.perSecBySpread[s] * pulls.factorByQueue[qBid];
    rates[PULL_ASK] = uQ * pulls.perSecBySpread[s] * pulls.factorByQueue[qAsk];
    rates[IMPROVE_BID] = s >= 2 ? uQ * m.improvesPerSec[s] : 0; // nothing improves a one-tick spread
    rates[IMPROVE_BID + 1] = rates[IMPROVE_BID];
    let total = 0;
    for (let k = 0; k < KINDS; k++) total += rates[k];
    return total;
  }

  /** A new level inside the spread on `side`; the new spread from improveToSpread. */
  improve(side: number): void {
    const spread = (this.askU - this.bidU) / this.tick;
    const target = this.improveTo[spread > this.S ? this.S : spread];
    if (spread < 2 || !target) return;
    if (side === 0) {
      this.bidU = this.askU - target.draw(this.rng()) * this.tick;
      this.bidSize = this.levelSize.draw(this.rng());
    } else {
      this.askU = this.bidU + target.draw(this.rng()) * this.tick;
      this.askSize = this.levelSize.draw(this.rng());
    }
  }

  /** After `fell` (0 bid, 1 ask) fell back: the other side follows now, or a reaction is scheduled. */
  private react(fell: number): void {
    const { sameRow, oppositeSide, sameSide } = this.model.reaction;
    const u = this.rng();
    this.reactionAtSec = Infinity;
    if (u < sameRow) this.improve(1 - fell);
    else if (u < sameRow + oppositeSide + sameSide) {
      this.reactionSide = u < sameRow + oppositeSide ? 1 - fell : fell;
      this.reactionAtSec = this.tSec + this.reactionDelayMs.draw(this.rng()) / 1000;
    }
  }

  private clearBid(): void {
    this.bidU = Math.max(this.tick, this.bidU - this.gapTicks.draw(this.rng()) * this.tick);
    this.bidSize = this.levelSize.draw(this.rng());
    this.react(0);
  }

  private clearAsk(): void {
    this.askU += this.gapTicks.draw(this.rng()) * this.tick;
    this.askSize = this.levelSize.draw(this.rng());
    this.react(1);
  }

  /** Prints of one marketable order at `priceU`; returns the volume. */
  private printSweep(tsUs: number, priceU: number): number {
    const prints = this.printsPerOrder.draw(this.rng());
    let volume = 0;
    for (let i = 0; i < prints; i++) {
      const size = this.printSize.draw(this.rng());
      this.trades.push(tsUs, unitsToDollars(priceU), size, this.litExchange.draw(this.rng()), 1);
      volume += size;
    }
    return volume;
  }

  /**
   * Shares a partial cancel removes when `excess` shares stand above one lot: a draw from
   * cancelSize conditioned on ≤ excess (rejection, a few tries), else the whole excess.
   */
  private cancelShares(excess: number): number {
    for (let i = 0; i < 8; i++) {
      const shares = this.cancelSize.draw(this.rng());
      if (shares <= excess) return shares;
    }
    return excess;
  }

  /** A price strictly inside the spread: a whole tick drawn evenly, or the midpoint of a one-tick spread. */
  private insidePriceU(): number {
    const spreadTicks = (this.askU - this.bidU) / this.tick;
    if (spreadTicks === 1) return this.bidU + Math.floor(this.tick / 2);
    return this.bidU + (1 + Math.floor(this.rng() * (spreadTicks - 1))) * this.tick;
  }

  /** A market order on `side` (0 hits the bid, 1 lifts the ask): prints, then the level clears, shrinks or refreshes. */
  private marketOrder(side: number, tsUs: number): void {
    const m = this.model;
    if (side === 0) {
      const volume = this.printSweep(tsUs, this.bidU);
      if (this.rng() < m.clearAfterOrder[this.qBid]) this.clearBid();
      else if (this.bidSize - volume >= m.lotShares) this.bidSize -= volume;
      else this.bidSize = this.refreshSize.draw(this.rng());
    } else {
      const volume = this.printSweep(tsUs, this.askU);
      if (this.rng() < m.clearAfterOrder[this.qAsk]) this.clearAsk();
      else if (this.askSize - volume >= m.lotShares) this.askSize -= volume;
      else this.askSize = this.refreshSize.draw(this.rng());
    }
  }

  /** Apply an event of `kind` at tsUs; true when the displayed quote changed (a quote row follows). */
  apply(kind: number, tsUs: number): boolean {
    const lot = this.model.lotShares;
    switch (kind) {
      case MO_BID: this.marketOrder(0, tsUs); return true;
      case MO_ASK: this.marketOrder(1, tsUs); return true;
      case OFFEX_TOUCH:
        this.trades.push(tsUs, unitsToDollars(this.rng() < 0.5 ? this.bidU : this.askU), this.printSize.draw(this.rng()), OFF_EXCHANGE_CODE, 0);
        return false; // the displayed quote is untouched
      case OFFEX_INSIDE:
        this.trades.push(tsUs, unitsToDollars(this.insidePriceU()), this.printSize.draw(this.rng()), OFF_EXCHANGE_CODE, 0);
        return false;
      case HIDDEN_INSIDE:
        this.trades.push(tsUs, unitsToDollars(this.insidePriceU()), this.printSize.draw(this.rng()), this.litExchange.draw(this.rng()), 1);
        return false;
      case ADD_BID: this.bidSize += this.addSize.draw(this.rng()); return true;
      case ADD_ASK: this.askSize += this.addSize.draw(this.rng()); return true;
      case CANCEL_BID: this.bidSize -= this.cancelShares(this.bidSize - lot); return true;
      case CANCEL_ASK: this.askSize -= this.cancelShares(this.askSize - lot); return true;
      case PULL_BID: this.clearBid(); return true;
      case PULL_ASK: this.clearAsk(); return true;
      default: // IMPROVE_BID, IMPROVE_ASK
        this.reactionAtSec = Infinity; // the book moved on: a pending reaction no longer applies
        this.improve(kind === IMPROVE_BID ? 0 : 1);
        return true;
    }
  }
}
