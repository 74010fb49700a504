/** The live adapter's config section (`live:`). */
import { z } from 'zod';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();

/** `ladderlab live`: endpoints, identity, resilience (README: live; every key in ladderlab.yaml). */
export const liveSchema = z
  .object({
    feed: z.enum(['iex', 'sip']).default('iex'),
    trading_url: z.string().url().nullable().default(null),
    data_url: z.string().url().default('https://data.alpaca.markets'),
    trading_stream_url: z.string().url().nullable().default(null),
    data_stream_url: z.string().url().nullable().default(null),
    client_id_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,24}$/, 'letters, digits and _ . - (1 to 24 characters)')
      .default('ll-'),
    speed: positive().default(1),
    /** wall: real time (× speed); lockstep: the venue's virtual time, moved by this run (serve --speed lockstep, loopback only). */
    clock: z.enum(['wall', 'lockstep']).default('wall'),
    amend: z.enum(['cancel_replace', 'replace']).default('cancel_replace'),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(20).default(5),
        min_delay_ms: nonNegative().default(250),
        max_delay_ms: nonNegative().default(5000),
      })
      .strict()
      .default({ attempts: 5, min_delay_ms: 250, max_delay_ms: 5000 }),
    request_timeout_ms: positive().default(10_000),
    stream_reconnect_attempts: z.number().int().min(0).default(10),
    stream_reconnect_ms: positive().default(500),
    reorder_wait_ms: nonNegative().default(250),
    shutdown_wait_ms: nonNegative().default(5000),
    markout_collect_s: nonNegative().default(60),
    record_tape: z.boolean().default(true),
  })
  .strict();

export type LiveConfig = z.infer<typeof liveSchema>;
