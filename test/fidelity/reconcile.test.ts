import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { loadObservedRun } from '../../src/fidelity/observed.ts';
import { reconcileRun, worstParents } from '../../src/fidelity/reconcile.ts';
import { buildVariants } from '../../src/fidelity/variants.ts';
import { caption } from '../../src/fidelity/timeline.ts';
import { readReconcileArrow, writeReconcileArrow } from '../../src/records/reconcile.ts';
import { writeObservedRun } from './fidelity-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-reconcile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('reconcile', () => {
  const truth = { seed: 5, sim: { fill_model: 'queue', queue_power: 3, latency: { entry: { ms: 30, jitter: 'lognormal', sigma: 0.5 }, response: { ms: 10 } } } };
  const observed = writeObservedRun({ root, name: 'observed', truth, parents: 120 });

  it('a run against itself through the same model and seed agrees 100 %, buys and sells', () => {
    const run = loadObservedRun(observed.dir);
    const result = reconcileRun(run, buildVariants(run.config, { includeDefaults: false }));
    const [s] = result.summaries;
    expect(s.label).toBe('as run');
    expect(s.parents).toBe(120);
    expect(s.stepAgree).toBe(120);
    expect(s.childAgreeRate).toBe(1);
    expect(s.ksTimeToFill).toBe(0);
    expect(s.shortfallDiffBps.every((x) => x === 0)).toBe(true);
    const sides = new Set(result.rows.map((r) => r.side));
    expect(sides).toEqual(new Set(['buy', 'sell']));
    expect(result.rows.every((r) => r.stepAgree && r.childrenAgree === r.childrenCompared)).toBe(true);
    expect(worstParents(result.rows, 'as run', 5)).toEqual([]);
  });

  it('other fill models and the sim defaults agree less, and every row names its variant', () => {
    const run = loadObservedRun(observed.dir);
    const result = reconcileRun(run, buildVariants(run.config, { models: ['through'] }));
    expect(result.summaries.map((s) => s.label)).toEqual(['as run', 'sim defaults', 'as run, through']);
    const [asRun, defaults, through] = result.summaries;
    expect(asRun.stepAgreeRate).toBe(1);
    expect(defaults.stepAgreeRate).toBeLessThan(1);
    expect(through.stepAgreeRate).toBeLessThan(defaults.stepAgreeRate);
    // Wilson interval around k/n
    expect(through.stepAgreeLo).toBeLessThan(through.stepAgreeRate);
    expect(through.stepAgreeHi).toBeGreaterThan(through.stepAgreeRate);
    // through never fills at the touch: its fills come later, so sim − live time to fill is ≥ 0 at the median
    expect(through.ttfDiffS[2]).toBeGreaterThanOrEqual(0);
    expect(through.ksTimeToFill).toBeGreaterThan(0);
    const worst = worstParents(result.rows, 'as run, through', 3);
    expect(worst.length).toBe(3);
    expect(worst[0].stepAgree).toBe(false);
    const w = worst[0];
    const name = (step: number) => (step === 0 ? 'step 1 (mid)' : step === 4 ? 'market' : `step ${step + 1}`);
    const part = (status: string, step: number) => (step < 0 ? `${status}, nothing filled` : `${status}, last fill at ${name(step)}`);
    expect(caption(w, 4)).toBe(`live ${part(w.liveStatus, w.liveFillStep)}; simulated ${part(w.simStatus, w.simFillStep)}`);
    expect(result.rows.length).toBe(3 * 120);
  });

  it('--parents odd re-simulates only the odd half (arrival order)', () => {
    const run = loadObservedRun(observed.dir);
    const result = reconcileRun(run, buildVariants(run.config, { includeDefaults: false }), { half: 'odd' });
    expect(result.summaries[0].parents).toBe(60);
    const arrivals = result.live.map((r) => r.arrivalTsUs);
    expect([...arrivals].sort((a, b) => a - b)).toEqual(arrivals);
  });

  it('reconcile.arrow round-trips every column (nulls stay NaN)', () => {
    const run = loadObservedRun(observed.dir);
    const result = reconcileRun(run, buildVariants(run.config, { models: ['through'], includeDefaults: false }));
    const path = join(root, 'reconcile.arrow');
    writeReconcileArrow(path, result.rows);
    const back = readReconcileArrow(path);
    expect(back.length).toBe(result.rows.length);
    for (let i = 0; i < back.length; i += 37) {
      for (const [k, v] of Object.entries(result.rows[i])) {
        if (typeof v === 'number' && Number.isNaN(v)) expect(back[i][k as keyof typeof back[number]], k).toBeNaN();
        else expect(back[i][k as keyof typeof back[number]], k).toEqual(v);
      }
    }
  });

  it('a config fragment overrides only its keys over the run config', () => {
    const run = loadObservedRun(observed.dir);
    const fragment = join(root, 'frag.yaml');
    writeFileSync(fragment, 'sim:\n  queue_power: 1.5\n');
    const [v] = buildVariants(run.config, { configs: [fragment] });
    expect(v.label).toBe('frag.yaml');
    expect(v.config.sim.queue_power).toBe(1.5);
    expect(v.config.sim.latency.entry).toEqual({ ms: 30, jitter: 'lognormal', sigma: 0.5 });
    expect(v.config.seed).toBe(5);
  });

  it('bad input: not a run directory, no tape, unknown model → InputError naming the file and field', () => {
    expect(() => loadObservedRun(join(root, 'nope'))).toThrow(InputError);
    expect(() => loadObservedRun(root)).toThrow(/run\.json: missing — .* is not a run directory/);
    const noTape = writeObservedRun({ root, name: 'no-tape', truth, parents: 4 });
    const info = JSON.parse(readFileSync(join(noTape.dir, 'run.json'), 'utf8'));
    info.dataDir = join(root, 'gone');
    writeFileSync(join(noTape.dir, 'run.json'), JSON.stringify(info));
    expect(() => loadObservedRun(noTape.dir)).toThrow(/field "dataDir": tape directory .*gone does not exist/);
    const run = loadObservedRun(observed.dir);
    expect(() => buildVariants(run.config, { models: ['magic'] })).toThrow(/unknown fill model 'magic'/);
  });
});
