/**
 * The fidelity loop on a real live run: `live` trades through `serve` (holding a hidden truth) in
 * lockstep, then reconcile and calibrate read the live run directory as they would a paper run.
 * The default case is small (36 parents over 6 minutes of tape, ~15 s); LADDERLAB_SLOW_TESTS=1
 * runs the issue's ≥ 500 parents (510 over 170 minutes of tape: ~140 s). Measured: queue_power
 * 3.034 [2.918, 3.067], p_touch 0.4028 [0.4003, 0.4054] (truth 3, 0.4); on the 255 odd parents
 * the calibrated sim agrees on 100 % of fill steps, the defaults on 95.7 %.
 *
 * What a run through the Alpaca protocol shows: serve stamps each trade update with the venue's time
 * of the event (as Alpaca does), to the µs. live acts on the first ack (usually the REST answer) but
 * records as ack_ts the venue's time of acceptance (the `new` update's stamp) and as ack_recv_ts
 * when that update arrived, so entry (ack − sent) and response (receipt − stamp, acks and fills) are
 * both observed. Small case: entry 31.46 ms [27.69, 34.58] σ 0.471 (24 children), response 10.00 ms
 * fixed (truth 30 ms σ 0.5, 10 ms); 510 parents: entry 31.15 ms [29.62, 32.35] σ 0.469
 * [0.444, 0.500] (332 children of the even half), response 10.00 ms. Intensity truth (510 parents):
 * A 0.0714 [0.0496, 0.104], k −0.319 [−0.404, −0.253] (truth 0.08, −0.3); calibrated agrees on
 * 98 % of the odd parents' fill steps, the defaults on 78 %.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { calibrateRuns } from '../../src/fidelity/calibrate.ts';
import { calibrationYaml } from '../../src/fidelity/fragment.ts';
import { loadObservedRun } from '../../src/fidelity/observed.ts';
import { reconcileDir } from '../../src/fidelity/reconcile-dir.ts';
import { readFeedReceipts } from '../../src/records/feed-receipts.ts';
import { writeLockstepRun } from './lockstep-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-lockstep-loop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SLOW = process.env.LADDERLAB_SLOW_TESTS === '1';
const truthSim = { fill_model: 'queue', queue_power: 3, p_touch: 0.4, latency: { entry: { ms: 30, jitter: 'lognormal', sigma: 0.5 }, response: { ms: 10 } } };
const truthYaml = 'sim:\n  fill_model: queue\n  queue_power: 3\n  p_touch: 0.4\n  latency:\n    entry: { ms: 30, jitter: lognormal, sigma: 0.5 }\n    response: { ms: 10 }\n';

describe('closed loop through serve in lockstep', () => {
  it('a live run directory through serve: receipts recorded; reconcile under the truth agrees ≥ 90 %, more than through', async () => {
    const dir = await writeLockstepRun({ root, name: 'small', truthSim, seed: 3, parents: 36, minutes: 6 });
    const run = loadObservedRun(dir);
    expect(run.command).toBe('live');
    expect(run.records.length).toBe(36);
    expect(new Set(run.records.map((r) => r.side))).toEqual(new Set(['buy', 'sell']));
    for (const c of run.records.flatMap((r) => r.children)) {
      if (c.ackTsUs !== null) expect(c.ackRecvTsUs).not.toBeUndefined();
      for (const f of c.fills) expect(f.recvTsUs).toBeGreaterThanOrEqual(f.tsUs);
    }
    expect(readFeedReceipts(dir).length).toBeGreaterThan(100);
    const truth = join(root, 'truth.yaml');
    writeFileSync(truth, truthYaml);
    const reconciled = await reconcileDir(dir, { configs: [truth], models: ['through'], out: join(root, 'rec-small') });
    const [underTruth, , , through] = reconciled.summaries;
    expect(underTruth.label).toBe('truth.yaml');
    expect(underTruth.stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(through.stepAgreeRate).toBeLessThan(underTruth.stepAgreeRate);
    // the ack is the venue's time of acceptance (the `new` update's stamp, to the µs), after the send
    const children = run.records.flatMap((r) => r.children).filter((ch) => ch.ackTsUs !== null);
    expect(children.every((ch) => ch.ackTsUs! > ch.sentTsUs)).toBe(true);
    expect(children.some((ch) => ch.ackTsUs! % 1000 !== 0)).toBe(true);
    const c = calibrateRuns([dir], { replicates: 20 });
    const channel = (name: string) => c.latency.find((f) => f.channel === name)!;
    console.log(c.latency.map((f) => `${f.channel} ${f.medianMs.toFixed(2)} ms [${f.medianMsLo.toFixed(2)}, ${f.medianMsHi.toFixed(2)}] σ ${f.sigma.toFixed(3)} n ${f.samples}`).join('; '));
    expect(Math.abs(channel('entry').medianMs - 30) / 30).toBeLessThanOrEqual(0.3);
    expect(Math.abs(channel('response').medianMs - 10) / 10).toBeLessThanOrEqual(0.15);
    expect(loadConfig(writeFragment(calibrationYaml(c, 20))).sim.fill_model).toBe('queue');
    expect(c.fill.modelShares[0].share).toBeGreaterThan(0.85);
  }, 120_000);

  it.skipIf(!SLOW)('≥ 500 parents: calibrate on the even half recovers queue_power, p_touch, entry (median, σ) and response latency within ±15 %; calibrated ≥ 90 % on the odd half, defaults lower', async () => {
    const dir = await writeLockstepRun({ root, name: 'big', truthSim, seed: 3, parents: 510, minutes: 170 });
    const c = calibrateRuns([dir], { replicates: 100 });
    console.log(calibrationYaml(c, 100));
    expect(Math.abs(c.sim.queue_power - 3) / 3).toBeLessThanOrEqual(0.15);
    expect(Math.abs(c.sim.p_touch - 0.4) / 0.4).toBeLessThanOrEqual(0.15);
    const entry = c.latency.find((f) => f.channel === 'entry')!;
    const response = c.latency.find((f) => f.channel === 'response')!;
    console.log(`entry ${entry.medianMs} ms [${entry.medianMsLo}, ${entry.medianMsHi}] σ ${entry.sigma} [${entry.sigmaLo}, ${entry.sigmaHi}] n ${entry.samples}; response ${response.medianMs} ms`);
    expect(Math.abs(entry.medianMs - 30) / 30).toBeLessThanOrEqual(0.15);
    expect(Math.abs(entry.sigma - 0.5) / 0.5).toBeLessThanOrEqual(0.15);
    expect(entry.medianMsLo).toBeLessThanOrEqual(30);
    expect(entry.medianMsHi).toBeGreaterThanOrEqual(30);
    expect(Math.abs(response.medianMs - 10) / 10).toBeLessThanOrEqual(0.15);
    const path = writeFragment(calibrationYaml(c, 100));
    const reconciled = await reconcileDir(dir, { configs: [path], half: 'odd', out: join(root, 'rec-big') });
    const [calibrated, , defaults] = reconciled.summaries;
    console.log(reconciled.summaries.map((s) => `${s.label}: ${(100 * s.stepAgreeRate).toFixed(1)} %`).join('; '));
    expect(calibrated.stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(defaults.stepAgreeRate).toBeLessThan(calibrated.stepAgreeRate);
  }, 1_800_000);
  // Intensity through serve: measured A 0.105 [0.093, 0.139], k −0.172 [−0.180, −0.042] (truth 0.08, −0.3):
  // outside ±15 %. The child replay scores a stochastic model well only when the replay draws the
  // same thresholds as the venue did (the backtest closed loop, closed-loop.test.ts: within ±4 %);
  // serve's venue also saw each child 30 ms later than its REST ack, which shifts the draws' order.
  // A survival likelihood is the estimator for this case (not built). Checked here: the model choice
  // and the held-out agreement.
  it.skipIf(!SLOW)('≥ 500 parents, intensity truth (A 0.08 /s, k −0.3 /tick): calibrate picks intensity, A and k within ±15 %; calibrated ≥ 90 % on the odd half, defaults lower', async () => {
    const intensitySim = { fill_model: 'intensity', queue_power: 3, intensity: { a_per_s: 0.08, k_per_tick: -0.3 }, latency: { entry: { ms: 30, jitter: 'lognormal', sigma: 0.5 }, response: { ms: 10 } } };
    const dir = await writeLockstepRun({ root, name: 'big-intensity', truthSim: intensitySim, seed: 13, parents: 510, minutes: 170 });
    const c = calibrateRuns([dir], { replicates: 50 });
    console.log(calibrationYaml(c, 50));
    expect(c.sim.fill_model).toBe('intensity');
    // survival likelihood (intensity-fit.ts); measured: A 0.0714 [0.0496, 0.104], k −0.319 [−0.404, −0.253]
    const fit = c.fill.intensity!;
    expect(Math.abs(fit.aPerS.value - 0.08)).toBeLessThanOrEqual(0.15 * 0.08);
    expect(Math.abs(fit.kPerTick.value + 0.3)).toBeLessThanOrEqual(0.15 * 0.3);
    expect(fit.aPerS.lo).toBeLessThanOrEqual(0.08);
    expect(fit.aPerS.hi).toBeGreaterThanOrEqual(0.08);
    expect(fit.kPerTick.lo).toBeLessThanOrEqual(-0.3);
    expect(fit.kPerTick.hi).toBeGreaterThanOrEqual(-0.3);
    const [calibrated, , defaults] = c.comparison;
    expect(calibrated.stepAgreeRate).toBeGreaterThanOrEqual(0.9);
    expect(defaults.stepAgreeRate).toBeLessThan(calibrated.stepAgreeRate);
  }, 1_800_000);
});

let fragments = 0;
function writeFragment(text: string): string {
  const path = join(root, `calibrated-${++fragments}.yaml`);
  writeFileSync(path, text);
  return path;
}
