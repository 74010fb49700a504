/**
 * Reading a run's Arrow IPC files column by column into plain arrays, with errors that name the
 * file, the row and the field. Timestamps come back as epoch µs whatever their unit: apache-arrow
 * returns timestamp cells as epoch ms (fractional below the ms), so µs = round(ms · 1000), exact
 * for any date this century; plain integer or float columns are taken to be µs already.
 */
import { readFileSync } from 'node:fs';
import { Type, tableFromIPC } from 'apache-arrow';
import type { Table, Vector } from 'apache-arrow';
import { InputError } from '../core/errors.ts';

/** Epoch µs of 1990-01-01 and 2100-01-01: a timestamp outside is a unit mix-up (ms or ns stored as µs), not a date. */
const PLAUSIBLE_US: [number, number] = [631_152_000_000_000, 4_102_444_800_000_000];

export class ArrowFile {
  readonly rows: number;
  private readonly table: Table;

  constructor(readonly path: string) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new InputError(`${path}: cannot read (${(err as Error).message})`);
    }
    try {
      this.table = tableFromIPC(bytes);
    } catch (err) {
      throw new InputError(`${path}: not an Arrow IPC file (${(err as Error).message})`);
    }
    this.rows = this.table.numRows;
  }

  has(field: string): boolean {
    return this.table.getChild(field) !== null;
  }

  private vector(field: string): Vector {
    const v = this.table.getChild(field);
    if (!v) throw new InputError(`${this.path}: missing column "${field}"`);
    return v;
  }

  /** Strings; null cells stay null. */
  strings(field: string): (string | null)[] {
    const v = this.vector(field);
    const out: (string | null)[] = new Array(this.rows);
    for (let i = 0; i < this.rows; i++) {
      const cell = v.get(i) as unknown;
      out[i] = cell === null || cell === undefined ? null : String(cell);
    }
    return out;
  }

  /** Strings that must be present. */
  requiredStrings(field: string): string[] {
    const out = this.strings(field);
    for (let i = 0; i < out.length; i++) {
      if (out[i] === null) throw new InputError(`${this.path}: row ${i}, field "${field}": missing value`);
    }
    return out as string[];
  }

  /** Numbers (int64 as Number, timestamps as epoch µs); null cells → NaN. */
  numbers(field: string): Float64Array {
    const v = this.vector(field);
    const isTimestamp = v.type.typeId === Type.Timestamp;
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) {
      const cell = v.get(i) as unknown;
      if (cell === null || cell === undefined) {
        out[i] = Number.NaN;
      } else if (isTimestamp) {
        out[i] = Math.round((cell instanceof Date ? cell.getTime() : Number(cell)) * 1000);
        if (out[i] < PLAUSIBLE_US[0] || out[i] > PLAUSIBLE_US[1]) {
          const ms = out[i] / 1000;
          const when = Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${out[i]} µs`;
          throw new InputError(
            `${this.path}: row ${i}, field "${field}": ${when} is not a plausible time (the values look ${out[i] > PLAUSIBLE_US[1] ? '1000× too large: µs written where ms were expected?' : 'too small: ms or s written as µs?'})`,
          );
        }
      } else {
        out[i] = typeof cell === 'boolean' ? (cell ? 1 : 0) : Number(cell);
      }
    }
    return out;
  }

  /** Numbers that must be present and finite. */
  requiredNumbers(field: string): Float64Array {
    const out = this.numbers(field);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) throw new InputError(`${this.path}: row ${i}, field "${field}": missing or not a number`);
    }
    return out;
  }

  /** List-of-number cells as arrays (a null list → [], a null item → NaN); a missing column → all []. */
  numberLists(field: string): number[][] {
    const out: number[][] = new Array(this.rows);
    if (!this.has(field)) return out.fill([]).map(() => []);
    const v = this.vector(field);
    for (let i = 0; i < this.rows; i++) {
      const cell = v.get(i) as { length: number; get(j: number): unknown } | null;
      const list: number[] = [];
      if (cell) for (let j = 0; j < cell.length; j++) {
        const x = cell.get(j);
        list.push(x === null || x === undefined ? Number.NaN : Number(x));
      }
      out[i] = list;
    }
    return out;
  }

  /** Booleans (also accepts 0/1 integers); null → false. */
  booleans(field: string): boolean[] {
    const v = this.vector(field);
    const out: boolean[] = new Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = Boolean(v.get(i));
    return out;
  }

  /** One of `allowed`, or an InputError naming the row. */
  enumAt<T extends string>(field: string, values: (string | null)[], row: number, allowed: readonly T[]): T {
    const value = values[row];
    if (value === null || !(allowed as readonly string[]).includes(value)) {
      throw new InputError(`${this.path}: row ${row}, field "${field}": ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
    }
    return value as T;
  }
}
