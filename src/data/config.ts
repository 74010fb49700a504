/** Generated parent orders (`orders:`): how many, which symbols, what sizes. */
import { z } from 'zod';

export const ordersSchema = z
  .object({
    count: z.number().int().positive().default(200),
    /** What `count` (or `--orders N`) counts: parents in the whole run, on each selected symbol-day, or per regular-session hour of each. */
    count_per: z.enum(['run', 'symbol_day', 'hour']).default('run'),
    qty_min: z.number().int().positive().default(100),
    qty_max: z.number().int().positive().default(1000),
    qty_lot: z.number().int().positive().default(100),
    symbols: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type OrdersConfig = z.infer<typeof ordersSchema>;
