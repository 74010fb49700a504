/**
 * `serve` as a process and a clock: it listens on 127.0.0.1 only (another interface of this
 * machine is refused), replay pacing follows virtual = start + speed × wall (checked with a fake
 * wall clock, no waiting), `max` replays the whole tape in order as fast as its reader allows and
 * then keeps time at speed 1, and the `ladderlab serve` command starts, answers with the
 * configured keys and stops on SIGINT.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { Pacer } from '../../src/serve/pacer.ts';
import { ReplayVenue } from '../../src/serve/replay.ts';
import { startServe } from '../../src/serve/server.ts';
import type { TapeEvent } from '../../src/serve/venue.ts';
import { KEYS, Recorder, SEC, startTestServe, T0, tearDownEachTest, writeTestTapes, XYZ_QUOTES, XYZ_TRADES, type TestServe } from './serve-helpers.ts';

let t: TestServe | undefined;
const { cleanups } = tearDownEachTest(async () => {
  await t?.close();
  t = undefined;
});

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('serve: loopback only', () => {
  it('listens on 127.0.0.1; the same port on another interface of this machine refuses connections', async () => {
    t = await startTestServe();
    expect(t.srv.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: t.srv.port });
    expect(await tryConnect('127.0.0.1', t.srv.port)).toBe('connected');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (!external) {
      console.log('serve loopback test: no non-loopback IPv4 interface on this machine; checked ::1 only');
    } else {
      expect(await tryConnect(external.address, t.srv.port)).toBe('ECONNREFUSED');
    }
    expect(await tryConnect('::1', t.srv.port)).not.toBe('connected');
  });

  it('a port already in use is bad input naming the port', async () => {
    t = await startTestServe();
    await expect(startServe({ dir: t.dir, config: parseConfig({}), keys: KEYS, port: t.srv.port })).rejects.toThrow(`port ${t.srv.port} on 127.0.0.1: already in use (use --port 0 for any free port)`);
  });
});

describe('serve: pacing', () => {
  it('Pacer: virtual = start + speed × wall, plus admin shifts; never backwards', () => {
    const pacer = new Pacer(T0, 60, 1_000);
    expect(pacer.targetUs(1_000)).toBe(T0);
    expect(pacer.targetUs(2_000)).toBe(T0 + 60 * SEC);
    pacer.shift(5 * SEC);
    expect(pacer.targetUs(2_000)).toBe(T0 + 65 * SEC);
    expect(pacer.targetUs(1_500)).toBe(T0 + 65 * SEC);
    expect(new Pacer(T0, 0, 0).targetUs(1e9)).toBe(T0);
    expect(() => new Pacer(T0, -1, 0)).toThrow(RangeError);
  });

  it('a replay at speed 30 on a fake wall clock: 100 wall ms = 3 virtual s, and the fill happens at the tape time', async () => {
    const dir = writeTestTapes();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let wallMs = 50_000;
    const venue = new ReplayVenue({ dir, config: parseConfig({ sim: { fill_model: 'through' } }), speed: 30, startUs: T0, wallNowMs: () => wallMs });
    cleanups.push(() => venue.close());
    venue.start();
    const order = venue.submitOrder({ symbol: 'XYZ', qty: 100, side: 'buy', type: 'limit', timeInForce: 'day', limitPrice: 10.0, extendedHours: false });
    venue.settle();
    expect(order.status).toBe('new');
    wallMs += 50; // 1.5 virtual s: before the ask comes down at T0+2 s
    venue.advanceBy(0);
    expect(venue.nowUs()).toBe(T0 + 1.5 * SEC);
    expect(order.status).toBe('new');
    wallMs += 50;
    venue.advanceBy(0);
    expect(venue.nowUs()).toBe(T0 + 3 * SEC);
    expect(order).toMatchObject({ status: 'filled', filledQty: 100, filledAtUs: T0 + 2 * SEC });
  });

  it('max: every row after the start reaches a reader in time order (waiting while it is backlogged), then time runs on at speed 1', async () => {
    const dir = writeTestTapes();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let wallMs = 0;
    const venue = new ReplayVenue({ dir, config: parseConfig({}), speed: 'max', startUs: T0, wallNowMs: () => wallMs });
    cleanups.push(() => venue.close());
    const rows = new Recorder<string>();
    let backlogChecks = 0;
    venue.addMarketDataSink({
      wants: (symbol) => symbol === 'XYZ',
      deliver: (events: readonly TapeEvent[]) => events.forEach((e) => rows.push(`${e.kind} ${(e.tsUs - T0) / SEC}`)),
      backlogged: () => ++backlogChecks <= 3,
    });
    venue.start();
    const expected = [...XYZ_TRADES.map((r) => ['t', Array.isArray(r) ? r[0] : (r as { tsUs: number }).tsUs] as const), ...XYZ_QUOTES.map((r) => ['q', (r as readonly number[])[0]] as const)]
      .filter(([, ts]) => ts > T0)
      .sort((a, b) => a[1] - b[1])
      .map(([k, ts]) => `${k} ${(ts - T0) / SEC}`);
    await rows.until((r) => r.length === expected.length, 'the whole tape');
    expect(rows.items).toEqual(expected);
    expect(backlogChecks).toBeGreaterThan(3);
    expect(venue.nowUs()).toBe(T0 + 20 * SEC);
    wallMs += 1000;
    venue.advanceBy(0);
    expect(venue.nowUs()).toBe(T0 + 21 * SEC);
  });

  it('max waits for a client: with nobody subscribed it starts on the first order, which fills at its tape time', async () => {
    const dir = writeTestTapes();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const venue = new ReplayVenue({ dir, config: parseConfig({ sim: { fill_model: 'through' } }), speed: 'max', startUs: T0, wallNowMs: () => 0 });
    cleanups.push(() => venue.close());
    const updates = new Recorder<string>();
    venue.onTradeUpdate((u) => updates.push(`${u.event} ${(u.tsUs - T0) / SEC}`));
    venue.start();
    expect(venue.status()).toMatchObject({ waiting_for_client: true, now_us: T0 });
    venue.submitOrder({ symbol: 'XYZ', qty: 100, side: 'buy', type: 'limit', timeInForce: 'day', limitPrice: 10.0, extendedHours: false });
    expect(venue.status()).toMatchObject({ waiting_for_client: false });
    await updates.until((u) => u.includes('fill 2'), 'the fill');
    expect(updates.items).toEqual(['new 0', 'fill 2']);
  });
});

describe('ladderlab serve (the command)', () => {
  it('prints its URLs, answers REST with the configured keys, never prints the secret, stops on SIGINT with exit 0', async () => {
    const dir = writeTestTapes();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['bin/ladderlab.mjs', 'serve', '--data', dir, '--port', '0', '--speed', '0', '--start', '10:00'], {
      env: { ...process.env, APCA_API_KEY_ID: KEYS.keyId, APCA_API_SECRET_KEY: KEYS.secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    const out = new Recorder<string>();
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
      out.push(stdout);
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    await out.until(() => /REST\s+http:\/\/127\.0\.0\.1:\d+/.test(stdout), 'the REST URL', 30_000);
    const base = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    expect(stdout).toContain(`${base.replace('http', 'ws')}/stream`);
    expect(stdout).toContain(KEYS.keyId);
    expect(stdout + stderr).not.toContain(KEYS.secret);
    const clock = await fetch(`${base}/v2/clock`, { headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secret } });
    expect(await clock.json()).toMatchObject({ timestamp: '2024-03-05T15:00:00.000000Z', is_open: true });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });

  it('without a key pair it exits 2 and says which half is missing', async () => {
    const env = { ...process.env };
    delete env.APCA_API_KEY_ID;
    delete env.APCA_API_SECRET_KEY;
    const child = spawn(process.execPath, ['bin/ladderlab.mjs', 'serve', '--data', '.', '--key-id', 'PKONLY'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('missing: secret');
  });
});
