/**
 * Message latency for the simulator's four channels (DESIGN §3): entry (engine → venue: orders and
 * order queries), cancel (engine → venue), response (venue → engine: acks, fills, cancel answers)
 * and feed (venue → engine: quotes). Each is fixed or sampled; every channel keeps its order:
 *
 *   delivery = max(previous delivery on the channel, sent + sample)
 *
 * A sample is `ms` (fixed) or lognormal with median `ms`:  ms · exp(σ · z),  z ~ N(0, 1) (Box–Muller
 * on the channel's own seeded stream, so adding draws elsewhere never shifts these). Whole µs.
 */
import { makeRng, type Rng } from '../core/rng.ts';

export interface LatencySpec {
  ms: number;
  jitter: 'none' | 'lognormal';
  sigma: number;
}

export class LatencyChannel {
  private readonly medianUs: number;
  private readonly sampled: boolean;
  private readonly sigma: number;
  private readonly rng: Rng;
  private lastDeliveryUs = -Infinity;

  constructor(spec: LatencySpec, rng: Rng) {
    this.medianUs = Math.round(spec.ms * 1000);
    this.sampled = spec.jitter === 'lognormal' && spec.sigma > 0 && this.medianUs > 0;
    this.sigma = spec.sigma;
    this.rng = rng;
  }

  /** True when every sample is the same (no randomness on this channel). */
  get isFixed(): boolean {
    return !this.sampled;
  }

  /** One latency draw in whole µs. */
  sampleUs(): number {
    if (!this.sampled) return this.medianUs;
    // Box–Muller: z = √(−2 ln u₁) · cos(2π u₂), u₁ ∈ (0, 1].
    const u1 = 1 - this.rng();
    const u2 = this.rng();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.round(this.medianUs * Math.exp(this.sigma * z));
  }

  /** When a message sent at `sentUs` arrives: max(previous delivery, sent + sample) — never overtakes. */
  deliver(sentUs: number): number {
    const at = sentUs + this.sampleUs();
    const delivery = at > this.lastDeliveryUs ? at : this.lastDeliveryUs;
    this.lastDeliveryUs = delivery;
    return delivery;
  }
}

export interface LatencySpecs {
  entry: LatencySpec;
  cancel: LatencySpec;
  response: LatencySpec;
  feed: LatencySpec;
}

export interface LatencyChannels {
  entry: LatencyChannel;
  cancel: LatencyChannel;
  response: LatencyChannel;
  feed: LatencyChannel;
}

export function makeLatencyChannels(specs: LatencySpecs, seed: number | string): LatencyChannels {
  return {
    entry: new LatencyChannel(specs.entry, makeRng(seed, 'latency:entry')),
    cancel: new LatencyChannel(specs.cancel, makeRng(seed, 'latency:cancel')),
    response: new LatencyChannel(specs.response, makeRng(seed, 'latency:response')),
    feed: new LatencyChannel(specs.feed, makeRng(seed, 'latency:feed')),
  };
}
