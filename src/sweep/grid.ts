/**
 * The sweep grid: `--grid key=v1,v2,…` axes over any dotted config keys, expanded to the
 * cartesian product in a fixed order (first axis slowest). Each cell's config is validated like
 * a config file, so a mistyped key or value fails before any cell runs.
 */
import { createHash } from 'node:crypto';
import { parse as parseYamlScalar } from 'yaml';
import { parseConfig, setDotted, type LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';

export interface GridAxis {
  key: string;
  values: (string | number | boolean)[];
}

export interface SweepCell {
  index: number;
  /** Human-readable and stable: `execution.step_percentage=5 execution.progressive_steps=3`. */
  id: string;
  assignments: Record<string, string | number | boolean>;
  config: LadderConfig;
}

/** Parse one `--grid key=v1,v2` flag; values are YAML scalars (numbers, booleans, words). */
export function parseGridAxis(flag: string): GridAxis {
  const eq = flag.indexOf('=');
  if (eq <= 0 || eq === flag.length - 1) throw new InputError(`--grid ${flag}: expected key=v1,v2,… (e.g. execution.step_percentage=5,10,15)`);
  const key = flag.slice(0, eq).trim();
  const values = flag
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0)
    .map((v) => {
      const parsed: unknown = parseYamlScalar(v);
      if (typeof parsed === 'number' || typeof parsed === 'boolean' || typeof parsed === 'string') return parsed;
      throw new InputError(`--grid ${flag}: value '${v}' is not a number, boolean or word`);
    });
  if (values.length === 0) throw new InputError(`--grid ${flag}: no values`);
  if (new Set(values.map(String)).size !== values.length) throw new InputError(`--grid ${flag}: a value is repeated`);
  return { key, values };
}

export function expandGrid(baseRaw: Record<string, unknown>, axes: readonly GridAxis[]): SweepCell[] {
  const keys = axes.map((a) => a.key);
  if (new Set(keys).size !== keys.length) throw new InputError(`--grid: key given twice (${keys.join(', ')})`);
  const cells: SweepCell[] = [];
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  for (let index = 0; index < total; index++) {
    const assignments: Record<string, string | number | boolean> = {};
    let rest = index;
    for (let a = axes.length - 1; a >= 0; a--) {
      const axis = axes[a];
      assignments[axis.key] = axis.values[rest % axis.values.length];
      rest = Math.floor(rest / axis.values.length);
    }
    const ordered: Record<string, string | number | boolean> = {};
    for (const axis of axes) ordered[axis.key] = assignments[axis.key];
    cells.push({ index, id: cellId(ordered), assignments: ordered, config: cellConfig(baseRaw, ordered) });
  }
  return cells;
}

export function cellId(assignments: Record<string, unknown>): string {
  const parts = Object.entries(assignments).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? parts.join(' ') : '(base config)';
}

/** The base config with `assignments` applied, validated; errors name the --grid key. */
export function cellConfig(baseRaw: Record<string, unknown>, assignments: Record<string, unknown>): LadderConfig {
  const raw = structuredClone(baseRaw);
  for (const [key, value] of Object.entries(assignments)) setDotted(raw, key, value);
  return parseConfig(raw, `--grid ${Object.keys(assignments).join(' ')}`);
}

/** A short content hash, for resume files: same inputs → same name. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
