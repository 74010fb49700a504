/**
 * The one YAML config that drives backtest, sweep and live alike, composed from each module's own
 * section. `ladderlab.yaml` at the root documents every key; this schema is its single source of
 * truth. Unknown keys are errors that name the file, the key and the closest valid key.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from './core/errors.ts';
import { executionSchema, riskSchema, ticksSchema } from './engine/config.ts';
import { ordersSchema } from './data/config.ts';
import { simSchema } from './sim/config.ts';
import { serveSchema } from './serve/config.ts';
import { liveSchema } from './live/config.ts';

export const configSchema = z
  .object({
    seed: z.union([z.number().int(), z.string().min(1)]).default(42),
    execution: executionSchema.default(executionSchema.parse({})),
    ticks: ticksSchema.default({ overrides: [] }),
    risk: riskSchema.default(riskSchema.parse({})),
    sim: simSchema.default(simSchema.parse({})),
    orders: ordersSchema.default(ordersSchema.parse({})),
    serve: serveSchema.default(serveSchema.parse({})),
    live: liveSchema.default(liveSchema.parse({})),
  })
  .strict();

export type LadderConfig = z.infer<typeof configSchema>;
export type { EngineConfig, ExecutionConfig, RiskConfig } from './engine/config.ts';
export type { SimConfig, SimRunConfig } from './sim/config.ts';
export type { ServeConfig, ServeFaults } from './serve/config.ts';
export type { LiveConfig } from './live/config.ts';

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
