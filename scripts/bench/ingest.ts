/**
 * Ingest throughput net of start-up: `ingest()` in this process (read, validate, rebuild, write
 * the Arrow tape) on the vendor zips of ../shared (IBM, BAC, AIG 2013-10-07, quotes + trades;
 * skipped with a message when absent) and on a generated CSV (1 M quote rows + 250 k trade rows (one per 4 quotes),
 * epoch-µs timestamps; plain, gzipped, and the same rows as snappy Parquet written by parquet-wasm).
 * Each input is ingested once per round (harness.ts: a warm-up, then 3 rounds): its raw rows/s by
 * CPU time (gated ≥ 1 M: issue 13's target, and a figure that holds on a shared machine) and by
 * wall time of the same run.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { nyLocalToUtcUs } from '../../src/core/calendar.ts';
import { ingest, type IngestOptions } from '../../src/data/ingest/ingest.ts';
import type { BenchCase, BenchGate, BenchSection } from './harness.ts';

const VENDOR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/equity-ticks');
const DAY = '2013-10-07';
const CSV_QUOTES = 1_000_000;

/**
 * One ingest's raw rows per second, by wall time and by the process's CPU time (user + system,
 * all threads): the CPU figure holds when other work shares the cores, the wall figure is what a
 * user waits. Raw rows = every data row read (quotes + trades).
 */
async function rates(options: IngestOptions): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const summary = await ingest(options);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const rows = summary.quotes.rowsIn + summary.trades.rowsIn;
  return { wall: rows / seconds, cpu: rows / ((cpu.user + cpu.system) / 1e6) };
}

/** A generated day as CSV text: a random walk on the cent grid, 04:00–20:00 New York. */
function generatedCsv(): { quotes: string; trades: string } {
  const startUs = nyLocalToUtcUs(DAY, 4 * 3_600_000);
  const stepUs = Math.floor((16 * 3_600_000_000) / CSV_QUOTES);
  const q = ['ts,bid,ask,bid_size,ask_size'];
  const t = ['ts,price,size,exchange'];
  let cents = 18_250;
  for (let i = 0; i < CSV_QUOTES; i++) {
    cents = Math.max(100, cents + ((i * 104_729) % 3) - 1);
    const ts = startUs + i * stepUs;
    const bid = (cents / 100).toFixed(2);
    q.push(`${ts},${bid},${((cents + 1 + (i % 3)) / 100).toFixed(2)},${100 * (1 + (i % 9))},${100 * (1 + ((i * 5) % 9))}`);
    if (i % 4 === 0) t.push(`${ts + 1},${bid},${100 * (1 + (i % 5))},${i % 3 === 0 ? 'D' : 'N'}`);
  }
  return { quotes: `${q.join('\n')}\n`, trades: `${t.join('\n')}\n` };
}

/** The generated CSV as Parquet files (Arrow tables → parquet-wasm, snappy). */
async function parquetTwins(dir: string, csv: { quotes: string; trades: string }): Promise<{ quotes: string; trades: string }> {
  const { Compression, Table: WasmTable, writeParquet, WriterPropertiesBuilder } = await import('parquet-wasm');
  const arrow = await import('apache-arrow');
  const write = (name: string, text: string, kinds: ('ts' | 'f' | 'i' | 's')[]): string => {
    const lines = text.trimEnd().split('\n');
    const names = lines[0].split(',');
    const cols = names.map(() => [] as string[]);
    for (let i = 1; i < lines.length; i++) lines[i].split(',').forEach((v, c) => cols[c].push(v));
    const vectors: Record<string, unknown> = {};
    names.forEach((n, c) => {
      const k = kinds[c];
      vectors[n] =
        k === 'ts'
          ? arrow.makeVector({ type: new arrow.TimestampMicrosecond('UTC'), data: BigInt64Array.from(cols[c], (v) => BigInt(v)) })
          : k === 'f'
            ? arrow.makeVector(Float64Array.from(cols[c], Number))
            : k === 'i'
              ? arrow.makeVector(Int32Array.from(cols[c], Number))
              : arrow.vectorFromArray(cols[c], new arrow.Utf8());
    });
    const file = join(dir, name);
    const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
    writeFileSync(file, writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(new arrow.Table(vectors as never), 'stream')), props));
    return file;
  };
  return { quotes: write('q.parquet', csv.quotes, ['ts', 'f', 'f', 'i', 'i']), trades: write('t.parquet', csv.trades, ['ts', 'f', 'i', 's']) };
}

/** Two cases per input (CPU and wall rows/s from one ingest each round) and a ≥ 1 M rows/s CPU gate. */
function inputCases(label: string, options: IngestOptions): { cases: BenchCase[]; gates: BenchGate[] } {
  let last: { wall: number; cpu: number } | undefined;
  const cpuName = `${label}, CPU time`;
  return {
    cases: [
      { name: cpuName, unit: 'raw rows/s', measure: async () => (last = await rates(options)).cpu },
      { name: `${label}, wall (same run)`, unit: 'raw rows/s', measure: () => last!.wall, warmup: false },
    ],
    gates: [{ caseName: cpuName, atLeast: 1_000_000 }],
  };
}

export async function section(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'ladderlab-bench-ingest-'));
  const inputs: [string, IngestOptions][] = [];
  if (existsSync(join(VENDOR, 'ibm_20131007_quote.zip'))) {
    for (const symbol of ['ibm', 'bac', 'aig']) {
      const quotes = [join(VENDOR, `${symbol}_20131007_quote.zip`)];
      inputs.push([`vendor ${symbol.toUpperCase()} zips`, { format: 'vendor', quotes, trades: [join(VENDOR, `${symbol}_20131007_trade.zip`)], out: join(dir, 'vendor') }]);
    }
  } else {
    process.stderr.write(`bench ingest: SKIP vendor cases: ${VENDOR} not found (licensed tick data lives outside the repo)\n`);
  }
  const csv = generatedCsv();
  writeFileSync(join(dir, 'q.csv'), csv.quotes);
  writeFileSync(join(dir, 't.csv'), csv.trades);
  writeFileSync(join(dir, 'q.csv.gz'), gzipSync(csv.quotes));
  writeFileSync(join(dir, 't.csv.gz'), gzipSync(csv.trades));
  const pq = await parquetTwins(dir, csv);
  inputs.push(['csv 1.25 M rows (epoch µs)', { format: 'csv', symbol: 'GEN', quotes: [join(dir, 'q.csv')], trades: [join(dir, 't.csv')], out: join(dir, 'csv') }]);
  inputs.push(['csv.gz 1.25 M rows', { format: 'csv', symbol: 'GEN', quotes: [join(dir, 'q.csv.gz')], trades: [join(dir, 't.csv.gz')], out: join(dir, 'gz') }]);
  inputs.push(['parquet 1.25 M rows (snappy)', { format: 'parquet', symbol: 'GEN', quotes: [pq.quotes], trades: [pq.trades], out: join(dir, 'pq') }]);
  const parts = inputs.map(([label, options]) => inputCases(label, options));
  return {
    cases: parts.flatMap((p) => p.cases),
    gates: parts.flatMap((p) => p.gates),
    teardown: () => rmSync(dir, { recursive: true, force: true }),
  };
}
