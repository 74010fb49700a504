/**
 * `ladderlab live` as a user runs it (a child process) against `serve` on 127.0.0.1: Ctrl-C
 * mid-ladder cancels the working children and writes the partial run (exit 130); a complete run
 * writes the run directory; and the secret never appears in stdout, stderr or any written file —
 * nor does it when the server refuses the keys.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRun } from '../../src/records/read.ts';
import { formatIsoUtcUs } from '../../src/data/orders.ts';
import { KEYS, parents, SECRET, startE2eServe, type E2eServe } from './live-e2e-helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ladderlab.mjs');

let serve: E2eServe | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await serve?.close();
  serve = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Cli {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill: (signal: NodeJS.Signals) => void;
}

function runCli(args: string[], env: Record<string, string>): Cli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, kill: (signal) => child.kill(signal) };
}

function workspace(s: E2eServe, speed: number, live: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'live-cli-'));
  dirs.push(dir);
  const config = join(dir, 'ladderlab.yaml');
  writeFileSync(
    config,
    stringify({
      seed: 7,
      sim: { fill_model: 'through' },
      live: { trading_url: s.srv.baseUrl, data_url: s.srv.baseUrl, speed, stream_reconnect_ms: 20, retry: { attempts: 3, min_delay_ms: 10, max_delay_ms: 50 }, ...live },
    }),
  );
  const orders = join(dir, 'orders.csv');
  writeFileSync(orders, ['ts,symbol,side,qty,client_order_id', ...parents().map((p) => `${formatIsoUtcUs(p.arrivalTsUs)},${p.symbol},${p.side},${p.qty},${p.clientOrderId}`)].join('\n'));
  return { dir, config, orders, out: join(dir, 'out') };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function expectNoSecret(texts: string[], outDir: string): void {
  for (const t of texts) {
    expect(t.includes(SECRET)).toBe(false);
    expect(t.includes(KEYS.keyId)).toBe(false);
  }
  const files = existsSync(outDir) ? filesUnder(outDir) : [];
  for (const f of files) expect(readFileSync(f).includes(SECRET), f).toBe(false);
}

const env = { APCA_API_KEY_ID: KEYS.keyId, APCA_API_SECRET_KEY: SECRET };

describe('ladderlab live (CLI)', () => {
  it('Ctrl-C mid-ladder: working children canceled on the server, partial records written, exit 130, no secret anywhere', async () => {
    serve = await startE2eServe({}, 10);
    const ws = workspace(serve, 10);
    const cli = runCli(['live', '--config', ws.config, '--orders', ws.orders, '--out', ws.out], env);
    // Mid-ladder: as soon as one of our children rests on the server.
    const s = serve;
    for (;;) {
      const open = (await s.admin('GET', '/v2/orders?status=open')).body as { client_order_id: string; status: string }[];
      if (open.some((o) => o.client_order_id.startsWith('ll-') && o.status === 'new')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    cli.kill('SIGINT');
    const { code, stdout, stderr } = await cli.done;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted — canceling working children, writing the partial run/);
    expect(stdout).toMatch(/^live \(interrupted\): /);

    const ours = ((await s.admin('GET', '/v2/orders?status=all&limit=500')).body as { client_order_id: string; status: string }[]).filter((o) => o.client_order_id.startsWith('ll-'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((o) => !['canceled', 'filled'].includes(o.status))).toEqual([]);

    const run = loadRun(ws.out);
    expect(run.records.length).toBeGreaterThan(0);
    for (const r of run.records) {
      if (r.status !== 'filled') expect(r.reason).toBe('shutdown');
      const last = r.children[r.children.length - 1];
      expect(['canceled', 'filled']).toContain(last.status);
    }
    const manifest = JSON.parse(readFileSync(join(ws.out, 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({ command: 'live', interrupted: true, unconfirmedCancels: [] });
    expect(existsSync(join(ws.out, 'tape'))).toBe(true);
    expectNoSecret([stdout, stderr], ws.dir);
  });

  it('a complete run writes the run directory and a summary; the secret is in no output and no file', async () => {
    serve = await startE2eServe({}, 50);
    const ws = workspace(serve, 50, { markout_collect_s: 5 });
    const { code, stdout, stderr } = await runCli(['live', '--config', ws.config, '--orders', ws.orders, '--out', ws.out], env).done;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^live: 2 parents — filled \d, partial \d, unfilled \d, rejected 0/);
    expect(stdout).toMatch(/next: ladderlab report /);
    expect(stderr).toMatch(/feed iex is ONE venue's quote/);
    for (const f of ['records.arrow', 'children.arrow', 'fills.arrow', 'run.json', 'orders.csv']) expect(existsSync(join(ws.out, f)), f).toBe(true);
    expect(loadRun(ws.out).records.map((r) => r.clientOrderId)).toEqual(['b1', 's1']);
    expectNoSecret([stdout, stderr], ws.dir);
  });

  it('keys the server refuses: exit 1 with a message that names neither the key id nor the secret', async () => {
    serve = await startE2eServe({}, 10);
    const ws = workspace(serve, 10);
    const wrong = { APCA_API_KEY_ID: 'PKWRONGKEYID', APCA_API_SECRET_KEY: `${SECRET}-wrong` };
    const { code, stdout, stderr } = await runCli(['live', '--config', ws.config, '--orders', ws.orders, '--out', ws.out], wrong).done;
    expect(code).toBe(1);
    expect(stderr).toMatch(/ladderlab: live: .*403/);
    for (const t of [stdout, stderr]) {
      expect(t.includes(SECRET)).toBe(false);
      expect(t.includes('PKWRONGKEYID')).toBe(false);
    }
  });

  it('bad input: no keys → exit 2 naming the variables; a speed ≠ 1 against Alpaca → exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-cli-'));
    dirs.push(dir);
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'ts,symbol,side,qty\n2024-03-05T15:00:20Z,XYZ,buy,100\n');
    const noKeys = await runCli(['live', '--orders', orders, '--out', join(dir, 'out')], { APCA_API_KEY_ID: '', APCA_API_SECRET_KEY: '' }).done;
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/set APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
    const fast = await runCli(['live', '--orders', orders, '--out', join(dir, 'out'), '--speed', '5'], env).done;
    expect(fast.code).toBe(2);
    expect(fast.stderr).toMatch(/live.speed 5: a speed other than 1 is only allowed against a loopback server/);
    expect(fast.stderr.includes(SECRET)).toBe(false);
  });
});
