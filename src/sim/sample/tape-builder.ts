/**
 * Append-only quote and trade columns that grow by doubling (amortised O(1), no per-row objects).
 * Quote rows sharing a timestamp collapse into one: the last state at that instant is what the
 * market showed, as in the vendor data (apply all changes of one timestamp, then emit one quote).
 */
import {
  allocQuoteColumns,
  allocTradeColumns,
  trimQuoteColumns,
  trimTradeColumns,
  type QuoteColumns,
  type TradeColumns,
} from '../tape.ts';

export class QuoteTapeBuilder {
  private cols: QuoteColumns;

  constructor(capacity: number) {
    this.cols = allocQuoteColumns(Math.max(16, capacity));
  }

  get length(): number {
    return this.cols.length;
  }

  push(tsUs: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    const c = this.cols;
    let i = c.length;
    if (i > 0 && c.ts[i - 1] === tsUs) i -= 1; // same instant: keep only the final state
    else if (i === c.ts.length) this.grow();
    const g = this.cols;
    g.ts[i] = tsUs;
    g.bid[i] = bid;
    g.ask[i] = ask;
    g.bidSize[i] = bidSize;
    g.askSize[i] = askSize;
    g.length = i + 1;
  }

  private grow(): void {
    const old = this.cols;
    const next = allocQuoteColumns(old.ts.length * 2);
    next.ts.set(old.ts);
    next.bid.set(old.bid);
    next.ask.set(old.ask);
    next.bidSize.set(old.bidSize);
    next.askSize.set(old.askSize);
    next.length = old.length;
    this.cols = next;
  }

  /** Columns cut to their length (copies, so the builder's spare capacity is released). */
  finish(): QuoteColumns {
    const t = trimQuoteColumns(this.cols);
    return {
      length: t.length,
      ts: t.ts.slice(),
      bid: t.bid.slice(),
      ask: t.ask.slice(),
      bidSize: t.bidSize.slice(),
      askSize: t.askSize.slice(),
    };
  }
}

export class TradeTapeBuilder {
  private cols: TradeColumns;

  constructor(capacity: number) {
    this.cols = allocTradeColumns(Math.max(16, capacity));
  }

  get length(): number {
    return this.cols.length;
  }

  push(tsUs: number, price: number, size: number, exchange: number, eligible: 0 | 1): void {
    if (this.cols.length === this.cols.ts.length) this.grow();
    const c = this.cols;
    const i = c.length;
    c.ts[i] = tsUs;
    c.price[i] = price;
    c.size[i] = size;
    c.exchange[i] = exchange;
    c.eligible[i] = eligible;
    c.length = i + 1;
  }

  private grow(): void {
    const old = this.cols;
    const next = allocTradeColumns(old.ts.length * 2);
    next.ts.set(old.ts);
    next.price.set(old.price);
    next.size.set(old.size);
    next.exchange.set(old.exchange);
    next.eligible.set(old.eligible);
    next.length = old.length;
    this.cols = next;
  }

  finish(): TradeColumns {
    const t = trimTradeColumns(this.cols);
    return {
      length: t.length,
      ts: t.ts.slice(),
      price: t.price.slice(),
      size: t.size.slice(),
      exchange: t.exchange.slice(),
      eligible: t.eligible.slice(),
    };
  }
}
