/**
 * The generated sample market: same seed → same bytes; the tapes are consistent (a print at the
 * touch takes displayed size or clears the level, off-exchange prints leave the quote alone,
 * prices exact, never locked or crossed); and a generated day's statistics sit where the real
 * IBM day's are (bounds ≈ ±20 % around IBM 2013-10-07: 99 quote updates and 62 trades a minute,
 * median spread 3 ¢, 30 % of prints inside the spread, 31 % off-exchange).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regularSession } from '../../../src/core/calendar.ts';
import { OFF_EXCHANGE_CODE } from '../../../src/data/tape/exchanges.ts';
import { generateSample, readSampleManifest, writeSample } from '../../../src/data/sample/sample.ts';
import { computeTapeStats, type TapeStats } from '../../../src/data/sample/stats.ts';
import { SAMPLE_DAY } from '../../../src/data/sample/symbols.ts';
import type { SymbolDay } from '../../../src/data/tape/tape.ts';

const session = regularSession(SAMPLE_DAY);
const units = (dollars: number) => dollars * 10_000;
const wholeUnits = (dollars: number) => Math.round(dollars * 10_000);
const LOT = 100;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => relative(dir, join(dir, f)))
    .sort();
}

describe('sample market files', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'sample-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('same seed → byte-identical files; another seed → different tapes', () => {
    const a = tempDir(), b = tempDir(), c = tempDir();
    writeSample(a, { seed: 7 });
    writeSample(b, { seed: 7 });
    writeSample(c, { seed: 8 });
    const files = filesUnder(a);
    expect(files).toEqual([
      'BLUE/2025-03-12.quotes.arrow',
      'BLUE/2025-03-12.trades.arrow',
      'PENNY/2025-03-12.quotes.arrow',
      'PENNY/2025-03-12.trades.arrow',
      'SAMPLE.json',
      'WIDE/2025-03-12.quotes.arrow',
      'WIDE/2025-03-12.trades.arrow',
    ]);
    expect(filesUnder(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    expect(readFileSync(join(c, 'BLUE/2025-03-12.quotes.arrow')).equals(readFileSync(join(a, 'BLUE/2025-03-12.quotes.arrow')))).toBe(false);
    const manifest = readSampleManifest(a)!;
    expect(manifest.seed).toBe(7);
    expect(manifest.day).toBe('2025-03-12');
    expect(manifest.symbols.map((s) => s.symbol)).toEqual(['PENNY', 'BLUE', 'WIDE']);
  });
});

describe('sample market tapes (seed 42)', () => {
  let days: Map<string, SymbolDay>;
  let stats: Map<string, TapeStats>;
  beforeAll(() => {
    days = new Map(generateSample({ seed: 42 }).map((d) => [d.symbol, d]));
    stats = new Map([...days].map(([s, d]) => [s, computeTapeStats(d, session)]));
  });

  it.each(['PENNY', 'BLUE', 'WIDE'])('%s: quotes ordered, inside the session, on the cent grid, never locked or crossed', (symbol) => {
    const q = days.get(symbol)!.quotes;
    expect(q.length).toBeGreaterThan(10_000);
    expect(q.ts[0]).toBe(session.openUs);
    for (let i = 0; i < q.length; i++) {
      if (i > 0 && !(q.ts[i] > q.ts[i - 1])) throw new Error(`row ${i}: ts not increasing`);
      if (q.ts[i] >= session.closeUs) throw new Error(`row ${i}: after the close`);
      if (!(q.ask[i] > q.bid[i])) throw new Error(`row ${i}: locked or crossed ${q.bid[i]}/${q.ask[i]}`);
      if (wholeUnits(q.bid[i]) % 100 !== 0 || wholeUnits(q.ask[i]) % 100 !== 0) throw new Error(`row ${i}: off the cent grid ${q.bid[i]}/${q.ask[i]}`);
      if (q.bidSize[i] < LOT || q.askSize[i] < LOT) throw new Error(`row ${i}: less than a lot displayed`);
    }
  });

  it.each(['PENNY', 'BLUE', 'WIDE'])('%s: prints at the bid (sells) and at the ask (buys) take displayed size or clear the level', (symbol) => {
    const { quotes: q, trades: t } = days.get(symbol)!;
    let qi = 0;
    const checked = { bid: 0, ask: 0, cleared: 0 };
    for (let i = 0; i < t.length; ) {
      const ts = t.ts[i];
      while (qi + 1 < q.length && q.ts[qi + 1] < ts) qi++; // the quote standing before the print
      let j = i;
      let volume = 0;
      while (j < t.length && t.ts[j] === ts) volume += t.size[j++];
      const price = t.price[i];
      const exactUnits = units(price);
      expect(Math.abs(exactUnits - Math.round(exactUnits))).toBeLessThan(1e-6); // e.g. never 15.280000000001
      const inside = price > q.bid[qi] && price < q.ask[qi];
      if (t.exchange[i] === OFF_EXCHANGE_CODE || inside) {
        // Off-exchange and hidden prints never move the displayed quote.
        expect(q.ts[qi + 1] === ts).toBe(false);
        expect(t.eligible[i]).toBe(t.exchange[i] === OFF_EXCHANGE_CODE ? 0 : 1);
        if (inside) expect(wholeUnits(price) % 50).toBe(0); // whole cents, or a half-cent midpoint
        i = j;
        continue;
      }
      expect(t.eligible[i]).toBe(1);
      const after = qi + 1;
      expect(q.ts[after]).toBe(ts); // the quote update carries the prints' timestamp
      if (price === q.bid[qi]) {
        checked.bid++;
        const cleared = q.bid[after] < q.bid[qi];
        const taken = q.bid[after] === q.bid[qi] && q.bidSize[after] === q.bidSize[qi] - volume;
        const replenished = q.bid[after] === q.bid[qi] && q.bidSize[qi] - volume < LOT;
        if (cleared) checked.cleared++;
        expect(cleared || taken || replenished).toBe(true);
      } else {
        expect(price).toBe(q.ask[qi]);
        checked.ask++;
        const cleared = q.ask[after] > q.ask[qi];
        const taken = q.ask[after] === q.ask[qi] && q.askSize[after] === q.askSize[qi] - volume;
        const replenished = q.ask[after] === q.ask[qi] && q.askSize[qi] - volume < LOT;
        if (cleared) checked.cleared++;
        expect(cleared || taken || replenished).toBe(true);
      }
      i = j;
    }
    expect(checked.bid).toBeGreaterThan(500);
    expect(checked.ask).toBeGreaterThan(500);
    expect(checked.cleared).toBeGreaterThan(50);
  });

  it('BLUE looks like the IBM day it was fitted to', () => {
    const s = stats.get('BLUE')!;
    expect(s.quoteUpdatesPerMin).toBeGreaterThan(80);
    expect(s.quoteUpdatesPerMin).toBeLessThan(120);
    expect(s.tradesPerMin).toBeGreaterThan(50);
    expect(s.tradesPerMin).toBeLessThan(75);
    expect(s.spreadMedianCents).toBe(3);
    expect(s.spreadCents.p10).toBeGreaterThan(1.0);
    expect(s.spreadCents.p10).toBeLessThan(1.8);
    expect(s.spreadCents.p90).toBeGreaterThan(5.5);
    expect(s.spreadCents.p90).toBeLessThan(8.5);
    expect(s.tradeSize.p50).toBe(100);
    expect(s.shareInside).toBeGreaterThan(0.24);
    expect(s.shareInside).toBeLessThan(0.36);
    expect(s.shareOffExchange).toBeGreaterThan(0.25);
    expect(s.shareOffExchange).toBeLessThan(0.37);
    expect(s.shareUpdatesAfterTrade).toBeGreaterThan(0.15);
    expect(s.shareUpdatesAfterTrade).toBeLessThan(0.27);
    expect(s.touchSize.p50).toBeGreaterThan(180);
    expect(s.touchSize.p50).toBeLessThan(280);
  });

  it.each(['PENNY', 'BLUE', 'WIDE'])('%s: activity is U-shaped (open and close busier than midday)', (symbol) => {
    const s = stats.get(symbol)!;
    expect(s.tradesPerMinFirst30).toBeGreaterThan(2 * s.tradesPerMinMidday);
    expect(s.tradesPerMinLast30).toBeGreaterThan(2 * s.tradesPerMinMidday);
    expect(s.quoteUpdatesPerMinFirst30).toBeGreaterThan(1.4 * s.quoteUpdatesPerMinMidday);
    expect(s.quoteUpdatesPerMinLast30).toBeGreaterThan(1.4 * s.quoteUpdatesPerMinMidday);
  });

  it('PENNY is tick-constrained around $15; WIDE is wide around $15', () => {
    const penny = stats.get('PENNY')!;
    expect(penny.spreadMedianCents).toBe(1);
    expect(penny.spreadCents.p90).toBeLessThan(1.5); // one tick at least 90 % of the time
    expect(penny.touchSize.p50).toBeGreaterThan(5_000);
    const wide = stats.get('WIDE')!;
    expect(wide.spreadMedianCents).toBeGreaterThanOrEqual(5);
    expect(wide.spreadMedianCents).toBeLessThanOrEqual(10);
    for (const symbol of ['PENNY', 'WIDE']) {
      const q = days.get(symbol)!.quotes;
      expect(q.bid[0]).toBeGreaterThan(14);
      expect(q.ask[0]).toBeLessThan(16);
    }
    const blue = days.get('BLUE')!.quotes;
    expect(blue.bid[0]).toBeGreaterThan(175);
    expect(blue.ask[0]).toBeLessThan(190);
  });
});
