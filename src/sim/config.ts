/** The simulator's config section (`sim:`): fill model, its parameters, latency channels. */
import { z } from 'zod';
import type { EngineConfig } from '../engine/config.ts';
import { FILL_MODEL_NAMES } from './fill/model.ts';

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

/**
 * Quantity beyond the displayed touch (L1 data shows no depth behind it), for every child that is
 * marketable when it reaches the venue — the ladder's market step and the market-order baseline
 * alike (fill/beyond-touch.ts):
 *   · levels (default): synthetic levels every `level_spacing_ticks` ticks behind the far touch,
 *     each showing `level_size_factor` × the displayed far-touch size; the child walks them up to
 *     its limit (the collar), one fill per level at the level's price;
 *   · collar: nothing beyond the displayed size; the rest rests at the limit (the collar price)
 *     until a later quote or print reaches it.
 */
/**
 * `fill_model: intensity` (fill/intensity.ts): a child inside the spread fills at rate
 * λ(δ) = a_per_s · exp(−k_per_tick · δ), δ its distance from its own side's displayed touch in
 * whole ticks; P(fill in dt) = 1 − exp(−λ·dt). Plain numbers, fitted by `calibrate`.
 */
const intensitySchema = z
  .object({
    /** A: fills per second at δ = 0. */
    a_per_s: nonNegative().default(0.1),
    /** k: per tick of δ (negative: limits nearer the far touch fill sooner). */
    k_per_tick: z.number().default(0),
  })
  .strict();

const beyondTouchSchema = z
  .object({
    model: z.enum(['levels', 'collar']).default('levels'),
    level_size_factor: positive().default(1),
    level_spacing_ticks: z.number().int().positive().default(1),
  })
  .strict();

export const simSchema = z
  .object({
    fill_model: z.enum(FILL_MODEL_NAMES).default('queue'),
    p_touch: z.number().min(0).max(1).default(0.3),
    queue_power: positive().default(2),
    /** How the queue model splits cancellations: f(x) = x^queue_power (power) or ln(1 + x) (log). */
    queue_prob: z.enum(['power', 'log']).default('power'),
    include_ineligible: z.boolean().default(false),
    beyond_touch: beyondTouchSchema.default(beyondTouchSchema.parse({})),
    intensity: intensitySchema.default(intensitySchema.parse({})),
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
export type BeyondTouchConfig = SimConfig['beyond_touch'];

/** What a simulated run reads: the engine's sections plus the simulator's. */
export interface SimRunConfig extends EngineConfig {
  sim: SimConfig;
}
