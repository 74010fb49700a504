import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { calibrateRuns } from '../../src/fidelity/calibrate.ts';
import { childScore, replayChildren, replayChildrenOf } from '../../src/fidelity/child-replay.ts';
import { latencyDelays } from '../../src/fidelity/latency-fit.ts';
import { loadObservedRun } from '../../src/fidelity/observed.ts';
import { inArrivalOrder, selectHalf } from '../../src/fidelity/split.ts';
import { dirTapeSource } from '../../src/sim/backtest.ts';
import { writeObservedRun } from './fidelity-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-calibrate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const truth = { seed: 8, sim: { fill_model: 'queue', queue_power: 1.5, p_touch: 0.5, latency: { entry: { ms: 40, jitter: 'lognormal', sigma: 0.3 }, cancel: { ms: 15 }, response: { ms: 12 } } } };

describe('calibrate, piece by piece', () => {
  const observed = writeObservedRun({ root, name: 'obs', truth, parents: 100 });
  const run = loadObservedRun(observed.dir);
  const ordered = inArrivalOrder(run.records);

  it('child replay at the truth reproduces every child, buys and sells; another model does not', () => {
    const children = replayChildrenOf(ordered, run.config.execution);
    expect(new Set(children.map((c) => c.side))).toEqual(new Set(['buy', 'sell']));
    expect(children.filter((c) => c.observedFilledQty > 0).length).toBeGreaterThan(20);
    const tapes = dirTapeSource(run.tapeDir);
    const atTruth = replayChildren(children, run.config.sim, run.config.seed, tapes);
    expect(children.map((c, i) => childScore(c, atTruth, i))).toEqual(children.map(() => 1));
    // a venue stamping its fills 10 ms after the tape's print: exact matching fails, the tolerance does not
    const late = children.map((c) => ({ ...c, observedFirstFillUs: c.observedFirstFillUs + 10_000 }));
    const filled = children.filter((c) => c.observedFilledQty > 0).length;
    expect(late.filter((c, i) => childScore(c, atTruth, i) === 0).length).toBe(filled);
    expect(late.map((c, i) => childScore(c, atTruth, i, 50_000))).toEqual(children.map(() => 1));
    const through = replayChildren(children, { ...run.config.sim, fill_model: 'through' }, run.config.seed, tapes);
    const missed = children.filter((c, i) => childScore(c, through, i) < 1);
    expect(missed.length).toBeGreaterThan(0);
    expect(new Set(missed.map((c) => c.side)).size).toBe(2);
  });

  it('latency delays are the run\'s own timestamps: entry = ack − sent, response = receipt − venue time, cancel = canceled − cancel sent', () => {
    const d = latencyDelays(ordered, () => true);
    const entry = d.entry.flat();
    expect(entry.length).toBe(ordered.flatMap((r) => r.children).filter((c) => c.ackTsUs !== null).length);
    expect(Math.min(...entry.map((x) => x.ms))).toBeGreaterThan(10);
    // response is fixed 12 ms: every ack and fill arrives exactly 12 ms after the venue's time
    expect(new Set(d.response.flat().map((x) => x.ms))).toEqual(new Set([12]));
    expect(new Set(d.cancel.flat().map((x) => x.ms))).toEqual(new Set([15]));
    // only the kept parents' groups (a parent refused before any child has none)
    const evenWithChildren = selectHalf(ordered, 'even').filter((r) => r.children.some((c) => c.ackTsUs !== null)).length;
    expect(latencyDelays(ordered, (i) => i % 2 === 0).entry.length).toBe(evenWithChildren);
  });

  it('recovers the truth on a small run too (queue_power 1.5, p_touch 0.5, fixed cancel and response)', () => {
    const c = calibrateRuns([observed.dir], { replicates: 30 });
    expect(Math.abs(c.sim.queue_power - 1.5) / 1.5).toBeLessThan(0.15);
    expect(Math.abs(c.sim.p_touch - 0.5) / 0.5).toBeLessThan(0.15);
    expect(c.sim.latency.cancel).toEqual({ ms: 15, jitter: 'none', sigma: 0.5 });
    expect(c.sim.latency.response).toEqual({ ms: 12, jitter: 'none', sigma: 0.5 });
    expect(Math.abs(c.sim.latency.entry.ms - 40) / 40).toBeLessThan(0.15);
    expect(c.fill.modelShares[0]).toEqual({ model: 'queue (power)', share: 1 });
    // inside-spread children exist, so intensity is fitted too — and not chosen: it is no better than the queue truth
    expect(c.fill.modelShares.map((m) => m.model)).toEqual(['queue (power)', 'queue (log)', 'touch', 'through', 'intensity']);
    expect(c.sim.fill_model).toBe('queue');
    expect(c.sim.queue_prob).toBe('power');
  }, 120_000);

  it('a truth with the log rule: the log variant is scored, and reproduces every child', () => {
    const log = writeObservedRun({ root, name: 'log', truth: { ...truth, sim: { ...truth.sim, queue_prob: 'log' } }, parents: 60 });
    const c = calibrateRuns([log.dir], { replicates: 5 });
    expect(c.fill.modelShares[1].model).toBe('queue (log)');
    expect(c.fill.modelShares[1].share).toBeGreaterThan(0.999);
    // On these queues a small power splits cancellations like ln(1 + x): the data cannot tell the
    // two apart, and a tie keeps the fitted power rule — which reproduces every child as well.
    expect(c.fill.modelShares[0].share).toBe(c.fill.modelShares[1].share);
    expect(c.sim.queue_prob).toBe('power');
    expect(c.sim.queue_power).toBeLessThan(1);
  }, 60_000);

  it('an older run directory: the missing receipt column is named, exit 2 (InputError)', () => {
    const old = writeObservedRun({ root, name: 'old', truth, parents: 10 });
    const path = join(old.dir, 'children.arrow');
    const table = tableFromIPC(readFileSync(path));
    const names = table.schema.fields.map((f) => f.name).filter((n) => n !== 'ack_recv_ts');
    writeFileSync(path, tableToIPC(table.select(names), 'file'));
    expect(() => calibrateRuns([old.dir])).toThrow(InputError);
    expect(() => calibrateRuns([old.dir])).toThrow(/children\.arrow: field "ack_recv_ts" is missing/);
    expect(() => calibrateRuns([])).toThrow(/at least one run directory/);
  });

  it('a backtest stand-in without feed.arrow keeps its configured feed channel (a live run would be refused)', () => {
    const bt = writeObservedRun({ root, name: 'no-feed', truth: { ...truth, sim: { ...truth.sim, latency: { ...truth.sim.latency, feed: { ms: 7 } } } }, parents: 10 });
    rmSync(join(bt.dir, 'feed.arrow'));
    const c = calibrateRuns([bt.dir], { replicates: 5 });
    expect(c.sim.latency.feed).toEqual({ ms: 7, jitter: 'none', sigma: 0.5 });
    expect(c.latency.find((f) => f.channel === 'feed')!.samples).toBe(0);
  }, 60_000);
});
