/**
 * Seeded draws for the generator: one seedrandom stream, discrete distributions sampled by binary
 * search over a precomputed cumulative table (no allocation per draw).
 */
import { seededRandom } from '../../core/rng.ts';
import type { Histogram } from './model.ts';
import { upperBound } from '../tape/search.ts';

/** Uniform in [0, 1), deterministic for a seed. */
export type Uniform = () => number;

export function makeUniform(seed: string): Uniform {
  return seededRandom(seed);
}

/** Exponential waiting time of a Poisson process: t = −ln(1 − u) / rate. */
export function exponentialWait(u: number, ratePerSec: number): number {
  return -Math.log(1 - u) / ratePerSec;
}

/** A discrete distribution ready to sample: P(values[i]) = weights[i] / Σ weights. */
export class DiscreteSampler {
  readonly values: Float64Array;
  /** cumulative[i] = Σ_{j ≤ i} weights[j] / Σ weights; the last entry is 1. */
  private readonly cumulative: Float64Array;

  constructor(h: Histogram) {
    const n = h.values.length;
    this.values = Float64Array.from(h.values);
    this.cumulative = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += h.weights[i];
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += h.weights[i];
      this.cumulative[i] = acc / total;
    }
    this.cumulative[n - 1] = 1;
  }

  /** The value whose cumulative band holds `u` ∈ [0, 1). */
  draw(u: number): number {
    // The last band ends at 1 > u, so the search stops at n − 1 at the latest.
    return this.values[upperBound(this.cumulative, u, 0, this.cumulative.length - 1)];
  }

  mean(): number {
    let m = 0;
    let prev = 0;
    for (let i = 0; i < this.values.length; i++) {
      m += this.values[i] * (this.cumulative[i] - prev);
      prev = this.cumulative[i];
    }
    return m;
  }
}
