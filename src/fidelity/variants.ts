/**
 * The simulator configurations a run is reconciled against, one row of the fidelity report each:
 *   · each --config fragment merged over the run's own config (a calibrate output changes only
 *     `sim`, so the ladder stays the one that ran),
 *   · "as run": the run's config,
 *   · "sim defaults": the run's config with the `sim` section reset to the defaults,
 *   · with --models, "as run" under each fill model.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultConfig, loadConfig, parseConfig, type LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { simSchema } from '../sim/config.ts';

/** Every fill model the simulator knows (its schema is the one list). */
export const FILL_MODELS: readonly string[] = simSchema.shape.fill_model.unwrap().options;

export interface Variant {
  label: string;
  config: LadderConfig;
}

type Raw = Record<string, unknown>;

/** Deep merge of plain objects: `over` wins; arrays and scalars are replaced whole. */
export function mergeConfig(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(v) && isPlain(b) ? mergeConfig(b as Raw, v as Raw) : v;
  }
  return out;
}

function isPlain(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * A YAML file as the raw object the user wrote: validated by the one config loader first (errors
 * name the file), then re-read without defaults so only the keys it sets override the run's.
 */
export function loadFragment(path: string): Raw {
  loadConfig(path);
  const value = parseYaml(readFileSync(path, 'utf8')) as unknown;
  return isPlain(value) ? (value as Raw) : {};
}

export function buildVariants(runConfig: LadderConfig, options: { configs?: readonly string[]; models?: readonly string[]; includeDefaults?: boolean }): Variant[] {
  const variants: Variant[] = [];
  for (const path of options.configs ?? []) {
    const merged = mergeConfig(runConfig as unknown as Raw, loadFragment(path));
    variants.push({ label: basename(path), config: parseConfig(merged, path) });
  }
  variants.push({ label: 'as run', config: runConfig });
  if (options.includeDefaults ?? true) {
    variants.push({ label: 'sim defaults', config: { ...runConfig, sim: defaultConfig().sim } });
  }
  for (const model of options.models ?? []) {
    if (!FILL_MODELS.includes(model)) throw new InputError(`--models: unknown fill model '${model}' (one of ${FILL_MODELS.join(', ')})`);
    variants.push({ label: `as run, ${model}`, config: { ...runConfig, sim: { ...runConfig.sim, fill_model: model as LadderConfig['sim']['fill_model'] } } });
  }
  return variants;
}
