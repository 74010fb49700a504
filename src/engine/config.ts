/**
 * The engine's config sections: execution (the ladder), ticks and risk. Each module owns its
 * section (this file, src/sim/config.ts, src/data/config.ts, src/live/config.ts,
 * src/serve/config.ts); src/config.ts composes them into the one YAML schema.
 */
import { z } from 'zod';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();

const tickOverrideSchema = z
  .object({
    symbol: z.string().min(1),
    tick: positive(),
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').optional(),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').optional(),
  })
  .strict();

export const ticksSchema = z
  .object({ overrides: z.array(tickOverrideSchema).default([]) })
  .strict();

const marketStepSchema = z
  .object({
    collar_ticks: z.number().int().nonnegative().default(5),
    collar_bps: nonNegative().optional(),
    retry_after_s: positive().default(5),
    max_retries: z.number().int().nonnegative().default(3),
    spread_wait_s: positive().default(60),
  })
  .strict();

export const executionSchema = z
  .object({
    progressive_steps: z.number().int().min(1).max(50).default(4),
    step_timeout_buy: positive().default(15),
    step_timeout_sell: positive().default(10),
    step_percentage: positive().max(100).default(10),
    aggression_buy: positive().max(2).default(0.75),
    aggression_sell: positive().max(2).default(0.85),
    adaptive_step: z.boolean().default(true),
    adaptive_wide_spread_pct: positive().default(2.0),
    adaptive_wide_step_percentage: positive().max(100).default(15),
    adaptive_narrow_spread_pct: positive().default(0.5),
    adaptive_narrow_step_percentage: positive().max(100).default(5),
    max_execution_time: positive().default(120),
    reprice: z.enum(['current', 'arrival']).default('current'),
    stale_ms: positive().default(5000),
    cancel_ack_timeout_ms: positive().default(2000),
    reject_retries: z.number().int().nonnegative().default(2),
    reject_retry_delay_ms: nonNegative().default(1000),
    market_step: marketStepSchema.default(marketStepSchema.parse({})),
  })
  .strict()
  // The adaptive rule's bands must not overlap: narrow (< a) and wide (> b) need a < b.
  .refine((e) => e.adaptive_narrow_spread_pct < e.adaptive_wide_spread_pct, {
    message: 'must be below adaptive_wide_spread_pct (the narrow and wide spread bands would overlap)',
    path: ['adaptive_narrow_spread_pct'],
  });

export const riskSchema = z
  .object({
    max_qty: positive().default(10_000),
    max_notional: positive().default(1_000_000),
    max_position: positive().default(100_000),
    max_spread_pct: positive().default(5),
    queue_when_closed: z.boolean().default(false),
    /** Hold a parent while an opposite-side parent on its symbol works (brokers refuse wash trades). */
    serialize_opposite_sides: z.boolean().default(false),
    session_end_buffer_s: nonNegative().default(60),
    /** At most one working parent per symbol + side (a second is rejected duplicate_working). */
    one_working_per_symbol_side: z.boolean().default(true),
  })
  .strict();

export type ExecutionConfig = z.infer<typeof executionSchema>;
export type RiskConfig = z.infer<typeof riskSchema>;
export type TicksConfig = z.infer<typeof ticksSchema>;

/** What the engine reads of the whole config: the seed and its own sections. */
export interface EngineConfig {
  seed: number | string;
  execution: ExecutionConfig;
  ticks: TicksConfig;
  risk: RiskConfig;
}
