/**
 * The survival-likelihood estimator of intensity A and k (src/fidelity/intensity-fit.ts): on a
 * backtest stand-in with known A and k (the simulator's own seeded thresholds, which the estimator
 * never sees), buy and sell children separately, the fit recovers A and k within ±15 % and its
 * bootstrap interval holds the truth; the exposure bookkeeping on a hand-built tape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childExposures, estimateIntensity, fitIntensityMle } from '../../src/fidelity/intensity-fit.ts';
import { replayChildrenOf } from '../../src/fidelity/child-replay.ts';
import { loadObservedRun } from '../../src/fidelity/observed.ts';
import { inArrivalOrder } from '../../src/fidelity/split.ts';
import { dirTapeSource, memoryTapeSource } from '../../src/sim/backtest.ts';
import { makeQuoteColumns, makeTradeColumns, type QuoteRow, type TradeRow } from '../../src/data/tape/tape.ts';
import type { ReplayChild } from '../../src/fidelity/child-replay.ts';
import { makeRng } from '../../src/core/rng.ts';
import { fillIntensity } from '../../src/sim/fill/intensity.ts';
import { writeObservedRun } from './fidelity-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-intensity-fit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const within = (x: number, truth: number, tolerance = 0.15) => Math.abs(x - truth) <= tolerance * Math.abs(truth);

describe('intensity survival likelihood on a backtest stand-in', () => {
  const truth = {
    seed: 17,
    sim: { fill_model: 'intensity', queue_power: 3, intensity: { a_per_s: 0.08, k_per_tick: -0.3 }, latency: { entry: { ms: 30, jitter: 'lognormal', sigma: 0.5 }, response: { ms: 10 } } },
  };
  const observed = writeObservedRun({ root, name: 'observed', truth, parents: 2500 });
  const run = loadObservedRun(observed.dir);
  const records = inArrivalOrder(run.records);
  const children = replayChildrenOf(records, run.config.execution);
  const exposures = childExposures(children, dirTapeSource(run.tapeDir));

  for (const side of ['buy', 'sell'] as const) {
    it(`${side} children: A 0.08 /s and k −0.3 /tick within ±15 %, the 95 % intervals hold the truth`, () => {
      const sideChildren = children.filter((c) => c.side === side);
      const e = childExposures(sideChildren, dirTapeSource(run.tapeDir));
      const fit = estimateIntensity(e, 100, 5);
      expect(fit.identified).toBe(true);
      expect(fit.fills).toBeGreaterThan(30);
      expect(within(fit.aPerS, 0.08)).toBe(true);
      expect(within(fit.kPerTick, -0.3)).toBe(true);
      expect(fit.aLo).toBeLessThanOrEqual(0.08);
      expect(fit.aHi).toBeGreaterThanOrEqual(0.08);
      expect(fit.kLo).toBeLessThanOrEqual(-0.3);
      expect(fit.kHi).toBeGreaterThanOrEqual(-0.3);
    });
  }

  it('both sides pooled', () => {
    const fit = fitIntensityMle(exposures);
    expect(within(fit.aPerS, 0.08, 0.1)).toBe(true);
    expect(within(fit.kPerTick, -0.3, 0.1)).toBe(true);
  });
});

describe('exposure bookkeeping on a hand-built tape', () => {
  const T0 = Date.UTC(2025, 2, 12, 14, 30) * 1000; // 10:30 New York
  const s = (sec: number) => T0 + sec * 1e6;
  // δ from the buy's near touch (bid) for L = 10.03: 3, 2, 0 (at the touch), 1, 3
  const buyQuotes: QuoteRow[] = [[s(0), 10.0, 10.06], [s(1), 10.01, 10.06], [s(3), 10.03, 10.06], [s(4), 10.02, 10.06], [s(6), 10.0, 10.05], [s(7), 10.0, 10.05]];
  // the sell mirror: δ from the ask for L = 10.03
  const sellQuotes: QuoteRow[] = [[s(0), 10.0, 10.06], [s(1), 10.0, 10.05], [s(3), 10.0, 10.03], [s(4), 10.0, 10.04], [s(6), 10.01, 10.06], [s(7), 10.01, 10.06]];
  const tape = (symbol: string, quotes: QuoteRow[], trades: TradeRow[]) => ({ symbol, day: '2025-03-12', quotes: makeQuoteColumns(quotes), trades: makeTradeColumns(trades) });
  const tapes = memoryTapeSource([tape('BUYX', buyQuotes, [[s(6), 10.02, 100]]), tape('SELX', sellQuotes, [[s(6), 10.04, 100]]), tape('BUYY', buyQuotes, []), tape('SELY', sellQuotes, [])]);
  const child = (symbol: string, side: 'buy' | 'sell', fillSec: number | null, cancelSec: number): ReplayChild => ({
    parentIndex: 0, childId: `${symbol}-${fillSec}`, symbol, side, qty: 100, limitPrice: 10.03,
    venueArrivalUs: s(0.5), venueCancelUs: s(cancelSec), observedFilledQty: fillSec === null ? 0 : 100,
    observedFirstFillUs: fillSec === null ? Number.NaN : s(fillSec), isMarketStep: false,
  });

  for (const [side, plain, withPrint] of [['buy', 'BUYY', 'BUYX'], ['sell', 'SELY', 'SELX']] as const) {
    it(`${side}: exposure from the venue arrival; at-touch intervals and the one ending at the touch left out; a cancel ends it at the last quote`, () => {
      const [e] = childExposures([child(plain, side, null, 6.5)], tapes);
      expect(e.deltas).toEqual([3, 1]);
      expect(e.dtS).toEqual([0.5, 2]);
      expect(e.fill).toBeNull();
    });
    it(`${side}: a fill at a quote ends the interval before it as the event; the same fill with a print through L is censored`, () => {
      const [e] = childExposures([child(plain, side, 6, 10)], tapes);
      expect(e.deltas).toEqual([3]);
      expect(e.fill).toEqual({ delta: 1, dtS: 2 });
      const [p] = childExposures([child(withPrint, side, 6, 10)], tapes);
      expect(p.deltas).toEqual([3]);
      expect(p.fill).toBeNull();
      // a broker's stamp 10 ms late, told to the estimator: the same event
      const late = { ...child(plain, side, 6, 10), observedFirstFillUs: s(6.01) };
      expect(childExposures([late], tapes, { fillStampLagUs: 10_000 })[0].fill).toEqual({ delta: 1, dtS: 2 });
      // a stamp truncated to whole ms (the quote at 6 s + 400 µs): found with a 1 ms resolution only
      const shifted = memoryTapeSource([tape(plain, (side === 'buy' ? buyQuotes : sellQuotes).map((r, i) => (i === 4 ? [s(6) + 400, (r as readonly number[])[1], (r as readonly number[])[2]] : r)) as QuoteRow[], [])]);
      expect(childExposures([child(plain, side, 6, 10)], shifted)[0].fill).toBeNull();
      expect(childExposures([child(plain, side, 6, 10)], shifted, { stampResolutionUs: 1000 })[0].fill).toEqual({ delta: 1, dtS: 2.0004 });
    });
  }

  it('the likelihood recovers A and k from draws of the model itself (20,000 children, δ 1–4 ticks)', () => {
    const rng = makeRng(3, 'test:intensity-mle');
    const exposures = Array.from({ length: 20_000 }, (_, i) => {
      const e = { parentKey: i, deltas: [] as number[], dtS: [] as number[], fill: null as { delta: number; dtS: number } | null };
      for (let q = 0; q < 6 && !e.fill; q++) {
        const delta = 1 + Math.floor(rng() * 4);
        const dtS = -Math.log(1 - rng()) * 2;
        if (rng() < 1 - Math.exp(-fillIntensity(0.08, -0.3, delta) * dtS)) e.fill = { delta, dtS };
        else {
          e.deltas.push(delta);
          e.dtS.push(dtS);
        }
      }
      return e;
    });
    const fit = fitIntensityMle(exposures);
    expect(fit.identified).toBe(true);
    expect(within(fit.aPerS, 0.08, 0.05), String(fit.aPerS)).toBe(true);
    expect(within(fit.kPerTick, -0.3, 0.05), String(fit.kPerTick)).toBe(true);
  });
});
