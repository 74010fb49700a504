/** `ladderlab backtest` through the CLI entry: outputs, summary, determinism, exit 2 on bad input. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';
import { readRobustness } from '../../src/records/robustness.ts';
import { randomTape, SEC, T0 } from '../sim/sim-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ladderlab-bt-'));
const data = join(root, 'tape');


beforeAll(() => {
  // 10:00–10:40 New York, a quote every 50 ms
  writeSymbolDay(data, randomTape(3, 48_000, { startUs: T0, stepMs: 50, symbol: 'XYZ' }));
  writeFileSync(join(root, 'config.yaml'), 'seed: 9\nsim:\n  fill_model: queue\n');
  const lines = ['ts,symbol,side,qty'];
  for (let i = 0; i < 20; i++) lines.push(`${new Date((T0 + 60 * SEC + i * 97 * SEC) / 1000).toISOString()},XYZ,${i % 2 ? 'sell' : 'buy'},${100 * (1 + (i % 4))}`);
  writeFileSync(join(root, 'orders.csv'), `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ladderlab backtest', () => {
  it('writes the run directory and prints the summary by side; same seed → same bytes', async () => {
    const a = await cli(['backtest', '--config', join(root, 'config.yaml'), '--data', data, '--orders', join(root, 'orders.csv'), '--out', join(root, 'a')]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('backtest: 20 parents (10 buy, 10 sell) on 1 symbol-days, fill model queue, seed 9');
    expect(a.stdout).toMatch(/fill rate by step[\s\S]*\nbuy +10 /);
    expect(a.stdout).toMatch(/\nsell +10 /);
    expect(a.stdout).toContain('shortfall bps');
    for (const f of ['records.arrow', 'children.arrow', 'fills.arrow', 'baseline.arrow', 'run.json']) expect(existsSync(join(root, 'a', f))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(root, 'a', 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({ command: 'backtest', dataDir: data, seed: 9, orders: { source: 'file', count: 20 }, counts: { parents: 20 } });
    expect(manifest.config.sim.fill_model).toBe('queue');

    const b = await cli(['backtest', '--config', join(root, 'config.yaml'), '--data', data, '--orders', join(root, 'orders.csv'), '--out', join(root, 'b')]);
    expect(b.code).toBe(0);
    expect(readFileSync(join(root, 'b', 'records.arrow')).equals(readFileSync(join(root, 'a', 'records.arrow')))).toBe(true);
    expect(readFileSync(join(root, 'b', 'fills.arrow')).equals(readFileSync(join(root, 'a', 'fills.arrow')))).toBe(true);
  });

  it('generates N orders from the seed (--seed overrides the config)', async () => {
    const r = await cli(['backtest', '--config', join(root, 'config.yaml'), '--data', data, '--orders', '30', '--seed', '5', '--out', join(root, 'g'), '--no-baseline']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backtest: 30 parents');
    expect(r.stdout).toContain('seed 5');
    expect(existsSync(join(root, 'g', 'baseline.arrow'))).toBe(false);
    expect(JSON.parse(readFileSync(join(root, 'g', 'run.json'), 'utf8')).orders).toEqual({ source: 'generated', count: 30, seed: 5 });
  });

  const bad: [string, () => string[], RegExp][] = [
    ['a bad orders row', () => {
      writeFileSync(join(root, 'bad.csv'), 'ts,symbol,side,qty\n2024-03-05T15:01:00Z,XYZ,buy,100\n2024-03-05T15:02:00Z,XYZ,buy,-3\n');
      return ['--orders', join(root, 'bad.csv')];
    }, /bad\.csv: line 3, field "qty": "-3" is not a positive whole number of shares/],
    ['an order with no tape', () => {
      writeFileSync(join(root, 'other.csv'), 'ts,symbol,side,qty\n2024-03-05T15:01:00Z,ABC,buy,100\n');
      return ['--orders', join(root, 'other.csv')];
    }, /other\.csv: line 2, field "symbol": no tape for ABC on 2024-03-05/],
    ['a missing orders file', () => ['--orders', join(root, 'nope.csv')], /--orders .*nope\.csv: no such file/],
    ['a missing data directory', () => ['--orders', '10', '--data', join(root, 'nodata')], /--data .*nodata: not a directory/],
    ['a config with an unknown key', () => {
      writeFileSync(join(root, 'badconf.yaml'), 'sim:\n  fill_modle: queue\n');
      return ['--orders', '10', '--config', join(root, 'badconf.yaml')];
    }, /unknown key 'sim\.fill_modle' — did you mean 'sim\.fill_model'/],
    ['a negative number of orders', () => ['--orders=-5'], /--orders -5: need a positive whole number of orders to generate, or a CSV file/],
    ['zero orders', () => ['--orders', '0'], /--orders 0: need a positive whole number of orders to generate/],
    ['no bootstrap replicates', () => ['--orders', '10', '--replicates', '0'], /--replicates 0: need a whole number ≥ 1/],
    ['an orders row with an extra column', () => {
      writeFileSync(join(root, 'extra.csv'), 'ts,symbol,side,qty\n2024-03-05T15:01:00Z,XYZ,buy,100,oops\n');
      return ['--orders', join(root, 'extra.csv')];
    }, /extra\.csv: line 2: invalid CSV \(Invalid Record Length: columns length is 4, got 5 on line 2\)/],
    ['inverted adaptive thresholds', () => {
      writeFileSync(join(root, 'inverted.yaml'), 'execution:\n  adaptive_narrow_spread_pct: 3\n  adaptive_wide_spread_pct: 2\n');
      return ['--orders', '10', '--config', join(root, 'inverted.yaml')];
    }, /execution\.adaptive_narrow_spread_pct'?: must be below adaptive_wide_spread_pct/],
    ['a bad latency stress list', () => ['--orders', '10', '--stress-latency-ms', '0,fast'], /--stress-latency-ms 0,fast: need comma-separated milliseconds ≥ 0/],
    ['an unknown stress fill model', () => ['--orders', '10', '--stress-fill-models', 'queue,magic'], /--stress-fill-models queue,magic: "magic" is not one of through, touch, queue, intensity$/m],
  ];
  for (const [what, extra, message] of bad) {
    it(`exits 2 naming the problem: ${what}`, async () => {
      const args = extra();
      const base = ['backtest', '--data', data, '--out', join(root, 'x')];
      const r = await cli([...base.filter((_, i) => !(args.includes('--data') && (base[i] === '--data' || base[i - 1] === '--data'))), ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(root, 'x', 'records.arrow'))).toBe(false);
    });
  }

  it('output path problems exit 2 with a message, before any work: --out an existing file, --out under a file', async () => {
    writeFileSync(join(root, 'a-file'), 'x');
    const file = await cli(['backtest', '--data', data, '--orders', '10', '--out', join(root, 'a-file')]);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe(`ladderlab: --out ${join(root, 'a-file')}: exists and is a file; give a directory\n`);
    const under = await cli(['backtest', '--data', data, '--orders', '10', '--out', join(root, 'a-file', 'run')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`ladderlab: --out ${join(root, 'a-file', 'run')}: ${join(root, 'a-file')} is a file, not a directory\n`);
  });
});

describe('ladderlab backtest: the robustness band', () => {
  const modelsOf = (dir: string) => [...new Set(readRobustness(join(dir, 'robustness.arrow')).map((s) => s.fillModel))];
  it('a run on its own (calibrated) intensity model gets a row for it beside the three stress models', async () => {
    writeFileSync(join(root, 'intensity.yaml'), 'seed: 9\nsim:\n  fill_model: intensity\n  intensity:\n    a_per_s: 0.02\n    k_per_tick: 0.5\n');
    const own = join(root, 'own');
    const r = await cli(['backtest', '--config', join(root, 'intensity.yaml'), '--data', data, '--orders', '10', '--out', own, '--stress-latency-ms', '0', '--replicates', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(modelsOf(own)).toEqual(['through', 'touch', 'queue', 'intensity']);
    expect(r.stdout).toMatch(/\nintensity +0 /);
    // asked for explicitly: only those
    const asked = join(root, 'asked');
    expect((await cli(['backtest', '--config', join(root, 'intensity.yaml'), '--data', data, '--orders', '10', '--out', asked, '--stress-latency-ms', '0', '--stress-fill-models', 'touch', '--replicates', '20'])).code).toBe(0);
    expect(modelsOf(asked)).toEqual(['touch']);
    // the queue model (the default) is a stress model already: three rows
    const plain = join(root, 'plain');
    expect((await cli(['backtest', '--config', join(root, 'config.yaml'), '--data', data, '--orders', '10', '--out', plain, '--stress-latency-ms', '0', '--replicates', '20'])).code).toBe(0);
    expect(modelsOf(plain)).toEqual(['through', 'touch', 'queue']);
  });
});

describe('ladderlab report: bad input exits 2 with a message', () => {
  it('--out a directory, --out under a file, --replicates 0', async () => {
    const run = join(root, 'rep');
    expect((await cli(['backtest', '--data', data, '--orders', '10', '--out', run, '--no-robustness', '--replicates', '20'])).code).toBe(0);
    const dir = await cli(['report', run, '--out', root]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toBe(`ladderlab: --out ${root}: is a directory; give a file name such as ${root}/report.html\n`);
    writeFileSync(join(root, 'b-file'), 'x');
    const under = await cli(['report', run, '--out', join(root, 'b-file', 'r.html')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`ladderlab: --out ${join(root, 'b-file', 'r.html')}: ${join(root, 'b-file')} is a file, not a directory\n`);
    const zero = await cli(['report', run, '--replicates', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe('ladderlab: --replicates 0: need a whole number ≥ 1 (the 95 % intervals need replicates)\n');
    expect(existsSync(join(run, 'report.html'))).toBe(false);
  });
});
