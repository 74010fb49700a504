/**
 * Fitting the sample model: the two-factor rate estimate on exact counts; the fit recovering the
 * parameters of a day the generator made; and, with the real IBM day (../shared; skipped with a
 * message without it), the committed fitted-ibm.json reproduced exactly and the IBM-like BLUE
 * within ±25 % of the real day on every sample:stats line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { regularSession } from '../../../src/core/calendar.ts';
import type { SymbolDay } from '../../../src/data/tape/tape.ts';
import { compareStats, comparisonMarkdown } from '../../../src/data/sample/compare.ts';
import { fitSampleModel, fitTwoFactorRates } from '../../../src/data/sample/fit.ts';
import { generateSymbolDay } from '../../../src/data/sample/generate.ts';
import type { Histogram, SampleModel } from '../../../src/data/sample/model.ts';
import { formatModelJson, loadRealIbmDay, REAL_DATA_DIR, realIbmAvailable } from '../../../src/data/sample/real-ibm.ts';
import { DEFAULT_SAMPLE_SEED, generateSample } from '../../../src/data/sample/sample.ts';
import { computeTapeStats } from '../../../src/data/sample/stats.ts';
import { fittedIbmModel, SAMPLE_DAY } from '../../../src/data/sample/symbols.ts';

const mean = (h: Histogram) => h.values.reduce((a, v, i) => a + v * h.weights[i], 0) / h.weights.reduce((a, w) => a + w, 0);

describe('fitTwoFactorRates', () => {
  it('recovers λ[s]·θ[q] from exact counts, θ scaled to an exposure-weighted mean of 1', () => {
    // Two spread states, two queue buckets, 10 s of exposure each; true λ = [1, 2], θ = [2, 1].
    const E = Float64Array.from([0, 0, 10, 10, 10, 10]);
    const N = Float64Array.from([0, 0, 1 * 2 * 10, 1 * 1 * 10, 2 * 2 * 10, 2 * 1 * 10]);
    const { perSecBySpread, factorByQueue } = fitTwoFactorRates(N, E, 2, 2);
    // mean θ = 1.5 → θ = [4/3, 2/3], λ = [1.5, 3]; the products λθ are the true rates.
    expect(factorByQueue[0]).toBeCloseTo(4 / 3, 5);
    expect(factorByQueue[1]).toBeCloseTo(2 / 3, 5);
    expect(perSecBySpread).toHaveLength(3);
    expect(perSecBySpread[0]).toBe(0);
    expect(perSecBySpread[1]).toBeCloseTo(1.5, 5);
    expect(perSecBySpread[2]).toBeCloseTo(3, 5);
  });
});

describe('fitting a generated day recovers its parameters', () => {
  const model = fittedIbmModel();
  let refit: SampleModel;
  beforeAll(() => {
    const session = regularSession(SAMPLE_DAY);
    const day = generateSymbolDay(model, { symbol: 'BLUE', day: SAMPLE_DAY, seed: 'refit', ...session });
    refit = fitSampleModel(day, session, { tickDollars: 0.01, maxSpreadTicksCap: model.maxSpreadTicks });
  });

  it('market-order rates at 1–3 ticks and the clearing probabilities within 15 %', () => {
    for (let s = 1; s <= 3; s++) {
      const truth = model.marketOrders.perSecBySpread[s] * model.marketOrders.factorByQueue[1];
      const fitted = refit.marketOrders.perSecBySpread[s] * refit.marketOrders.factorByQueue[1];
      expect(Math.abs(fitted / truth - 1), `spread ${s}`).toBeLessThan(0.15);
    }
    for (let q = 0; q < 3; q++) expect(Math.abs(refit.clearAfterOrder[q] / model.clearAfterOrder[q] - 1), `queue ${q}`).toBeLessThan(0.15);
  });

  it('improvement and off-exchange rates at 2–3 ticks within 15 %, reactions within 20 %', () => {
    for (const s of [2, 3]) {
      expect(Math.abs(refit.improvesPerSec[s] / model.improvesPerSec[s] - 1), `improve ${s}`).toBeLessThan(0.15);
      expect(Math.abs(refit.offExchangeTouchPerSec[s] / model.offExchangeTouchPerSec[s] - 1), `offex ${s}`).toBeLessThan(0.15);
    }
    expect(Math.abs(refit.reaction.sameRow / model.reaction.sameRow - 1)).toBeLessThan(0.2);
    expect(Math.abs(refit.reaction.oppositeSide / model.reaction.oppositeSide - 1)).toBeLessThan(0.2);
  });

  it('thin queues react faster than thick ones, as fitted', () => {
    expect(model.pulls.factorByQueue[0]).toBeGreaterThan(3 * model.pulls.factorByQueue[2]);
    expect(refit.pulls.factorByQueue[0]).toBeGreaterThan(3 * refit.pulls.factorByQueue[2]);
  });

  it('print sizes and prints per order: same means within 5 %', () => {
    expect(Math.abs(mean(refit.printSize) / mean(model.printSize) - 1)).toBeLessThan(0.05);
    expect(Math.abs(mean(refit.printsPerMarketOrder) / mean(model.printsPerMarketOrder) - 1)).toBeLessThan(0.05);
  });
});

const hasReal = realIbmAvailable();
if (!hasReal) console.warn(`SKIP sample-fit real-data checks: ${REAL_DATA_DIR} not found (licensed tick data lives outside the repo)`);

describe.skipIf(!hasReal)('the real IBM day (../shared)', () => {
  let real: SymbolDay;
  beforeAll(async () => {
    real = (await loadRealIbmDay())!;
  });

  it('sample:fit reproduces the committed fitted-ibm.json byte for byte', () => {
    const fitted = fitSampleModel(real, regularSession(real.day), { tickDollars: 0.01 });
    const committed = readFileSync(fileURLToPath(new URL('../../../src/data/sample/fitted-ibm.json', import.meta.url)), 'utf8');
    expect(formatModelJson(fitted)).toBe(committed);
  });

  it('BLUE (default seed) is within ±25 % of IBM on every sample:stats line, median spread within a tick', () => {
    const blue = generateSample({ seed: DEFAULT_SAMPLE_SEED }).find((d) => d.symbol === 'BLUE')!;
    const lines = compareStats(computeTapeStats(real, regularSession(real.day)), computeTapeStats(blue, regularSession(blue.day)));
    const out = lines.filter((l) => !l.ok);
    expect(out, comparisonMarkdown(out, 'IBM', 'BLUE')).toEqual([]);
    expect(lines).toHaveLength(28);
  });
});
