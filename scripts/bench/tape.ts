/**
 * Tape I/O and scans: write and load a generated 1 M-quote (+ 250 k-trade) symbol-day, then
 * scan its columns and run binary-search lookups; and time a CSV ingest end to end. Everything
 * goes to a temp dir, removed after.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nyLocalToUtcUs } from '../../src/core/calendar.ts';
import { ingest } from '../../src/data/ingest/ingest.ts';
import { allocQuoteColumns, allocTradeColumns, lastQuoteAtOrBefore, loadSymbolDay, tapePath, type SymbolDay } from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';
import { medianSeconds, type BenchLine } from './harness.ts';

const QUOTES = 1_000_000;
const TRADES = 250_000;
const DAY = '2013-10-07';

/** A deterministic random-walk day: 04:00–20:00 New York, prices on the cent grid. */
function generate(): SymbolDay {
  const startUs = nyLocalToUtcUs(DAY, 4 * 3_600_000);
  const spanUs = 16 * 3_600_000_000;
  const q = allocQuoteColumns(QUOTES);
  let cents = 18_250;
  for (let i = 0; i < QUOTES; i++) {
    cents = Math.max(100, cents + ((i * 104_729) % 3) - 1);
    q.ts[i] = startUs + Math.floor((i * spanUs) / QUOTES);
    q.bid[i] = cents / 100;
    q.ask[i] = (cents + 1 + (i % 3)) / 100;
    q.bidSize[i] = 100 * (1 + (i % 9));
    q.askSize[i] = 100 * (1 + ((i * 5) % 9));
  }
  q.length = QUOTES;
  const t = allocTradeColumns(TRADES);
  for (let i = 0; i < TRADES; i++) {
    const j = i * 4;
    t.ts[i] = q.ts[j] + 1;
    t.price[i] = i % 2 ? q.bid[j] : q.ask[j];
    t.size[i] = 100 * (1 + (i % 5));
    t.exchange[i] = i % 3 === 0 ? 68 : 78;
    t.eligible[i] = i % 3 === 0 ? 0 : 1;
  }
  t.length = TRADES;
  return { symbol: 'BENCH', day: DAY, quotes: q, trades: t };
}

export async function run(): Promise<BenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ladderlab-bench-tape-'));
  try {
    const day = generate();
    const writeS = medianSeconds(() => writeSymbolDay(dir, day), 3);
    const bytes = statSync(tapePath(dir, 'BENCH', DAY, 'quotes')).size + statSync(tapePath(dir, 'BENCH', DAY, 'trades')).size;
    let loaded = loadSymbolDay(dir, 'BENCH', DAY);
    const loadS = medianSeconds(() => {
      loaded = loadSymbolDay(dir, 'BENCH', DAY);
    });
    const q = loaded.quotes;

    // Column scan: mean spread in cents over usable (uncrossed, unlocked) quotes.
    let sink = 0;
    const scanS = medianSeconds(() => {
      const { bid, ask, length } = q;
      let sum = 0, n = 0;
      for (let i = 0; i < length; i++) {
        const s = ask[i] - bid[i];
        if (s > 0) {
          sum += s;
          n++;
        }
      }
      sink += sum / n;
    });

    const lookups = 1_000_000;
    const first = q.ts[0];
    const span = q.ts[q.length - 1] - first;
    const lookupS = medianSeconds(() => {
      for (let i = 0; i < lookups; i++) sink += lastQuoteAtOrBefore(q, first + ((i * 7_919) % lookups) * (span / lookups));
    });
    if (sink === 42) console.log('');

    // CSV ingest end to end (parse, validate, write): 200 k quote rows.
    const csvRows = 200_000;
    const csvFile = join(dir, 'quotes.csv');
    const lines = ['ts,bid,ask,bid_size,ask_size'];
    for (let i = 0; i < csvRows; i++) lines.push(`${q.ts[i]},${q.bid[i]},${q.ask[i]},${q.bidSize[i]},${q.askSize[i]}`);
    writeFileSync(csvFile, lines.join('\n'));
    const t0 = process.hrtime.bigint();
    await ingest({ format: 'csv', symbol: 'CSV', quotes: [csvFile], out: join(dir, 'csv') });
    const ingestS = Number(process.hrtime.bigint() - t0) / 1e9;
    return [
      { name: `tape write ${QUOTES / 1e6} M quotes + ${TRADES / 1e3} k trades`, value: writeS * 1000, unit: 'ms' },
      { name: 'tape size on disk', value: bytes / 1e6, unit: 'MB' },
      { name: `tape load ${QUOTES / 1e6} M quotes + ${TRADES / 1e3} k trades (Arrow → typed arrays)`, value: loadS * 1000, unit: 'ms' },
      { name: 'tape load throughput', value: (QUOTES + TRADES) / loadS, unit: 'rows/s' },
      { name: 'column scan (bid/ask spread)', value: QUOTES / scanS, unit: 'rows/s' },
      { name: 'lastQuoteAtOrBefore lookups', value: lookups / lookupS, unit: 'lookups/s' },
      { name: `ingest --format csv, ${csvRows / 1e3} k quote rows (one run)`, value: csvRows / ingestS, unit: 'rows/s' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
