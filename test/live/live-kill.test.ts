/**
 * The kill switch as a user runs it (child processes, against `serve` on 127.0.0.1):
 * `ladderlab kill OUT` stops a running `ladderlab live` — working children canceled at the venue,
 * records written, exit 130 — and leaves the journal resumable: a new run into OUT is refused
 * (exit 2), `ladderlab live --resume OUT` finishes the parents, and no parent trades more than its
 * quantity nor misses a fill the venue made.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatIsoUtcUs } from '../../src/data/orders.ts';
import { loadRun } from '../../src/records/read.ts';
import { loadSymbolDay } from '../../src/data/tape/files.ts';
import { DAY, KEYS, parents, SECRET, startE2eServe, type E2eServe } from './live-e2e-helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ladderlab.mjs');
const env = { APCA_API_KEY_ID: KEYS.keyId, APCA_API_SECRET_KEY: SECRET };

let serve: E2eServe | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await serve?.close();
  serve = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runCli(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

describe('ladderlab kill RUN_DIR', () => {
  it('stops live mid-ladder (children canceled, records written, exit 130); the journal resumes to the end with no over-trade and no missing fill', async () => {
    serve = await startE2eServe({}, 10);
    const s = serve;
    const dir = mkdtempSync(join(tmpdir(), 'live-kill-'));
    dirs.push(dir);
    const config = join(dir, 'ladderlab.yaml');
    writeFileSync(config, stringify({ seed: 7, sim: { fill_model: 'through' }, live: { trading_url: s.srv.baseUrl, data_url: s.srv.baseUrl, speed: 10, markout_collect_s: 0, stream_reconnect_ms: 20, retry: { attempts: 3, min_delay_ms: 10, max_delay_ms: 50 } } }));
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, ['ts,symbol,side,qty,client_order_id', ...parents().map((p) => `${formatIsoUtcUs(p.arrivalTsUs)},${p.symbol},${p.side},${p.qty},${p.clientOrderId}`)].join('\n'));
    const out = join(dir, 'out');

    const live = runCli(['live', '--config', config, '--orders', orders, '--out', out]);
    for (;;) {
      const open = (await s.admin('GET', '/v2/orders?status=open')).body as { client_order_id: string; status: string }[];
      if (open.some((o) => o.client_order_id.startsWith('ll-') && o.status === 'new') && existsSync(join(out, 'live.pid'))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const kill = await runCli(['kill', out]).done;
    expect(kill.code, kill.stderr).toBe(0);
    expect(kill.stdout).toMatch(/stopped; resume with: ladderlab live --resume/);
    const first = await live.done;
    expect(first.code, first.stderr).toBe(130);
    expect(existsSync(join(out, 'live.pid'))).toBe(false);
    const orderBook = async () => ((await s.admin('GET', '/v2/orders?status=all&limit=500')).body as { client_order_id: string; status: string; filled_qty: string }[]).filter((o) => o.client_order_id.startsWith('ll-'));
    expect((await orderBook()).filter((o) => !['canceled', 'filled'].includes(o.status))).toEqual([]);
    expect(loadRun(out).records.length).toBeGreaterThan(0);
    const tapeRows = (sym: string) => {
      const q = loadSymbolDay(join(out, 'tape'), sym, DAY).quotes;
      return Array.from(q.ts.subarray(0, q.length), (ts, i) => `${ts}:${q.bid[i]}:${q.ask[i]}`);
    };
    const firstSegment = { XYZ: tapeRows('XYZ'), ABC: tapeRows('ABC') };
    expect(firstSegment.XYZ.length).toBeGreaterThan(0);

    // A new run into the directory is refused; --resume finishes it.
    const refused = await runCli(['live', '--config', config, '--orders', orders, '--out', out]).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unfinished live run .*--resume/);
    const resumed = await runCli(['live', '--config', config, '--resume', out]).done;
    expect(resumed.code, resumed.stderr).toBe(0);

    const records = loadRun(out).records;
    expect(records.map((r) => r.clientOrderId)).toEqual(['b1', 's1']);
    // The tape keeps both segments: every quote of the first, in order, then the resumed one's later rows.
    for (const sym of ['XYZ', 'ABC'] as const) {
      const both = tapeRows(sym);
      expect(both.slice(0, firstSegment[sym].length), sym).toEqual(firstSegment[sym]);
      expect(both.length, sym).toBeGreaterThan(firstSegment[sym].length);
    }
    const book = await orderBook();
    for (const p of parents()) {
      const r = records.find((x) => x.clientOrderId === p.clientOrderId)!;
      expect(['filled', 'partial', 'unfilled']).toContain(r.status);
      expect(r.reason).not.toBe('shutdown');
      const venueFilled = book.filter((o) => new RegExp(`-${p.clientOrderId}(\\.r\\d+)?-\\d+$`).test(o.client_order_id)).reduce((sum, o) => sum + Number(o.filled_qty), 0);
      expect(venueFilled).toBeLessThanOrEqual(p.qty);
      expect(r.filledQty).toBe(venueFilled);
    }
    const journal = readFileSync(join(out, 'journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.filter((e) => e.t === 'closed')).toEqual([{ t: 'closed', interrupted: true }, { t: 'closed', interrupted: false }]);
    expect(readFileSync(join(out, 'journal.ndjson'), 'utf8').includes(SECRET)).toBe(false);
  });

  it('bad input: no live run in the directory → exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-kill-'));
    dirs.push(dir);
    const r = await runCli(['kill', dir]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no live\.pid — no live run is running there/);
  });
});
