/** The simulator's config section (`sim:`): fill model, its parameters, latency channels. */
import { z } from 'zod';
import type { EngineConfig } from '../engine/config.ts';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();

const latencyChannelSchema = z
  .object({
    ms: nonNegative().default(0),
    jitter: z.enum(['none', 'lognormal']).default('none'),
    sigma: nonNegative().default(0.5),
  })
  .strict();
const latencyDefault = () => latencyChannelSchema.parse({});

export const simSchema = z
  .object({
    fill_model: z.enum(['through', 'touch', 'queue']).default('queue'),
    p_touch: z.number().min(0).max(1).default(0.3),
    queue_power: positive().default(2),
    /** How the queue model splits cancellations: f(x) = x^queue_power (power) or ln(1 + x) (log). */
    queue_prob: z.enum(['power', 'log']).default('power'),
    include_ineligible: z.boolean().default(false),
    latency: z
      .object({
        entry: latencyChannelSchema.default(latencyDefault()),
        cancel: latencyChannelSchema.default(latencyDefault()),
        response: latencyChannelSchema.default(latencyDefault()),
        feed: latencyChannelSchema.default(latencyDefault()),
      })
      .strict()
      .default({ entry: latencyDefault(), cancel: latencyDefault(), response: latencyDefault(), feed: latencyDefault() }),
  })
  .strict();

export type SimConfig = z.infer<typeof simSchema>;

/** What a simulated run reads: the engine's sections plus the simulator's. */
export interface SimRunConfig extends EngineConfig {
  sim: SimConfig;
}
