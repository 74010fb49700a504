/**
 * The rows a live run saw, appended as they come to OUT/tape-rows.tsv, so a crash loses none of
 * them (a SIGKILLed segment used to lose its whole tape: the recorder kept it in
 * memory until the segment wrote OUT/tape at its end). Every segment of a run appends to the same
 * file; `live --resume` rebuilds the recorder from it (tape-recorder.ts adoptJournal), then the tape
 * written at the end holds every segment's rows.
 *
 * One row per line, tab-separated, numbers as JavaScript prints them (they read back exactly):
 *   q  SYMBOL  tsUs  bid    ask   bidSize  askSize
 *   t  SYMBOL  tsUs  price  size  exchange eligible
 * Each row is written as it comes (one write call, a few µs: a live feed's rate makes that a
 * fraction of a percent of a core), so a killed process loses none; there is no fsync — only a
 * machine crash can lose the last rows. A line cut short by a crash is ignored on reading and cut
 * off before the next segment appends.
 */
import { existsSync } from 'node:fs';
import { LineAppender, readWholeLines } from '../core/line-file.ts';

export const TAPE_ROWS_FILE = 'tape-rows.tsv';

export interface TapeRowSink {
  quote(symbol: string, tsUs: number, bid: number, ask: number, bidSize: number, askSize: number): void;
  trade(symbol: string, tsUs: number, price: number, size: number, exchange: number, eligible: 0 | 1): void;
}

export class TapeJournal implements TapeRowSink {
  private readonly file: LineAppender;

  /** `append`: keep what an earlier segment wrote (cut back to its last whole line); else start empty. */
  constructor(
    readonly path: string,
    append: boolean,
  ) {
    this.file = new LineAppender(path, append);
  }

  quote(symbol: string, tsUs: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    this.file.append(`q\t${symbol}\t${tsUs}\t${bid}\t${ask}\t${bidSize}\t${askSize}\n`);
  }

  trade(symbol: string, tsUs: number, price: number, size: number, exchange: number, eligible: 0 | 1): void {
    this.file.append(`t\t${symbol}\t${tsUs}\t${price}\t${size}\t${exchange}\t${eligible}\n`);
  }

  close(): void {
    this.file.close();
  }
}

/** Replay every whole, well-formed row of the file into `sink`, in file order; returns the counts. */
export function readTapeJournal(path: string, sink: TapeRowSink): { quotes: number; trades: number } {
  let quotes = 0;
  let trades = 0;
  if (!existsSync(path)) return { quotes, trades };
  for (const line of readWholeLines(path)) {
    const f = line.split('\t');
    if (f.length !== 7) continue;
    const n = f.slice(2).map(Number);
    if (!n.every(Number.isFinite)) continue;
    if (f[0] === 'q') {
      sink.quote(f[1], n[0], n[1], n[2], n[3], n[4]);
      quotes++;
    } else if (f[0] === 't' && (n[4] === 0 || n[4] === 1)) {
      sink.trade(f[1], n[0], n[1], n[2], n[3], n[4]);
      trades++;
    }
  }
  return { quotes, trades };
}
