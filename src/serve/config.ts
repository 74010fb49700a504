/** `ladderlab serve`'s config section (`serve:`), with its fault switches. */
import { z } from 'zod';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();

/** `ladderlab serve`: fault switches (also settable at run time through the admin endpoint). */
export const serveFaultsSchema = z
  .object({
    data_stream_stall: z.boolean().default(false),
    submit_errors: z.number().int().nonnegative().default(0),
    submit_error_status: z.union([z.literal(429), z.literal(500)]).default(429),
    submit_error_accept: z.boolean().default(false),
    cancel_ack_delay_ms: nonNegative().default(0),
    fill_after_cancel: z.number().int().nonnegative().default(0),
    fill_after_cancel_qty: z.number().int().positive().nullable().default(null),
    duplicate_trade_updates: z.number().int().nonnegative().default(0),
    reorder_trade_updates: z.number().int().nonnegative().default(0),
    market_closed_until: z.string().min(1).nullable().default(null),
  })
  .strict();

export const serveSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(8765),
    speed: z.union([nonNegative(), z.literal('max'), z.literal('lockstep')]).default(1),
    start: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'a New York time HH:MM[:SS]').default('09:30'),
    cash: positive().default(100_000),
    history_look_ahead: z.boolean().default(false),
    data_connections_per_key: z.number().int().positive().default(1),
    faults: serveFaultsSchema.default(serveFaultsSchema.parse({})),
  })
  .strict();

export type ServeConfig = z.infer<typeof serveSchema>;
export type ServeFaults = ServeConfig['faults'];
