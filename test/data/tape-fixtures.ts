/**
 * Deterministic tapes for the codec tests (tape-decode.test.ts): a seeded market of a few thousand
 * quotes with buys printing at the ask and sells at the bid, and an edge tape of timestamps that
 * straddle the int64's 32-bit words.
 */
import { seededRandom } from '../../src/core/rng.ts';
import { allocQuoteColumns, allocTradeColumns, type SymbolDay } from '../../src/data/tape/tape.ts';

export const FIXTURE_DAY = '2013-10-07';
const T0_US = Date.parse('2013-10-07T13:30:00Z') * 1000;
const EXCHANGES = [...'NPTDQZKJ'].map((c) => c.charCodeAt(0));

/** `quotes` quotes and one trade per ~3 quotes, alternately a buy at the ask and a sell at the bid. */
export function seededDay(quotes = 2_000, symbol = 'FIX'): SymbolDay {
  const rng = seededRandom(`tape-decode-fixture:${quotes}`);
  const q = allocQuoteColumns(quotes);
  const t = allocTradeColumns(Math.ceil(quotes / 3));
  let tsUs = T0_US;
  let bidCents = 18_250;
  let nt = 0;
  for (let i = 0; i < quotes; i++) {
    tsUs += Math.floor(rng() * 3_000); // ties included
    bidCents += Math.floor(rng() * 3) - 1;
    const spreadCents = i % 97 === 0 ? 0 : i % 131 === 0 ? -1 : 1 + Math.floor(rng() * 3); // locked and crossed quotes kept
    q.ts[i] = tsUs;
    q.bid[i] = bidCents / 100;
    q.ask[i] = (bidCents + spreadCents) / 100;
    q.bidSize[i] = 100 * (1 + Math.floor(rng() * 50));
    q.askSize[i] = i === 7 ? 4_000_000_000 : 100 * (1 + Math.floor(rng() * 50));
    if (i % 3 === 1) {
      const buy = nt % 2 === 0;
      t.ts[nt] = tsUs;
      t.price[nt] = buy ? q.ask[i] : q.bid[i];
      t.size[nt] = 1 + Math.floor(rng() * 900);
      t.exchange[nt] = EXCHANGES[Math.floor(rng() * EXCHANGES.length)];
      t.eligible[nt] = t.exchange[nt] === 68 || rng() < 0.1 ? 0 : 1;
      nt++;
    }
  }
  q.length = quotes;
  t.length = nt;
  return { symbol, day: FIXTURE_DAY, quotes: q, trades: t };
}

/** Timestamps around the int64 word boundaries (negative, 2^31, 2^32, 2^52) in both kinds. */
export function edgeDay(): SymbolDay {
  const ts = [-(2 ** 40) - 5, -1, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, T0_US, 2 ** 52 + 3];
  const q = allocQuoteColumns(ts.length);
  const t = allocTradeColumns(ts.length);
  ts.forEach((v, i) => {
    q.ts[i] = v;
    q.bid[i] = 10 + i / 100;
    q.ask[i] = 10.05 + i / 100;
    q.bidSize[i] = i;
    q.askSize[i] = 0xffff_ffff - i;
    t.ts[i] = v;
    t.price[i] = i % 2 ? q.bid[i] : q.ask[i];
    t.size[i] = 100 + i;
    t.exchange[i] = 255 - i;
    t.eligible[i] = i % 3 === 0 ? 1 : 0;
  });
  q.length = t.length = ts.length;
  return { symbol: 'EDGE', day: FIXTURE_DAY, quotes: q, trades: t };
}
