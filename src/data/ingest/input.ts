/**
 * Input files as byte streams: plain text, gzip (.gz, streamed) or a zip (.zip, one CSV entry,
 * as the vendor ships it; inflated by Node's zlib as a stream). `scanCsvFile` feeds them to the
 * byte scanner (csv-scan.ts), the path of every CSV reader; `csvRecords` (csv-parse, string
 * fields) remains for tests and tools that want rows of strings.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, inflateRawSync } from 'node:zlib';
import { parse, CsvError } from 'csv-parse';
import { unzipSync } from 'fflate';
import { InputError } from '../../core/errors.ts';
import { CsvScanner, type CsvRow } from './csv-scan.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';

export interface CsvRecord {
  fields: string[];
  /** Line number in the (decompressed) file, from 1. */
  row: number;
}

interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  data: Buffer;
}

/**
 * The entries of a zip archive from its central directory (no ZIP64; undefined when the archive
 * needs a reader that knows more: the caller falls back to fflate).
 */
function zipEntries(bytes: Buffer): ZipEntry[] | undefined {
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = bytes.readUInt16LE(eocd + 10);
  let p = bytes.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== 0x02014b50) return undefined;
    const method = bytes.readUInt16LE(p + 10);
    let size = bytes.readUInt32LE(p + 20);
    const nameLen = bytes.readUInt16LE(p + 28), extraLen = bytes.readUInt16LE(p + 30), commentLen = bytes.readUInt16LE(p + 32);
    let local = bytes.readUInt32LE(p + 42);
    const name = bytes.toString('utf8', p + 46, p + 46 + nameLen);
    if (size === 0xffffffff || local === 0xffffffff) {
      // ZIP64 extra field (id 1): the 8-byte values of the 32-bit fields that are 0xffffffff, in order.
      const wide = zip64Values(bytes, p + 46 + nameLen, extraLen);
      let k = bytes.readUInt32LE(p + 24) === 0xffffffff ? 1 : 0; // the uncompressed size comes first
      if (size === 0xffffffff) size = wide?.[k++] ?? Number.NaN;
      if (local === 0xffffffff) local = wide?.[k] ?? Number.NaN;
      if (!Number.isSafeInteger(size) || !Number.isSafeInteger(local)) return undefined;
    }
    if (method !== 0 && method !== 8) return undefined;
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) return undefined;
    const dataStart = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    entries.push({ name, method, data: bytes.subarray(dataStart, dataStart + size) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The 8-byte values of a ZIP64 extended-information extra field, or undefined. */
function zip64Values(bytes: Buffer, from: number, length: number): number[] | undefined {
  for (let q = from; q + 4 <= from + length; ) {
    const id = bytes.readUInt16LE(q), size = bytes.readUInt16LE(q + 2);
    if (id === 1) {
      const values: number[] = [];
      for (let v = q + 4; v + 8 <= q + 4 + size; v += 8) values.push(Number(bytes.readBigUInt64LE(v)));
      return values;
    }
    q += 4 + size;
  }
  return undefined;
}

/** The CSV entry of a zip (the first .csv/.txt, or the only file), inflated, in chunks. */
function zipStream(file: string, progress: ProgressSink): Readable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const entries = zipEntries(bytes)?.filter((e) => !e.name.endsWith('/'));
  if (entries === undefined) return chunked(unzipSingle(file).bytes, progress, file);
  const csv = entries.filter((e) => /\.(csv|txt)$/i.test(e.name));
  const pick = csv.length >= 1 ? csv[0] : entries.length === 1 ? entries[0] : undefined;
  if (pick === undefined) throw new InputError(`${file}: zip must hold one CSV file, found ${entries.length} entries`);
  // Node's native inflate (the vendor's zips are a few MB; progress over the unzipped bytes).
  return chunked(pick.method === 0 ? pick.data : inflateRawSync(pick.data), progress, file);
}

/** Bytes in memory as a stream of 1 MiB chunks, reporting progress. */
function chunked(bytes: Uint8Array, progress: ProgressSink, label: string): Readable {
  progress.start(label, bytes.length);
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
  if (/\.zip$/i.test(file)) return zipStream(file, progress);
  progress.start(file, size);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
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

/**
 * Scan the file's CSV records with the byte scanner: `onRow` gets each (csv-scan.ts says the
 * rules). Read errors become InputErrors naming the file.
 */
export async function scanCsvFile(file: string, progress: ProgressSink, onRow: (row: CsvRow) => void): Promise<void> {
  const scanner = new CsvScanner(file, onRow);
  try {
    for await (const chunk of openText(file, progress)) scanner.push(chunk as Buffer);
    scanner.end();
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read (${(err as Error).message})`);
  } finally {
    progress.stop();
  }
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
