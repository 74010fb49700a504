/**
 * The one row-validation path of every ingest reader (vendor, CSV, Alpaca, Parquet): a row's
 * fields are parsed in order, the FIRST bad one is reported through BadRows (an InputError naming
 * file, row and field, or a counted drop with --skip-bad-rows) and the row is dropped:
 *
 *   check.begin(file, row);
 *   const bid = check.value(parsePrice(…), 'bad_price', 'bid', 'expected a price > 0', fields, 1);
 *   const ask = check.value(…);
 *   if (!check.ok) continue;                  // before anything with side effects
 *
 * Messages are built only for a bad row: `value` takes the row's raw fields and a key, and reads
 * the raw text (for "got …") only when the parsed value is NaN.
 */
import type { BadRowReason, BadRows } from './bad-rows.ts';

/** A row's raw fields, read only to quote a bad value in the message. */
export interface RawFields {
  raw(key: number | string): unknown;
}

/** How a raw value is quoted: `nothing` for a missing one, else its JSON. */
export function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** Raw fields of a row held as an array of strings (or any array). */
export class ArrayFields implements RawFields {
  fields: readonly unknown[] = [];
  raw(key: number | string): unknown {
    return this.fields[key as number];
  }
}

/** Raw fields of a row held as an object (JSON). */
export class ObjectFields implements RawFields {
  record: Record<string, unknown> = {};
  raw(key: number | string): unknown {
    return this.record[key as string];
  }
}

export class RowCheck {
  /** False once a field of the current row was bad (and reported). */
  ok = true;
  private file = '';
  private row: number | string = 0;

  constructor(readonly bad: BadRows) {}

  begin(file: string, row: number | string): void {
    this.file = file;
    this.row = row;
    this.ok = true;
  }

  /**
   * `parsed` unchanged; when it is NaN the row is bad: "<expected>, got <raw>" is reported
   * for `field` (only the row's first bad field is reported).
   */
  value(parsed: number, reason: BadRowReason, field: string, expected: string, fields: RawFields, key: number | string): number {
    if (parsed === parsed || !this.ok) return parsed;
    this.fail(reason, field, `${expected}, got ${describe(fields.raw(key))}`);
    return parsed;
  }

  /** Report the row bad with a message of its own (only the first failure of a row counts). */
  fail(reason: BadRowReason, field: string, problem: string): void {
    if (!this.ok) return;
    this.ok = false;
    this.bad.report(reason, this.file, this.row, field, problem);
  }
}
