/**
 * Growable tape columns (ingest, the sample generator, live recording): rows are appended into
 * typed arrays that double when full, then cut to length. One allocation per doubling, none per row.
 */
import { allocQuoteColumns, allocTradeColumns, trimQuoteColumns, trimTradeColumns, type QuoteColumns, type TradeColumns } from './columns.ts';

export interface QuoteBuilderOptions {
  /**
   * Rows sharing a timestamp collapse into one, the last: the state at that instant is what the
   * market showed (apply all changes of one timestamp, then emit one quote).
   */
  collapseSameTimestamp?: boolean;
}

export class QuoteBuilder {
  private cols: QuoteColumns;
  private readonly collapse: boolean;

  constructor(capacity = 1024, options: QuoteBuilderOptions = {}) {
    this.cols = allocQuoteColumns(Math.max(16, capacity));
    this.collapse = options.collapseSameTimestamp ?? false;
  }

  get length(): number {
    return this.cols.length;
  }

  push(tsUs: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    let c = this.cols;
    let i = c.length;
    if (this.collapse && i > 0 && c.ts[i - 1] === tsUs) i -= 1;
    else if (i === c.ts.length) c = this.grow();
    c.length = i + 1;
    c.ts[i] = tsUs;
    c.bid[i] = bid;
    c.ask[i] = ask;
    c.bidSize[i] = bidSize;
    c.askSize[i] = askSize;
  }

  /** The rows so far as exact-length columns (views onto the builder's arrays). */
  finish(): QuoteColumns {
    return trimQuoteColumns(this.cols);
  }

  private grow(): QuoteColumns {
    const old = this.cols;
    const next = allocQuoteColumns(old.ts.length * 2);
    next.ts.set(old.ts);
    next.bid.set(old.bid);
    next.ask.set(old.ask);
    next.bidSize.set(old.bidSize);
    next.askSize.set(old.askSize);
    next.length = old.length;
    this.cols = next;
    return next;
  }
}

export class TradeBuilder {
  private cols: TradeColumns;

  constructor(capacity = 1024) {
    this.cols = allocTradeColumns(Math.max(16, capacity));
  }

  get length(): number {
    return this.cols.length;
  }

  push(tsUs: number, price: number, size: number, exchange: number, eligible: boolean | 0 | 1): void {
    let c = this.cols;
    if (c.length === c.ts.length) c = this.grow();
    const i = c.length++;
    c.ts[i] = tsUs;
    c.price[i] = price;
    c.size[i] = size;
    c.exchange[i] = exchange;
    c.eligible[i] = eligible ? 1 : 0;
  }

  finish(): TradeColumns {
    return trimTradeColumns(this.cols);
  }

  private grow(): TradeColumns {
    const old = this.cols;
    const next = allocTradeColumns(old.ts.length * 2);
    next.ts.set(old.ts);
    next.price.set(old.price);
    next.size.set(old.size);
    next.exchange.set(old.exchange);
    next.eligible.set(old.eligible);
    next.length = old.length;
    this.cols = next;
    return next;
  }
}
