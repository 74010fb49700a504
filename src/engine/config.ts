/**
 * The one YAML config that drives backtest, sweep and live alike. `ladderlab.yaml` at the root
 * documents every key; this schema is its single source of truth. Unknown keys are errors that
 * name the file, the key and the closest valid key.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../core/errors.ts';

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
  .strict();

export const riskSchema = z
  .object({
    max_qty: positive().default(10_000),
    max_notional: positive().default(1_000_000),
    max_position: positive().default(100_000),
    max_spread_pct: positive().default(5),
    queue_when_closed: z.boolean().default(false),
    session_end_buffer_s: nonNegative().default(60),
  })
  .strict();

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

export const ordersSchema = z
  .object({
    count: z.number().int().positive().default(200),
    qty_min: z.number().int().positive().default(100),
    qty_max: z.number().int().positive().default(1000),
    qty_lot: z.number().int().positive().default(100),
    symbols: z.array(z.string().min(1)).default([]),
  })
  .strict();

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
    speed: z.union([nonNegative(), z.literal('max')]).default(1),
    start: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'a New York time HH:MM[:SS]').default('09:30'),
    cash: positive().default(100_000),
    history_look_ahead: z.boolean().default(false),
    data_connections_per_key: z.number().int().positive().default(1),
    faults: serveFaultsSchema.default(serveFaultsSchema.parse({})),
  })
  .strict();

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

export const configSchema = z
  .object({
    seed: z.union([z.number().int(), z.string().min(1)]).default(42),
    execution: executionSchema.default(executionSchema.parse({})),
    ticks: z
      .object({ overrides: z.array(tickOverrideSchema).default([]) })
      .strict()
      .default({ overrides: [] }),
    risk: riskSchema.default(riskSchema.parse({})),
    sim: simSchema.default(simSchema.parse({})),
    orders: ordersSchema.default(ordersSchema.parse({})),
    serve: serveSchema.default(serveSchema.parse({})),
    live: liveSchema.default(liveSchema.parse({})),
  })
  .strict();

export type LadderConfig = z.infer<typeof configSchema>;
export type ExecutionConfig = LadderConfig['execution'];
export type RiskConfig = LadderConfig['risk'];
export type ServeConfig = LadderConfig['serve'];
export type ServeFaults = ServeConfig['faults'];
export type LiveConfig = LadderConfig['live'];

/** The defaults: what an empty config means. */
export function defaultConfig(): LadderConfig {
  return configSchema.parse({});
}

/** Validate a parsed object; `source` names the file in messages. */
export function parseConfig(raw: unknown, source = '<config>'): LadderConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => describeIssue(issue, source));
  throw new InputError(lines.join('\n'));
}

export function loadConfig(path: string): LadderConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read config (${(err as Error).message})`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new InputError(`${path}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  return parseConfig(doc.toJS(), path);
}

/** Set a dotted key (e.g. `execution.step_percentage`) on a raw config object, for sweeps and flags. */
export function setDotted(raw: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node: Record<string, unknown> = raw;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || next === null || typeof next !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, source: string): string {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const valid = validKeysAt(issue.path);
    return issue.keys
      .map((key) => {
        const full = where ? `${where}.${key}` : key;
        const best = closest(key, valid);
        return `${source}: unknown key '${full}'${best ? ` — did you mean '${where ? `${where}.` : ''}${best}'?` : ''}`;
      })
      .join('\n');
  }
  return `${source}: '${where || '(root)'}': ${issue.message}`;
}

/** The keys the schema accepts at `path` (for suggestions). */
export function validKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = schema.shape[String(part)] as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
    if (!schema) return [];
  }
  schema = unwrap(schema);
  if (schema instanceof z.ZodArray) schema = unwrap(schema.element as z.ZodType);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** Closest candidate by edit distance, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
