/**
 * `serve`'s market-data REST: historical quotes and trades with Alpaca's pagination (sorted by
 * symbol then time, `limit`, `next_page_token`, `sort=desc`, inclusive start/end), the
 * no-look-ahead cap, latest quote/trade (with feed latency), through the SDK's generated
 * StockApi and the facade's auto-paginating helpers. Every body is checked with the SDK models.
 */
import { ValidationError, NotFoundError } from '@alpacahq/alpaca-trade-api';
import { afterEach, describe, expect, it } from 'vitest';
import { ABC_QUOTES, checkBodies, SEC, startTestServe, T0, XYZ_QUOTES, XYZ_TRADES, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

const iso = (tsUs: number) => `${new Date(tsUs / 1000).toISOString().slice(0, 19)}.${String(tsUs % SEC).padStart(6, '0')}000Z`;
const quoteTimes = (rows: readonly unknown[]) => rows.map((r) => iso((Array.isArray(r) ? r[0] : (r as { tsUs: number }).tsUs) as number));

describe('serve: historical quotes and trades', () => {
  it('pages of 3 over two symbols (look-ahead on): symbol order, then time; tokens resume exactly; the last token is null', async () => {
    t = await startTestServe({ serve: { history_look_ahead: true } });
    const pages: { quotes: Record<string, { t: string }[]>; nextPageToken: string | null }[] = [];
    let pageToken: string | undefined;
    do {
      const page = await t.stocks.stockQuotes({ symbols: 'XYZ,ABC', limit: 3, pageToken, feed: 'sip' });
      pages.push(page as never);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages.map((p) => Object.fromEntries(Object.entries(p.quotes).map(([s, rows]) => [s, rows.length])))).toEqual([{ ABC: 2, XYZ: 1 }, { XYZ: 3 }, { XYZ: 1 }]);
    expect(pages.map((p) => p.nextPageToken === null)).toEqual([false, false, true]);
    const xyz = pages.flatMap((p) => p.quotes.XYZ ?? []);
    expect(xyz.map((q) => q.t)).toEqual(quoteTimes(XYZ_QUOTES));
    expect(pages[0].quotes.ABC.map((q) => q.t)).toEqual(quoteTimes(ABC_QUOTES));
    expect(pages[0].quotes.XYZ[0]).toEqual({ t: iso(T0 - 60 * SEC), bx: '', bp: 10.0, bs: 300, ax: '', ap: 10.05, as: 400, c: ['R'], z: 'A' });

    // The facade's auto-pagination collects the same rows.
    const collected = await t.alpaca.marketData.collectStockQuotesBySymbol({ symbols: ['XYZ', 'ABC'], limit: 2 });
    expect(collected.XYZ.map((q) => (q as unknown as { t: string }).t)).toEqual(quoteTimes(XYZ_QUOTES));
    expect(collected.ABC).toHaveLength(2);
    expect(checkBodies(t.captured)).toMatchObject({ quotes: 3 + 4 });
  });

  it('trades: inclusive start/end, sort=desc, single-symbol endpoint; ids and reconstructed conditions', async () => {
    t = await startTestServe({ serve: { history_look_ahead: true } });
    const window = await t.stocks.stockTrades({ symbols: 'XYZ', start: new Date((T0 + 3 * SEC) / 1000), end: new Date((T0 + 6 * SEC) / 1000) });
    expect((window.trades.XYZ as unknown as Record<string, unknown>[]).map((x) => [x.t, x.p, x.s, x.x, x.c, x.i])).toEqual([
      [iso(T0 + 3 * SEC), 10.0, 100, 'N', ['@'], 2],
      [iso(T0 + 4 * SEC), 9.98, 50, 'D', ['@'], 3],
      [iso(T0 + 6 * SEC), 10.01, 70, 'P', ['Z'], 4],
    ]);
    const desc = await t.stocks.stockTrades({ symbols: 'XYZ', sort: 'desc', limit: 2 });
    expect((desc.trades.XYZ as unknown as { i: number }[]).map((x) => x.i)).toEqual([5, 4]);
    const rest = await t.stocks.stockTrades({ symbols: 'XYZ', sort: 'desc', limit: 10, pageToken: desc.nextPageToken! });
    expect((rest.trades.XYZ as unknown as { i: number }[]).map((x) => x.i)).toEqual([3, 2, 1]);
    expect(rest.nextPageToken).toBeNull();
    const single = await t.stocks.stockTradeSingle({ symbol: 'XYZ', limit: 4 });
    expect(single.trades).toHaveLength(4);
    expect(single.symbol).toBe('XYZ');
    expect(single.nextPageToken).not.toBeNull();
    expect(XYZ_TRADES).toHaveLength(5);
    checkBodies(t.captured);
  });

  it('no look-ahead by default: history ends at the replay time and grows as it advances', async () => {
    t = await startTestServe();
    const before = await t.stocks.stockQuotes({ symbols: 'XYZ' });
    expect(before.quotes.XYZ).toHaveLength(1);
    const tooFar = await t.stocks.stockQuotes({ symbols: 'XYZ', end: new Date((T0 + 3600 * SEC) / 1000) });
    expect(tooFar.quotes.XYZ).toHaveLength(1);
    await t.advance(5000);
    const after = await t.stocks.stockQuotes({ symbols: 'XYZ' });
    expect((after.quotes.XYZ as unknown as { t: string }[]).map((q) => q.t)).toEqual(quoteTimes(XYZ_QUOTES.slice(0, 3)));
    checkBodies(t.captured);
  });

  it('bad requests: invalid page token → 400, limit out of range → 422, missing symbols → 422', async () => {
    t = await startTestServe();
    const token = await t.stocks.stockQuotes({ symbols: 'XYZ', pageToken: 'garbage' }).catch((e) => e);
    expect(token).toBeInstanceOf(ValidationError);
    expect(token).toMatchObject({ status: 400, message: 'invalid page_token' });
    await expect(t.stocks.stockQuotes({ symbols: 'XYZ', limit: 10_001 })).rejects.toMatchObject({ status: 422 });
    await expect(t.stocks.stockQuotes({ symbols: ' ' })).rejects.toMatchObject({ status: 422, message: 'symbols is required' });
    checkBodies(t.captured);
  });
});

describe('serve: latest quote and trade', () => {
  it('latest as of the replay time, single and multi-symbol; unknown symbol → 404', async () => {
    t = await startTestServe();
    const first = await t.stocks.stockLatestQuoteSingle({ symbol: 'XYZ' });
    expect(first.quote).toMatchObject({ bp: 10.0, ap: 10.05, bs: 300, as: 400 });
    expect(first.quote.t).toEqual(new Date((T0 - 60 * SEC) / 1000));
    await t.advance(2000);
    const moved = await t.stocks.stockLatestQuotes({ symbols: 'XYZ,ABC' });
    expect(moved.quotes.XYZ).toMatchObject({ bp: 9.99, ap: 10.0 });
    expect(moved.quotes.ABC).toMatchObject({ bp: 50.0, ap: 50.02 });
    const trade = await t.stocks.stockLatestTradeSingle({ symbol: 'XYZ' });
    expect(trade.trade).toMatchObject({ p: 10.02, s: 100, x: 'N', i: 1 });
    await expect(t.stocks.stockLatestQuoteSingle({ symbol: 'NOPE' })).rejects.toBeInstanceOf(NotFoundError);
    const trades = await t.stocks.stockLatestTrades({ symbols: 'XYZ,NOPE' });
    expect(Object.keys(trades.trades)).toEqual(['XYZ']);
    expect(checkBodies(t.captured)).toMatchObject({ 'latest quote': 1, 'latest quotes': 1, 'latest trade': 1, 'latest trades': 1, error: 1 });
  });

  it('feed latency (sim.latency.feed.ms = 500) delays what the latest quote shows', async () => {
    t = await startTestServe({ sim: { fill_model: 'through', latency: { feed: { ms: 500 } } } });
    await t.advance(2499);
    expect((await t.stocks.stockLatestQuoteSingle({ symbol: 'XYZ' })).quote.ap).toBe(10.05);
    await t.advance(1);
    expect((await t.stocks.stockLatestQuoteSingle({ symbol: 'XYZ' })).quote.ap).toBe(10.0);
    checkBodies(t.captured);
  });
});
