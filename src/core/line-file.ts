/**
 * Append-only files of text lines — the live run's journal, its tape rows, the sweep's finished
 * cells. A crash can cut the last line short. Reading (`readWholeLines`) ignores such a line;
 * opening to append to what is there (`LineAppender`, keep) cuts it off first, so the next line
 * never lands on a fragment (which would make a whole line unreadable and lose both).
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

/** The file's whole lines, without their newlines; a last line with no newline is left out. */
export function readWholeLines(path: string): string[] {
  const bytes = readFileSync(path);
  const whole = bytes.lastIndexOf(0x0a) + 1;
  return whole === 0 ? [] : bytes.subarray(0, whole - 1).toString('utf8').split('\n');
}

export class LineAppender {
  private readonly fd: number;
  private position: number;

  /** `keep`: append to the file's whole lines (a torn tail cut off); otherwise start it empty. */
  constructor(
    readonly path: string,
    keep: boolean,
  ) {
    if (!keep || !existsSync(path)) {
      this.fd = openSync(path, 'w');
      this.position = 0;
      return;
    }
    this.fd = openSync(path, 'r+');
    this.position = wholeLinesLength(this.fd);
    ftruncateSync(this.fd, this.position);
  }

  /** Write `text` (whole lines, newline-terminated) at the end; `sync`: on disk before returning. */
  append(text: string, sync = false): void {
    const bytes = Buffer.from(text);
    // One write call for a regular file writes it all; loop anyway, as write(2) permits less.
    for (let off = 0; off < bytes.length; ) {
      const n = writeSync(this.fd, bytes, off, bytes.length - off, this.position);
      off += n;
      this.position += n;
    }
    if (sync) fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Bytes up to and including the file's last newline, found reading back from the end. */
function wholeLinesLength(fd: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = fstatSync(fd).size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    readSync(fd, chunk, 0, end - start, start);
    const i = chunk.subarray(0, end - start).lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}
