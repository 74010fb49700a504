/**
 * Input files as streams of CSV records: plain text, gzip (.gz) or a zip (.zip, one CSV entry,
 * as the vendor ships it). Records come with their row number (file line, from 1) so every
 * error can name the row. The parser keeps ragged rows so the caller can say which field is
 * missing instead of a generic CSV error.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse, CsvError } from 'csv-parse';
import { unzipSync } from 'fflate';
import { InputError } from '../../core/errors.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';

export interface CsvRecord {
  fields: string[];
  /** Line number in the (decompressed) file, from 1. */
  row: number;
}

/** The one entry of a zip archive (the first .csv when there are several files). */
export function unzipSingle(file: string): { name: string; bytes: Uint8Array } {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (err) {
    throw new InputError(`${file}: not a readable zip archive (${(err as Error).message})`);
  }
  const names = Object.keys(entries).filter((n) => !n.endsWith('/'));
  const csv = names.filter((n) => /\.(csv|txt)$/i.test(n));
  const pick = csv.length >= 1 ? csv[0] : names.length === 1 ? names[0] : undefined;
  if (pick === undefined) throw new InputError(`${file}: zip must hold one CSV file, found ${names.length} entries`);
  return { name: pick, bytes: entries[pick] };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** A byte stream of the file's text, reporting progress in (compressed) bytes read. */
export function openText(file: string, progress: ProgressSink = NO_PROGRESS): Readable {
  const size = fileSize(file);
  if (/\.zip$/i.test(file)) {
    const { bytes } = unzipSingle(file);
    progress.start(file, bytes.length);
    const CHUNK = 1 << 20;
    return Readable.from(
      (function* () {
        for (let i = 0; i < bytes.length; i += CHUNK) {
          const chunk = bytes.subarray(i, i + CHUNK);
          progress.advance(chunk.length);
          yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        }
      })(),
    );
  }
  progress.start(file, size);
  const raw = createReadStream(file);
  raw.on('data', (chunk) => progress.advance(chunk.length));
  if (/\.gz$/i.test(file)) {
    const gunzip = createGunzip();
    raw.on('error', (err) => gunzip.destroy(err));
    return raw.pipe(gunzip);
  }
  return raw;
}

/** Read the whole (possibly zipped/gzipped) file as UTF-8 text. */
export async function readText(file: string, progress: ProgressSink = NO_PROGRESS): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of openText(file, progress)) chunks.push(chunk as Buffer);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read (${(err as Error).message})`);
  } finally {
    progress.stop();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Stream the file's CSV records (empty lines skipped, fields trimmed, ragged rows kept). */
export async function* csvRecords(file: string, progress: ProgressSink = NO_PROGRESS): AsyncGenerator<CsvRecord> {
  const source = openText(file, progress);
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, trim: true, info: true, bom: true });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: item.record, row: item.info.lines };
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number; column?: number | string };
      const field = e.column !== undefined ? `#${e.column}` : '?';
      throw new InputError(`${file}: row ${e.lines ?? '?'}: field "${field}": malformed CSV (${e.message})`);
    }
    throw new InputError(`${file}: cannot read (${(err as Error).message})`);
  } finally {
    source.destroy();
    parser.destroy();
    progress.stop();
  }
}
