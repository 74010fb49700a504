/**
 * Bad input rows: by default the first one stops the ingest with an InputError naming file, row
 * and field (the CLI exits 2); with --skip-bad-rows each is dropped and counted by reason, and
 * the summary prints the counts with the first example of each.
 *
 * Rows are numbered as lines of the file from 1 (a CSV header is row 1); for JSON pages the row
 * is the entry's position in the page's array, from 1.
 */
import { InputError } from '../../core/errors.ts';

export type BadRowReason =
  | 'malformed' // wrong number of fields, not a JSON object, unparsable CSV
  | 'missing_field'
  | 'bad_time' // unparsable or out-of-range timestamp
  | 'unsorted' // earlier than the row before
  | 'wrong_day' // outside the --day being ingested
  | 'bad_price' // zero, negative, NaN, or not a number
  | 'bad_size' // negative, fractional or not a number
  | 'bad_exchange' // not a single letter
  | 'bad_condition'
  | 'bad_flag'; // suspicious flag other than 0/1

export class BadRows {
  readonly counts = new Map<BadRowReason, number>();
  readonly examples = new Map<BadRowReason, string>();

  constructor(readonly skip: boolean) {}

  /** Report one bad row: throws InputError, or (skipping) counts it. Callers drop the row after. */
  report(reason: BadRowReason, file: string, row: number | string, field: string, problem: string): void {
    const message = `${file}: row ${row}: field "${field}": ${problem}`;
    if (!this.skip) throw new InputError(message);
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (!this.examples.has(reason)) this.examples.set(reason, message);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Counts sorted by reason, for summaries and JSON. */
  toRecord(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
