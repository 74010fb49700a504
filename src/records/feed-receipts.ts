/**
 * feed.arrow in a live run directory: when each streamed quote reached us, beside the quote's own
 * time — the feed latency `calibrate` fits (recv_ts − ts).
 *   symbol utf8, ts timestamp[µs, UTC] (the venue's quote time), recv_ts timestamp[µs, UTC] (local)
 * Rows in receipt order. Kept in growable typed columns while recording (no per-quote objects).
 */
import { join } from 'node:path';
import { tableFromArrays, tableToIPC, timestamp, TimeUnit, utf8 } from '@uwdata/flechette';
import { InputError } from '../core/errors.ts';
import { ArrowFile } from './arrow-file.ts';

export const FEED_RECEIPTS_FILE = 'feed.arrow';

export class FeedReceipts {
  private symbols: string[] = [];
  private ts = new Float64Array(1024);
  private recv = new Float64Array(1024);
  length = 0;

  add(symbol: string, quoteTsUs: number, recvTsUs: number): void {
    if (!Number.isFinite(quoteTsUs) || !Number.isFinite(recvTsUs)) return;
    if (this.length === this.ts.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.ts = grow(this.ts);
      this.recv = grow(this.recv);
    }
    this.symbols.push(symbol);
    this.ts[this.length] = quoteTsUs;
    this.recv[this.length] = recvTsUs;
    this.length++;
  }

  toArrow(): Uint8Array {
    const n = this.length;
    return tableToIPC(
      tableFromArrays(
        {
          symbol: this.symbols.slice(0, n),
          // flechette takes timestamps as epoch ms numbers
          ts: Array.from(this.ts.subarray(0, n), (us) => us / 1000),
          recv_ts: Array.from(this.recv.subarray(0, n), (us) => us / 1000),
        },
        { types: { symbol: utf8(), ts: timestamp(TimeUnit.MICROSECOND, 'UTC'), recv_ts: timestamp(TimeUnit.MICROSECOND, 'UTC') } },
      ),
      { format: 'file' },
    )!;
  }
}

export interface FeedReceipt {
  symbol: string;
  tsUs: number;
  recvTsUs: number;
}

/** feed.arrow of a run directory; an InputError naming the file when it is unreadable or empty. */
export function readFeedReceipts(runDir: string): FeedReceipt[] {
  const path = join(runDir, FEED_RECEIPTS_FILE);
  const f = new ArrowFile(path);
  const symbols = f.requiredStrings('symbol');
  const ts = f.requiredNumbers('ts');
  const recv = f.requiredNumbers('recv_ts');
  if (f.rows === 0) throw new InputError(`${path}: no rows (no quote was received over the stream)`);
  return symbols.map((symbol, i) => ({ symbol, tsUs: ts[i], recvTsUs: recv[i] }));
}

/** Feed delays in ms (recv_ts − ts), in file order. */
export function readFeedDelaysMs(runDir: string): number[] {
  return readFeedReceipts(runDir).map((r) => (r.recvTsUs - r.tsUs) / 1000);
}
