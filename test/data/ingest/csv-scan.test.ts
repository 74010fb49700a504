/**
 * The byte scanner and byte parsers behind every CSV reader give what csv-parse and the string
 * parsers give: records, row numbers and field text on hand-picked and random inputs split into
 * chunks anywhere, and the same numbers (or NaN) for any field.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalDigits, hexDigits, uintDigits } from '../../../src/data/ingest/bytes.ts';
import { CsvScanner } from '../../../src/data/ingest/csv-scan.ts';

/** Records as [row, fields] from the scanner, the text fed in chunks of `chunk` bytes. */
function scan(text: string, chunk: number): [number, string[]][] {
  const out: [number, string[]][] = [];
  const scanner = new CsvScanner('f.csv', (r) => out.push([r.row, Array.from({ length: r.count }, (_, i) => r.text(i)!)]));
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) scanner.push(bytes.subarray(i, i + chunk));
  scanner.end();
  return out;
}

function csvParse(text: string): [number, string[]][] {
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
  return rows.map((r) => [r.info.lines, r.record]);
}

describe('CsvScanner', () => {
  it('splits fields, trims spaces, skips empty and blank lines, drops a BOM, takes CRLF and a last line without a break', () => {
    const text = '\uFEFFts, bid ,ask\n\n1,2,3\n  \n 4 ,5\n6,"7,5","say ""hi"""\n8,"two\nlines",9';
    const expected: [number, string[]][] = [
      [1, ['ts', 'bid', 'ask']],
      [3, ['1', '2', '3']],
      [5, ['4', '5']],
      [6, ['6', '7,5', 'say "hi"']],
      [8, ['8', 'two\nlines', '9']],
    ];
    expect(csvParse(text)).toEqual(expected);
    for (const chunk of [1, 2, 3, 7, 1000]) expect(scan(text, chunk), `chunks of ${chunk}`).toEqual(expected);
    const crlf = 'a,b\r\n1,2\r\n\r\n3,4';
    expect(scan(crlf, 3)).toEqual(csvParse(crlf));
  });

  it('an unclosed quote or text after a closing quote is malformed CSV naming row and field', () => {
    expect(() => scan('a,b\n1,"2\n', 4)).toThrow('f.csv: row 2: field "#2": malformed CSV (a quote is not closed)');
    expect(() => scan('a,b\n1,"2"x\n', 4)).toThrow('f.csv: row 2: field "#2": malformed CSV (text after a closing quote)');
  });

  it('matches csv-parse on random unquoted tables fed in random chunks', () => {
    const cell = fc.stringMatching(/^[ 0-9a-z.:-]{0,6}$/);
    const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(table, fc.integer({ min: 1, max: 17 }), fc.boolean(), (rows, chunk, crlf) => {
        const text = rows.map((r) => r.join(',')).join(crlf ? '\r\n' : '\n');
        expect(scan(text, chunk)).toEqual(csvParse(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('byte parsers = the string parsers', () => {
  const bytesOf = (s: string) => Buffer.from(s, 'latin1');
  const field = fc.stringMatching(/^[0-9.a-fA-F+\-e]{0,20}$/);
  it('uintDigits ≡ /^\\d+$/ → Number; decimalDigits ≡ /^\\d+(\\.\\d+)?$/ → Number; hexDigits ≡ parseInt(16)|0', () => {
    fc.assert(
      fc.property(fc.oneof(field, fc.stringMatching(/^\d{1,18}(\.\d{1,8})?$/)), (s) => {
        const b = bytesOf(s);
        expect(uintDigits(b, 0, b.length)).toBe(/^\d+$/.test(s) ? Number(s) : Number.NaN);
        expect(decimalDigits(b, 0, b.length)).toBe(/^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN);
        expect(hexDigits(b, 0, b.length)).toBe(/^[0-9A-Fa-f]{1,8}$/.test(s) ? parseInt(s, 16) | 0 : Number.NaN);
      }),
      { numRuns: 2000 },
    );
    expect(decimalDigits(bytesOf('182.53'), 0, 6)).toBe(182.53);
    expect(uintDigits(bytesOf('1381152600123456'), 0, 16)).toBe(1381152600123456);
  });
});
