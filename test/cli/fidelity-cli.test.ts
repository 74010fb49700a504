/** `ladderlab reconcile` and `ladderlab calibrate` through the CLI entry: outputs, --help, exit 2 on bad input. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { readReconcileArrow } from '../../src/records/reconcile.ts';
import { writeObservedRun } from '../fidelity/fidelity-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-fidelity-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** --help through the real bin (yargs prints it and exits the process). */
function help(command: string): string {
  return execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'ladderlab.mjs'), command, '--help'], { encoding: 'utf8' });
}


const truth = { seed: 4, sim: { fill_model: 'queue', queue_power: 2.5, latency: { entry: { ms: 20, jitter: 'lognormal', sigma: 0.4 }, response: { ms: 8 }, feed: { ms: 3 } } } };

describe('ladderlab reconcile', () => {
  const observed = writeObservedRun({ root, name: 'obs', truth, parents: 60 });

  it('writes reconcile.arrow and fidelity.html to --out and prints one line per configuration', async () => {
    const out = join(root, 'rec');
    const r = await cli(['reconcile', observed.dir, '--models', 'through,queue', '--out', out, '--worst', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`reconcile: 60 parents (all) of ${observed.dir}`);
    expect(lines.slice(1, 5).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['as run', 'sim defaults', 'as run, through', 'as run, queue']);
    expect(lines[1]).toMatch(/fill step agrees 100 % \[94 %, 100 %\]/);
    expect(readReconcileArrow(join(out, 'reconcile.arrow')).length).toBe(4 * 60);
    expect(existsSync(join(out, 'fidelity.html'))).toBe(true);
    expect(existsSync(join(observed.dir, 'reconcile.arrow'))).toBe(false);
  });

  it('exit 2 naming the problem: missing directory, not a run directory, missing tape, bad model, bad --parents', async () => {
    expect((await cli(['reconcile', join(root, 'none')])).stderr).toMatch(/none: not a directory/);
    const notRun = await cli(['reconcile', root]);
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toMatch(/run\.json: missing — .* is not a run directory/);
    const moved = writeObservedRun({ root, name: 'moved', truth, parents: 4 });
    const info = JSON.parse(readFileSync(join(moved.dir, 'run.json'), 'utf8'));
    writeFileSync(join(moved.dir, 'run.json'), JSON.stringify({ ...info, dataDir: join(root, 'gone') }));
    const noTape = await cli(['reconcile', moved.dir]);
    expect(noTape.code).toBe(2);
    expect(noTape.stderr).toMatch(/field "dataDir": tape directory .*gone does not exist/);
    const badModel = await cli(['reconcile', observed.dir, '--models', 'psychic']);
    expect(badModel.code).toBe(2);
    expect(badModel.stderr).toMatch(/unknown fill model 'psychic'/);
    expect((await cli(['reconcile', observed.dir, '--parents', 'third'])).code).toBe(2);
  });

  it('--help names every option', async () => {
    const text = help('reconcile');
    for (const flag of ['--config', '--models', '--parents', '--out', '--worst']) expect(text).toContain(flag);
  });
});

describe('ladderlab calibrate', () => {
  const observed = writeObservedRun({ root, name: 'cal', truth, parents: 80 });

  it('writes a config fragment backtest --config loads, and prints it', async () => {
    const out = join(root, 'calibrated.yaml');
    const r = await cli(['calibrate', observed.dir, '--out', out, '--replicates', '20']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const config = loadConfig(out);
    expect(config.sim.fill_model).toBe('queue');
    expect(config.sim.latency.response).toEqual({ ms: 8, jitter: 'none', sigma: 0.5 });
    expect(config.sim.latency.feed).toEqual({ ms: 3, jitter: 'none', sigma: 0.5 });
    expect(Math.abs(config.sim.latency.entry.ms - 20)).toBeLessThan(4);
    const bt = await cli(['backtest', '--config', out, '--data', join(root, 'tape'), '--orders', '5', '--out', join(root, 'bt-cal'), '--no-baseline']);
    expect(bt.code).toBe(0);
  }, 120_000);

  it('exit 2: an older run directory names the missing field; not a run directory; no --out', async () => {
    const old = writeObservedRun({ root, name: 'old', truth, parents: 6 });
    rmSync(join(old.dir, 'feed.arrow'));
    const info = JSON.parse(readFileSync(join(old.dir, 'run.json'), 'utf8'));
    writeFileSync(join(old.dir, 'run.json'), JSON.stringify({ ...info, command: 'live' }));
    const noFeed = await cli(['calibrate', old.dir, '--out', join(root, 'x.yaml')]);
    expect(noFeed.code).toBe(2);
    expect(noFeed.stderr).toMatch(/feed\.arrow: missing — field "recv_ts" of streamed quotes/);
    const notRun = await cli(['calibrate', root, '--out', join(root, 'x.yaml')]);
    expect(notRun.code).toBe(2);
    expect((await cli(['calibrate', old.dir])).code).toBe(2);
    expect((await cli(['calibrate', old.dir, '--out', join(root, 'x.json')])).stderr).toMatch(/give a \.yaml file/);
    expect(existsSync(join(root, 'x.yaml'))).toBe(false);
  });

  it('--help explains the method', async () => {
    const text = help('calibrate');
    expect(text).toContain('--out');
    expect(text).toContain('--replicates');
    expect(text).toContain('--match-ms');
    expect(text).toMatch(/simulated moments/);
    expect(text).toMatch(/survival/);
  });
});
