/**
 * The generated sample market: one regular session of the three sample symbols (symbols.ts) as
 * tapes, deterministic for a seed. A manifest (SAMPLE.json) is written last, so a directory with
 * one is complete; `ensureSample` generates the tapes when it is missing (e.g. for the demo).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../core/atomic-write.ts';
import { join } from 'node:path';
import { regularSession } from '../../core/calendar.ts';
import { type SymbolDay } from '../tape/tape.ts';
import { writeSymbolDay } from '../tape/write.ts';
import { generateSymbolDay } from './generate.ts';
import { SAMPLE_DAY, sampleSymbols } from './symbols.ts';

export const DEFAULT_SAMPLE_DIR = 'data/sample';
export const DEFAULT_SAMPLE_SEED = 42;
export const SAMPLE_MANIFEST = 'SAMPLE.json';

export interface SampleOptions {
  seed?: number;
  day?: string;
}

export interface SampleManifest {
  generator: 'ladderlab sample market';
  seed: number;
  day: string;
  symbols: { symbol: string; character: string; quotes: number; trades: number }[];
}

/** Each symbol draws from its own stream `<seed>/<SYMBOL>`: adding a symbol never shifts another. */
export function generateSample(opts: SampleOptions = {}): SymbolDay[] {
  const seed = opts.seed ?? DEFAULT_SAMPLE_SEED;
  const day = opts.day ?? SAMPLE_DAY;
  const session = regularSession(day);
  return sampleSymbols().map(({ symbol, model }) =>
    generateSymbolDay(model, { symbol, day, seed: `${seed}/${symbol}`, openUs: session.openUs, closeUs: session.closeUs }),
  );
}

/** Generate and write the sample tapes into `dir`, then the manifest. */
export function writeSample(dir: string, opts: SampleOptions = {}): SampleManifest {
  const seed = opts.seed ?? DEFAULT_SAMPLE_SEED;
  const day = opts.day ?? SAMPLE_DAY;
  const days = generateSample({ seed, day });
  const characters = new Map(sampleSymbols().map((s) => [s.symbol, s.character]));
  mkdirSync(dir, { recursive: true });
  for (const d of days) writeSymbolDay(dir, d);
  const manifest: SampleManifest = {
    generator: 'ladderlab sample market',
    seed,
    day,
    symbols: days.map((d) => ({ symbol: d.symbol, character: characters.get(d.symbol) ?? '', quotes: d.quotes.length, trades: d.trades.length })),
  };
  const file = join(dir, SAMPLE_MANIFEST);
  writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The manifest of a complete sample in `dir`, or undefined. */
export function readSampleManifest(dir: string): SampleManifest | undefined {
  const file = join(dir, SAMPLE_MANIFEST);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SampleManifest;
}

/** Generate the sample into `dir` unless a complete one is there; returns its manifest. */
export function ensureSample(dir = DEFAULT_SAMPLE_DIR, opts: SampleOptions = {}): SampleManifest {
  return readSampleManifest(dir) ?? writeSample(dir, opts);
}
