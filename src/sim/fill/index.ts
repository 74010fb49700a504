/** Build the configured fill model (`sim.fill_model`) with its own seeded stream. */
import type { SimConfig } from '../config.ts';
import { makeRng } from '../../core/rng.ts';
import type { FillModel } from './model.ts';
import { LogQueueProb, PowerQueueProb, type QueueProb } from './prob.ts';
import { QueueFillModel } from './queue.ts';
import { IntensityFillModel } from './intensity.ts';
import { ThroughFillModel } from './through.ts';
import { TouchFillModel } from './touch.ts';

export type { FillModel, RestingChild } from './model.ts';
export { NearTouch, PRICE_EPSILON } from './model.ts';

export function makeFillModel(sim: SimConfig, seed: number | string): FillModel {
  switch (sim.fill_model) {
    case 'through':
      return new ThroughFillModel();
    case 'touch':
      return new TouchFillModel(sim.p_touch, makeRng(seed, 'fill:touch'));
    case 'queue':
      return new QueueFillModel(makeQueueProb(sim), sim.p_touch);
    case 'intensity':
      return new IntensityFillModel(sim.intensity.a_per_s, sim.intensity.k_per_tick, new QueueFillModel(makeQueueProb(sim), sim.p_touch), makeRng(seed, 'fill:intensity'));
  }
}

/** `sim.queue_prob`: the rule splitting cancellations between the shares ahead and behind. */
export function makeQueueProb(sim: Pick<SimConfig, 'queue_prob' | 'queue_power'>): QueueProb {
  return sim.queue_prob === 'log' ? new LogQueueProb() : new PowerQueueProb(sim.queue_power);
}
