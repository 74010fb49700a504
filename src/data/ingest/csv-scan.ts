/**
 * A CSV scanner over bytes for the tick readers: no string and no object per row. Each record is
 * handed to the caller as field ranges [starts[i], ends[i]) into `buf`, trimmed of spaces and
 * tabs, with its row number (the file line it ends on, from 1, as csv-parse counts); the caller
 * parses numbers straight from the bytes (bytes.ts) and makes a string only to quote a bad field.
 *
 * The rules are csv-parse's with { trim, skip_empty_lines, relax_column_count, bom }: `,` between
 * fields, LF or CRLF between records, empty (or blank) lines skipped, a UTF-8 byte-order mark dropped,
 * rows of any length. A field may be quoted ("…", with "" for a quote, commas and line breaks
 * inside); such a record takes the slow path, which copies its unquoted fields into a scratch
 * buffer. A quote left open at the end of the file, or text after a closing quote, is malformed
 * CSV (an InputError naming file, row and field #n).
 */
import { InputError } from '../../core/errors.ts';

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;

/** The current record: field i is buf[starts[i], ends[i]). Valid only inside the callback. */
export class CsvRow {
  buf: Buffer = Buffer.alloc(0);
  starts = new Int32Array(16);
  ends = new Int32Array(16);
  count = 0;
  row = 0;

  /** Field i as text (for messages and headers); undefined past the row's end. */
  text(i: number): string | undefined {
    return i < this.count ? this.buf.toString('utf8', this.starts[i], this.ends[i]) : undefined;
  }

  /** RawFields (row-check.ts): the field's text. */
  raw(key: number | string): unknown {
    return this.text(key as number);
  }

  /** Room for one more field. */
  push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    let s = start, e = end;
    while (s < e && (this.buf[s] === SPACE || this.buf[s] === TAB)) s++;
    while (e > s && (this.buf[e - 1] === SPACE || this.buf[e - 1] === TAB)) e--;
    this.starts[this.count] = s;
    this.ends[this.count] = e;
    this.count++;
  }
}

/** Scans chunks of one file; `onRow` gets each record as it completes. */
export class CsvScanner {
  private readonly row = new CsvRow();
  private carry: Buffer | undefined;
  private line = 0;
  private first = true;
  private scratch = Buffer.alloc(1 << 12);

  constructor(
    private readonly file: string,
    private readonly onRow: (row: CsvRow) => void,
  ) {}

  /** The next bytes of the file. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      // Only the line cut by the chunk boundary is joined (not the whole chunk copied).
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const head = this.withoutBom(Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]));
      this.carry = undefined;
      const used = this.scan(head, false);
      const rest = chunk.subarray(nl + 1);
      // A quoted record that goes on past the joined line: scan it with the rest of the chunk.
      buf = used < head.length ? Buffer.concat([head.subarray(used), rest]) : rest;
    } else buf = this.withoutBom(buf);
    const used = this.scan(buf, false);
    if (used < buf.length) this.carry = Buffer.from(buf.subarray(used));
  }

  /** `buf` without a UTF-8 byte-order mark when it starts the file (decided once 3 bytes are in). */
  private withoutBom(buf: Buffer): Buffer {
    if (!this.first || buf.length < 3) return buf;
    this.first = false;
    return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  }

  /** The end of the file: the last record may lack its line break. */
  end(): void {
    const buf = this.withoutBom(this.carry ?? Buffer.alloc(0));
    this.carry = undefined;
    this.scan(buf, true);
  }

  /** Scan whole records of `buf`; returns how many bytes were consumed. */
  private scan(buf: Buffer, atEnd: boolean): number {
    const row = this.row;
    let lineStart = 0;
    const n = buf.length;
    while (lineStart < n) {
      row.buf = buf;
      row.count = 0;
      let fieldStart = lineStart;
      let i = lineStart;
      let quoted = false;
      for (; i < n; i++) {
        const c = buf[i];
        if (c === COMMA) {
          row.push(fieldStart, i);
          fieldStart = i + 1;
        } else if (c === LF) break;
        else if (c === QUOTE) {
          quoted = true;
          break;
        }
      }
      if (quoted) {
        const next = this.quotedRecord(buf, lineStart, atEnd);
        if (next < 0) return lineStart; // the record goes on in the next chunk
        lineStart = next;
        continue;
      }
      if (i === n && !atEnd) return lineStart; // an incomplete line: wait for more
      this.line++;
      let end = i;
      if (end > lineStart && buf[end - 1] === CR) end--;
      row.push(fieldStart, end);
      // A line that is empty once trimmed is skipped (csv-parse's skip_empty_lines with trim).
      if (row.count > 1 || row.ends[0] > row.starts[0]) {
        row.row = this.line;
        this.onRow(row);
      }
      lineStart = i + 1;
    }
    return n;
  }

  /**
   * The slow path for a record with a quote: unquoted field bytes go to the scratch buffer.
   * Returns the position after the record, or −1 when it does not end in this chunk.
   */
  private quotedRecord(buf: Buffer, start: number, atEnd: boolean): number {
    const n = buf.length;
    const row = this.row;
    if (this.scratch.length < n - start) this.scratch = Buffer.alloc(Math.max(n - start, this.scratch.length * 2));
    const out = this.scratch;
    const startLine = this.line + 1;
    let lines = 1;
    let w = 0;
    let fieldStart = 0;
    row.count = 0;
    row.buf = out;
    let i = start;
    let inQuotes = false;
    let closed = false; // just after a closing quote
    for (; i < n; i++) {
      const c = buf[i];
      if (inQuotes) {
        if (c === QUOTE) {
          if (i + 1 < n && buf[i + 1] === QUOTE) {
            out[w++] = QUOTE;
            i++;
          } else if (i + 1 === n && !atEnd) return -1; // "" may straddle the chunk
          else {
            inQuotes = false;
            closed = true;
          }
        } else {
          if (c === LF) lines++;
          out[w++] = c;
        }
        continue;
      }
      if (c === COMMA) {
        row.push(fieldStart, w);
        fieldStart = w;
        closed = false;
      } else if (c === LF) break;
      else if (c === QUOTE && !closed && isBlank(out, fieldStart, w)) {
        w = fieldStart;
        inQuotes = true;
      } else if (closed && c !== SPACE && c !== TAB && c !== CR) {
        throw this.malformed(startLine + lines - 1, row.count + 1, 'text after a closing quote');
      } else out[w++] = c;
    }
    if (inQuotes) {
      if (!atEnd) return -1;
      throw this.malformed(startLine, row.count + 1, 'a quote is not closed');
    }
    if (i === n && !atEnd) return -1;
    if (w > fieldStart && out[w - 1] === CR && !closed) w--;
    row.push(fieldStart, w);
    this.line += lines;
    row.row = this.line;
    this.onRow(row);
    return i + 1;
  }

  private malformed(line: number, field: number, why: string): InputError {
    return new InputError(`${this.file}: row ${line}: field "#${field}": malformed CSV (${why})`);
  }
}

function isBlank(buf: Buffer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (buf[k] !== SPACE && buf[k] !== TAB) return false;
  return true;
}
