/**
 * The live tape's row journal (src/live/tape-journal.ts): a recorder that never wrote its tape
 * (a SIGKILLed segment) leaves rows a resumed run takes in exactly as they were recorded.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TapeJournal, readTapeJournal } from '../../src/live/tape-journal.ts';
import { TapeRecorder } from '../../src/live/tape-recorder.ts';
import { openTapeRecorder } from '../../src/live/run-setup.ts';

const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000; // 10:00 New York
const SEC = 1_000_000;

function record(recorder: TapeRecorder): void {
  recorder.quote('IBM', T0, 186.5, 186.55, 300, 400);
  recorder.trade('IBM', T0 + 10, 186.55, 100, 'N', ['@']);
  recorder.quote('BAC', T0 + 20, 15.01, 15.02, 12_000, 9_000);
  recorder.trade('BAC', T0 + 30, 15.015, 50, 'D', ['@']); // off-exchange: not eligible
  recorder.quote('IBM', T0 + 2 * SEC, 186.49, 186.54, 200, 100);
  recorder.quote('IBM', T0 + SEC, 186.48, 186.53, 100, 100, true); // REST, older than the last: not recorded
}

const rows = (r: TapeRecorder) => JSON.stringify(r.symbolDays(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

describe('tape row journal', () => {
  it('a crashed segment\'s rows come back exactly: quotes and trades, both symbols, eligibility and sizes as recorded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tape-journal-'));
    const path = join(dir, 'tape-rows.tsv');
    const first = new TapeRecorder(new TapeJournal(path, false));
    record(first);
    expect(readFileSync(path, 'utf8').split('\n')).toEqual([
      `q\tIBM\t${T0}\t186.5\t186.55\t300\t400`,
      `t\tIBM\t${T0 + 10}\t186.55\t100\t${first.symbolDays()[1].trades.exchange[0]}\t1`,
      `q\tBAC\t${T0 + 20}\t15.01\t15.02\t12000\t9000`,
      `t\tBAC\t${T0 + 30}\t15.015\t50\t${first.symbolDays()[0].trades.exchange[0]}\t0`,
      `q\tIBM\t${T0 + 2 * SEC}\t186.49\t186.54\t200\t100`,
      '',
    ]);
    const second = openTapeRecorder(dir, true);
    expect([second.quoteCount, second.tradeCount]).toEqual([3, 2]);
    expect(rows(second)).toBe(rows(first));
  });

  it('each row is on disk as it is recorded; a torn last line is ignored, then cut off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tape-journal-'));
    const path = join(dir, 'tape-rows.tsv');
    const journal = new TapeJournal(path, false);
    journal.quote('IBM', T0, 10, 10.01, 100, 100);
    journal.quote('IBM', T0 + SEC / 2, 10, 10.01, 200, 100);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    journal.trade('IBM', T0 + SEC, 10.01, 300, 4, 1);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
    journal.close();
    appendFileSync(path, `q\tIBM\t${T0 + 2 * SEC}\t10.0`); // a crash mid-line
    const seen: string[] = [];
    const sink = { quote: (s: string, t: number, b: number) => seen.push(`q ${s} ${t - T0} ${b}`), trade: (s: string, t: number, p: number, z: number) => seen.push(`t ${s} ${t - T0} ${p} ${z}`) };
    expect(readTapeJournal(path, sink)).toEqual({ quotes: 2, trades: 1 });
    expect(seen).toEqual(['q IBM 0 10', `q IBM ${SEC / 2} 10`, `t IBM ${SEC} 10.01 300`]);
    // the next segment cuts the torn line before appending
    const next = new TapeJournal(path, true);
    next.trade('IBM', T0 + 3 * SEC, 9.99, 100, 4, 0);
    next.close();
    expect(readFileSync(path, 'utf8').split('\n').slice(-2)).toEqual([`t\tIBM\t${T0 + 3 * SEC}\t9.99\t100\t4\t0`, '']);
  });

  it('a new run starts the journal empty; a resumed run without one adopts the tape directory it wrote', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tape-journal-'));
    writeFileSync(join(dir, 'tape-rows.tsv'), `q\tIBM\t${T0}\t10\t10.01\t100\t100\n`);
    const fresh = openTapeRecorder(dir, false);
    expect(fresh.quoteCount).toBe(0);
    expect(readFileSync(join(dir, 'tape-rows.tsv'), 'utf8')).toBe('');
    // an older run directory: no journal, only OUT/tape from its earlier segment
    const old = mkdtempSync(join(tmpdir(), 'tape-journal-old-'));
    const writer = new TapeRecorder();
    record(writer);
    writer.write(join(old, 'tape'));
    const resumed = openTapeRecorder(old, true);
    expect([resumed.quoteCount, resumed.tradeCount]).toEqual([3, 2]);
    expect(rows(resumed)).toBe(rows(writer));
  });
});
