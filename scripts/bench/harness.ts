/**
 * The bench harness: one table of figures AND ratios, every case measured `ROUNDS` times
 * (min / median / max), gates on ratios, never on absolute rates (this machine is shared).
 *
 * Adding a case: put a file in scripts/bench/ whose name says the area (`sweep.ts`,
 * `report.ts`, `ingest.ts`, `cli-start.ts`, …) exporting
 *
 *   export async function section(): Promise<BenchSection> {
 *     const input = buildOnce();                                    // setup, not timed
 *     return {
 *       cases: [
 *         { name: 'sweep, 1 worker',  unit: 's', measure: () => timeSeconds(() => sweep(1)) },
 *         { name: 'sweep, 2 workers', unit: 's', measure: () => timeSeconds(() => sweep(2)) },
 *       ],
 *       ratios: [{ name: 'speed-up 2 workers / 1', numerator: 'sweep, 1 worker', denominator: 'sweep, 2 workers', atLeast: 1.6 }],
 *     };
 *   }
 *
 * `measure` returns one figure (a rate, a time, a byte count) and may be async. The runner calls
 * every case of a section once to warm up (unless `warmup: false`), then runs ROUNDS rounds, each
 * round measuring every case of the section in order — cases of one section are INTERLEAVED, so a
 * load spike hits both sides of a ratio. A ratio is computed per round (paired: numerator and
 * denominator of the same round), then summarised by min / median / max. A gate (`atLeast` /
 * `atMost`) is checked on the median ratio; any failed gate makes `npm run bench` exit 1.
 * Files still exporting the old `run(): Promise<BenchLine[]>` print as single-run rows.
 */

export const ROUNDS = 3;

export interface BenchCase {
  /** The row's label, unique within its section (ratios name cases by it). */
  name: string;
  /** Unit of the figure: 'events/s', 's', 'bytes/event', … */
  unit: string;
  /** One measurement. */
  measure: () => number | Promise<number>;
  /** Call once before the rounds (JIT, file cache). Default true. */
  warmup?: boolean;
}

export interface BenchRatio {
  name: string;
  /** Case names (same section); the ratio is numerator / denominator, per round. */
  numerator: string;
  denominator: string;
  /** Multiplies the ratio (e.g. 2 for "2 × one alone / each of two at once"). Default 1. */
  scale?: number;
  /** Gate on the median ratio. */
  atLeast?: number;
  atMost?: number;
}

/** A figure gated directly (e.g. bytes allocated per event must be 0): checked on the median. */
export interface BenchGate {
  caseName: string;
  atLeast?: number;
  atMost?: number;
}

export interface BenchSection {
  cases: BenchCase[];
  ratios?: BenchRatio[];
  gates?: BenchGate[];
  /** Called after the rounds (free memory, remove temp dirs). */
  teardown?: () => void | Promise<void>;
}

/** Old-style single figure (still accepted from files exporting `run()`). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
}

export interface BenchRow {
  section: string;
  name: string;
  unit: string;
  values: number[];
  /** 'pass' / 'FAIL' with its threshold, or '' when ungated. */
  gate: string;
  failed: boolean;
}

/** Wall time of `fn` in seconds. */
export async function timeSeconds(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Wall time of a synchronous `fn` in seconds (no promise in the timed path). */
export function timeSync(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * CPU seconds (user + system, every thread of the process) `fn` used: on a shared machine a case
 * that runs on one core measures its own work this way, not the time other processes took its
 * core (wall time under a load of 10 on 2 cores is mostly waiting). Use wall time (timeSync /
 * timeSeconds) for anything parallel or waiting on other processes (workers, CLI start).
 */
export function cpuSecondsSync(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Run `fn` once to warm up, then `runs` times; return the median wall time in seconds. */
export function medianSeconds(fn: () => void, runs = 5): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeSync(fn));
  return median(times);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Measure a section: warm-up, ROUNDS interleaved rounds, paired ratios, gates. */
export async function runSection(sectionName: string, section: BenchSection, rounds = ROUNDS): Promise<BenchRow[]> {
  for (const c of section.cases) if (c.warmup !== false) await c.measure();
  const values = new Map<string, number[]>(section.cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of section.cases) values.get(c.name)!.push(await c.measure());
  }
  const rows: BenchRow[] = section.cases.map((c) => {
    const gate = section.gates?.find((g) => g.caseName === c.name);
    return { section: sectionName, name: c.name, unit: c.unit, values: values.get(c.name)!, ...judge(values.get(c.name)!, gate) };
  });
  for (const ratio of section.ratios ?? []) {
    const num = values.get(ratio.numerator);
    const den = values.get(ratio.denominator);
    if (!num || !den) throw new Error(`bench ${sectionName}: ratio "${ratio.name}" names an unknown case`);
    const perRound = num.map((n, i) => ((ratio.scale ?? 1) * n) / den[i]);
    rows.push({ section: sectionName, name: ratio.name, unit: '×', values: perRound, ...judge(perRound, ratio) });
  }
  await section.teardown?.();
  return rows;
}

function judge(values: readonly number[], gate: { atLeast?: number; atMost?: number } | undefined): { gate: string; failed: boolean } {
  if (!gate || (gate.atLeast === undefined && gate.atMost === undefined)) return { gate: '', failed: false };
  const m = median(values);
  const okLow = gate.atLeast === undefined || m >= gate.atLeast;
  const okHigh = gate.atMost === undefined || m <= gate.atMost;
  const bound = [gate.atLeast !== undefined ? `≥ ${gate.atLeast}` : '', gate.atMost !== undefined ? `≤ ${gate.atMost}` : ''].filter(Boolean).join(' ');
  return { gate: `${okLow && okHigh ? 'pass' : 'FAIL'} (${bound})`, failed: !(okLow && okHigh) };
}

/** Old-style lines as rows (one value each). */
export function linesToRows(sectionName: string, lines: readonly BenchLine[]): BenchRow[] {
  return lines.map((l) => ({ section: sectionName, name: l.name, unit: l.unit, values: [l.value], gate: '', failed: false }));
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(4);
}

/** The one table: section, case, unit, min, median, max, gate. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['section', 'case', 'unit', 'min', 'median', 'max', 'runs', 'gate'];
  const body = rows.map((r) => {
    const sorted = [...r.values].sort((a, b) => a - b);
    const one = sorted.length === 1;
    return [r.section, r.name, r.unit, one ? '' : formatValue(sorted[0]), formatValue(median(sorted)), one ? '' : formatValue(sorted[sorted.length - 1]), String(sorted.length), r.gate];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Marks the line of a section's process that carries its rows (JSON) to the parent. */
export const ROWS_PREFIX = 'bench-rows ';

/** In the section's own process: measure it and hand the rows to the parent on stdout. */
export async function runSectionModule(name: string, mod: { section?: () => Promise<BenchSection>; run?: () => Promise<BenchLine[]> }): Promise<void> {
  let rows: BenchRow[] = [];
  if (mod.section) rows = await runSection(name, await mod.section());
  else if (mod.run) rows = linesToRows(name, await mod.run());
  process.stdout.write(`${ROWS_PREFIX}${JSON.stringify(rows)}\n`);
}
