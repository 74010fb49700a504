import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema, defaultConfig, loadConfig, parseConfig, validKeysAt } from '../../src/config.ts';
import { InputError } from '../../src/core/errors.ts';

function writeTemp(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ladderlab-config-'));
  const path = join(dir, 'bad.yaml');
  writeFileSync(path, text);
  return path;
}

describe('config', () => {
  it('ladderlab.yaml states exactly the defaults', () => {
    expect(loadConfig('ladderlab.yaml')).toEqual(defaultConfig());
  });

  it('seed keys have the seed defaults', () => {
    const c = defaultConfig();
    expect(c.execution.progressive_steps).toBe(4);
    expect(c.execution.step_timeout_buy).toBe(15);
    expect(c.execution.step_timeout_sell).toBe(10);
    expect(c.execution.step_percentage).toBe(10);
    expect(c.execution.max_execution_time).toBe(120);
    expect(c.execution.aggression_buy).toBe(0.75);
    expect(c.execution.aggression_sell).toBe(0.85);
    expect(c.risk.max_spread_pct).toBe(5);
  });

  it('ladderlab.yaml documents every key of the schema', () => {
    const yaml = readFileSync('ladderlab.yaml', 'utf8');
    const missing: string[] = [];
    const walk = (path: string[]) => {
      for (const key of validKeysAt(path)) {
        if (!new RegExp(`(^|[\\s{,])#?\\s*${key}:`, 'm').test(yaml)) missing.push([...path, key].join('.'));
        walk([...path, key]);
      }
    };
    walk([]);
    expect(missing).toEqual([]);
  });

  it('an unknown key names the file, the key and the closest valid key', () => {
    const path = writeTemp('execution:\n  step_percentge: 12\n');
    expect(() => loadConfig(path)).toThrow(InputError);
    expect(() => loadConfig(path)).toThrow(`${path}: unknown key 'execution.step_percentge' — did you mean 'execution.step_percentage'?`);
  });

  it('an unknown top-level key with no close match has no suggestion', () => {
    expect(() => parseConfig({ zzzzzzzz: 1 }, 'x.yaml')).toThrow("x.yaml: unknown key 'zzzzzzzz'");
  });

  it('a mistyped value names the key', () => {
    expect(() => parseConfig({ execution: { step_timeout_buy: 'fast' } }, 'c.yaml')).toThrow(/c\.yaml: 'execution\.step_timeout_buy': .*number/);
    expect(() => parseConfig({ sim: { fill_model: 'magic' } }, 'c.yaml')).toThrow(/'sim\.fill_model'/);
  });

  it('invalid YAML names the file and line', () => {
    const path = writeTemp('execution:\n  step_percentage: [1, 2\n');
    expect(() => loadConfig(path)).toThrow(new RegExp(`${path.replace(/[/.]/g, '\\$&')}:\\d+: invalid YAML`));
  });

  it('a missing file is an input error naming it', () => {
    expect(() => loadConfig('/nonexistent/ladderlab.yaml')).toThrow(/\/nonexistent\/ladderlab\.yaml: cannot read config/);
  });

  it('the schema is strict at every level', () => {
    expect(configSchema).toBeInstanceOf(z.ZodObject);
    expect(() => parseConfig({ execution: { market_step: { colar_ticks: 3 } } })).toThrow(/did you mean 'execution\.market_step\.collar_ticks'/);
  });
});
