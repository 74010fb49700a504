import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng.ts';
import { censoredLognormalFit, erfc, ksDistance, lognormalFit, wilsonInterval } from '../../src/fidelity/stats.ts';
import { delaysOf } from '../../src/fidelity/latency-fit.ts';
import { LatencyChannel } from '../../src/sim/latency.ts';

describe('fidelity statistics', () => {
  it('Wilson interval: textbook values, inside [0, 1] at 0 % and 100 %', () => {
    const [lo, hi] = wilsonInterval(45, 50);
    expect(lo).toBeCloseTo(0.7864, 3);
    expect(hi).toBeCloseTo(0.9565, 3);
    expect(wilsonInterval(50, 50)[1]).toBe(1);
    expect(wilsonInterval(50, 50)[0]).toBeCloseTo(0.9287, 3);
    expect(wilsonInterval(0, 20)[0]).toBe(0);
    expect(wilsonInterval(0, 0).every(Number.isNaN)).toBe(true);
  });

  it('KS distance: 0 for the same sample, 1 for disjoint ones, the largest ECDF gap otherwise', () => {
    expect(ksDistance([1, 2, 3], [3, 2, 1])).toBe(0);
    expect(ksDistance([1, 2], [3, 4])).toBe(1);
    expect(ksDistance([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
    expect(ksDistance([], [1])).toBeNaN();
  });

  it('erfc matches known values', () => {
    expect(erfc(0)).toBeCloseTo(1, 6);
    expect(erfc(1)).toBeCloseTo(0.157299, 6);
    expect(erfc(-1)).toBeCloseTo(1.842701, 6);
  });

  it('lognormal MLE recovers median and σ from the simulator\'s own latency draws', () => {
    const channel = new LatencyChannel({ ms: 30, jitter: 'lognormal', sigma: 0.5 }, makeRng(1, 'test'));
    const samples = Array.from({ length: 5000 }, () => channel.sampleUs() / 1000);
    const fit = lognormalFit(samples);
    expect(fit.median).toBeGreaterThan(29);
    expect(fit.median).toBeLessThan(31);
    expect(fit.sigma).toBeGreaterThan(0.48);
    expect(fit.sigma).toBeLessThan(0.52);
  });

  it('a channel that never overtakes holds messages back; the censored fit recovers what the plain one cannot', () => {
    // messages every 2 ms through a 5 ms lognormal channel: many are held behind the one before
    const channel = new LatencyChannel({ ms: 5, jitter: 'lognormal', sigma: 0.6 }, makeRng(2, 'test'));
    const messages = Array.from({ length: 6000 }, (_, i) => ({ group: 0, sentUs: i * 2000, deliveredUs: channel.deliver(i * 2000) }));
    const delays = delaysOf(messages).map((d) => d.delay);
    const held = delays.filter((d) => d.heldBack);
    expect(held.length).toBeGreaterThan(600);
    const naive = lognormalFit(delays.map((d) => d.ms));
    const censored = censoredLognormalFit(delays.filter((d) => !d.heldBack).map((d) => d.ms), held.map((d) => d.ms));
    expect(naive.median).toBeGreaterThan(5.5); // biased up by the holding
    expect(Math.abs(censored.median - 5) / 5).toBeLessThan(0.05);
    expect(Math.abs(censored.sigma - 0.6) / 0.6).toBeLessThan(0.08);
  });
});
