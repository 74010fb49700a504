/**
 * The closed loop (issue 16): a hidden "truth" simulator produces an observed run of 500 parents;
 * calibrate, fitting on the even parents, must recover every truth parameter within ±15 %, and the
 * calibrated config must reproduce ≥ 90 % of the odd parents' fill steps, beside the defaults'
 * lower agreement. The observed run is a backtest under the truth (fidelity-fixtures.ts), the
 * stand-in for `live` through `serve` in lockstep.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { calibrateRuns } from '../../src/fidelity/calibrate.ts';
import { calibrationYaml } from '../../src/fidelity/fragment.ts';
import { reconcileDir } from '../../src/fidelity/reconcile-dir.ts';
import { writeObservedRun } from './fidelity-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-closed-loop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const within = (x: number, truth: number, tolerance = 0.15) => Math.abs(x - truth) <= tolerance * truth;

describe('closed loop: calibrate recovers a hidden truth', () => {
  const truth = {
    seed: 11,
    sim: {
      fill_model: 'queue',
      queue_power: 3,
      p_touch: 0.4,
      latency: {
        entry: { ms: 30, jitter: 'lognormal', sigma: 0.5 },
        cancel: { ms: 20, jitter: 'lognormal', sigma: 0.3 },
        response: { ms: 10 },
        feed: { ms: 5, jitter: 'lognormal', sigma: 0.4 },
      },
    },
  };

  it('recovers queue_power, p_touch and every latency channel within ±15 %; calibrated agrees ≥ 90 % on held-out parents, above the defaults', async () => {
    const observed = writeObservedRun({ root, name: 'observed', truth, parents: 500 });
    const c = calibrateRuns([observed.dir], { replicates: 100 });
    expect(c.fitParents).toBe(250);
    expect(c.holdoutParents).toBe(250);
    expect(within(c.sim.queue_power, 3)).toBe(true);
    expect(c.fill.queuePower.identified).toBe(true);
    expect(c.fill.queuePower.lo).toBeLessThanOrEqual(c.sim.queue_power);
    expect(c.fill.queuePower.hi).toBeGreaterThanOrEqual(c.sim.queue_power);
    expect(within(c.sim.p_touch, 0.4)).toBe(true);
    const lat = c.sim.latency;
    expect(lat.entry.jitter).toBe('lognormal');
    expect(within(lat.entry.ms, 30)).toBe(true);
    expect(within(lat.entry.sigma, 0.5)).toBe(true);
    expect(lat.cancel.jitter).toBe('lognormal');
    expect(within(lat.cancel.ms, 20)).toBe(true);
    expect(within(lat.cancel.sigma, 0.3)).toBe(true);
    expect(lat.response).toEqual({ ms: 10, jitter: 'none', sigma: 0.5 });
    expect(within(lat.feed.ms, 5)).toBe(true);
    expect(within(lat.feed.sigma, 0.4)).toBe(true);
    // held-out goodness of fit: calibrated first, the defaults lower
    const [calibrated, asRun, defaults] = c.comparison;
    expect(calibrated.label).toBe('calibrated');
    expect(calibrated.stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(asRun.stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(defaults.stepAgreeRate).toBeLessThan(calibrated.stepAgreeRate);
    const rates = c.goodness.stepRates;
    for (const r of rates) expect(Math.abs(r.predicted - r.observed), r.step).toBeLessThan(0.05);

    // The fragment: a config backtest --config takes as is; reconcile on the odd half with it.
    const yaml = calibrationYaml(c, 100);
    const path = join(root, 'calibrated.yaml');
    writeFileSync(path, yaml);
    const loaded = loadConfig(path);
    expect(loaded.sim.queue_power).toBe(c.sim.queue_power);
    expect(Object.keys(parseYaml(readFileSync(path, 'utf8')) as object)).toEqual(['sim']);
    const reconciled = await reconcileDir(observed.dir, { configs: [path], half: 'odd', out: join(root, 'reconcile-odd') });
    expect(reconciled.summaries.map((s) => s.label)).toEqual(['calibrated.yaml', 'as run', 'sim defaults']);
    expect(reconciled.summaries[0].stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(reconciled.summaries[2].stepAgreeRate).toBeLessThan(reconciled.summaries[0].stepAgreeRate);
    const html = readFileSync(reconciled.htmlPath, 'utf8');
    expect(html).toContain('calibrated.yaml');
    expect(html).toContain('sim defaults');
    console.log(yaml);
  }, 300_000);

  // 1,600 parents: A and k come from the survival likelihood of ~400 inside-spread children of the
  // fit half (the stand-in's thresholds are the venue's own, as through serve): ±15 % needs that many.
  it('intensity truth (A = 0.08 /s, k = −0.3 /tick): calibrate picks intensity and recovers A and k within ±15 %; calibrated ≥ 90 % on held-out parents, the defaults lower', () => {
    const truthIntensity = {
      seed: 13,
      sim: { fill_model: 'intensity', queue_power: 3, intensity: { a_per_s: 0.08, k_per_tick: -0.3 }, latency: { entry: { ms: 30, jitter: 'lognormal', sigma: 0.5 }, response: { ms: 10 } } },
    };
    const observed = writeObservedRun({ root, name: 'observed-intensity', truth: truthIntensity, parents: 1600 });
    const c = calibrateRuns([observed.dir], { replicates: 50 });
    expect(c.insideSpreadChildren).toBeGreaterThan(50);
    expect(c.sim.fill_model).toBe('intensity');
    expect(within(c.sim.intensity.a_per_s, 0.08)).toBe(true);
    expect(within(Math.abs(c.sim.intensity.k_per_tick), 0.3)).toBe(true);
    expect(c.sim.intensity.k_per_tick).toBeLessThan(0);
    expect(c.fill.intensity!.aPerS.lo).toBeLessThanOrEqual(c.sim.intensity.a_per_s);
    expect(c.fill.intensity!.aPerS.hi).toBeGreaterThanOrEqual(c.sim.intensity.a_per_s);
    expect(within(c.sim.queue_power, 3)).toBe(true);
    const [calibrated, , defaults] = c.comparison;
    expect(calibrated.stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(defaults.stepAgreeRate).toBeLessThan(calibrated.stepAgreeRate);
    const yaml = calibrationYaml(c, 50);
    expect(yaml).toMatch(/^  fill_model: intensity/m);
    expect(yaml).toMatch(/^    k_per_tick: −?-?0\.\d+/m);
  }, 300_000);
});
