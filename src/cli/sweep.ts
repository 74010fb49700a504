/**
 * `ladderlab sweep --config … --data DIR --orders N|FILE --grid key=v1,v2 [--grid …] --out DIR`:
 * run the cartesian grid over any config keys on the same parents (common random numbers) in
 * worker threads; write OUT/sweep.arrow + sweep.json (and OUT/cells.jsonl for --resume); print the
 * ranked cells with their out-of-sample paired differences from the baseline.
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.ts';
import { parseGridAxis } from '../sweep/grid.ts';
import { WORKER_KINDS, type WorkerKind } from '../sweep/pool.ts';
import { DEFAULT_QUEUE_BATCH, DEFAULT_QUEUE_NAME, parseQueueUrl } from '../sweep/queue.ts';
import { DEFAULT_WORKER_KIND, defaultWorkers, runSweep, type SweepSummary } from '../sweep/sweep.ts';
import { stderrBar } from './progress-bar.ts';
import { resolveConfig, resolveOrders, resolveSymbolDays, selectionOptions, type SelectionArgs } from './run-inputs.ts';

interface SweepArgs extends SelectionArgs {
  config?: string;
  data: string;
  orders: string;
  grid: string[];
  out: string;
  workers?: number;
  'worker-kind': WorkerKind;
  queue?: string;
  'queue-name': string;
  'queue-batch': number;
  resume: boolean;
  baseline: string[];
  replicates: number;
  seed?: string;
}

const EPILOG = `Examples:
  ladderlab sweep --data data/sample --orders 200 --out out/sweep \\
    --grid execution.step_percentage=5,10,15 --grid execution.step_timeout_buy=5,15,30 --grid execution.progressive_steps=2,4
  ladderlab sweep ... --resume          # skip cells already finished in OUT/cells.jsonl
  ladderlab sweep ... --queue redis://HOST:6379   # run the cells on \`ladderlab worker\` machines
  ladderlab sweep ... --queue redis://HOST:6379 --queue-batch 64   # 64 cells per job (few parents per day)

Every cell runs the SAME parents with the same seed; order-path risk checks (duplicates, position)
are decided once on the order list first. Cells are ranked on even-numbered parents by the mean
paired shortfall difference from the baseline (default: the config as given, i.e. the seed
defaults) and reported on odd-numbered parents, with a 95 % block-bootstrap interval.`;

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'Run a parameter grid on the same parents and rank the ladders out of sample',
  builder: (y) =>
    selectionOptions(y)
      .option('config', { type: 'string', describe: 'YAML config (default ./ladderlab.yaml when present, else the defaults)' })
      .option('data', { type: 'string', demandOption: true, describe: 'tape directory' })
      .option('orders', { type: 'string', demandOption: true, describe: 'parent orders: a CSV file, or a number N to generate' })
      .option('grid', { type: 'string', array: true, demandOption: true, describe: 'an axis: dotted.config.key=v1,v2,… (repeat for more axes)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory' })
      .option('workers', { type: 'number', describe: `workers (default: one per core, ${defaultWorkers()} here)` })
      .option('worker-kind', { choices: WORKER_KINDS, default: DEFAULT_WORKER_KIND, describe: 'run the workers as child processes or worker threads' })
      .option('queue', { type: 'string', describe: 'redis://HOST:PORT: run the cells on BullMQ workers (`ladderlab worker`) instead of locally' })
      .option('queue-name', { type: 'string', default: DEFAULT_QUEUE_NAME, describe: 'BullMQ queue name (the workers must use the same)' })
      .option('queue-batch', { type: 'number', default: DEFAULT_QUEUE_BATCH, describe: 'cells per queue job (× one symbol-day): aim for ≳ 20–50 ms of work per job; raise it when a symbol-day has few parents' })
      .option('resume', { type: 'boolean', default: false, describe: 'skip cells already finished in OUT/cells.jsonl' })
      .option('baseline', { type: 'string', array: true, default: [], describe: 'baseline cell as key=value (repeatable); default the config as given' })
      .option('replicates', { type: 'number', default: 1000, describe: 'bootstrap replicates for the intervals' })
      .option('seed', { type: 'string', describe: 'override the config seed' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    const config = resolveConfig(args.config, args.seed);
    const dataDir = resolve(args.data);
    const { selection, tapes } = resolveSymbolDays(dataDir, args);
    const workers = args.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new InputError(`--workers ${args.workers}: need a whole number ≥ 1`);
    if (!Number.isInteger(args.replicates) || args.replicates < 0) throw new InputError(`--replicates ${args.replicates}: need a whole number ≥ 0`);
    const axes = args.grid.map(parseGridAxis);
    const baseline: Record<string, string | number | boolean> = {};
    for (const flag of args.baseline) {
      const axis = parseGridAxis(flag);
      if (axis.values.length !== 1) throw new InputError(`--baseline ${flag}: one value per key`);
      baseline[axis.key] = axis.values[0];
    }
    const { parents, ordersInfo } = resolveOrders(args.orders, config, tapes, selection);
    const batchSize = args['queue-batch'];
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`--queue-batch ${batchSize}: need a whole number of cells ≥ 1`);
    const queue = args.queue === undefined ? undefined : { url: parseQueueUrl(args.queue), name: args['queue-name'], batchSize };
    const bar = stderrBar(`sweep [{bar}] {value}/{total} ${queue ? `queue jobs (≤ ${batchSize} cells × symbol-day)` : 'cells'} | elapsed {duration_formatted} | eta {eta_formatted}`);
    const summary = await runSweep({
      baseRaw: structuredClone(config) as unknown as Record<string, unknown>,
      dataDir,
      parents,
      ordersSource: JSON.stringify(ordersInfo),
      axes,
      baseline,
      outDir: resolve(args.out),
      workers,
      workerKind: args['worker-kind'],
      resume: args.resume,
      replicates: args.replicates,
      queue,
      onJobs: (done, total) => bar.update(done, total),
      onProgress: (done, total) => (queue ? undefined : bar.update(done, total)),
    });
    bar.stop();
    process.stdout.write(formatSweepSummary(summary));
  },
};

const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function formatSweepSummary(s: SweepSummary): string {
  const lines: string[] = [];
  lines.push(`sweep: ${s.rows.length} cells × ${s.parents} parents (${s.cellsRun} run, ${s.cellsResumed} resumed; ${s.prescreenRejected.length} parents removed by the order-list risk checks)`);
  lines.push('ranked on even-numbered parents; figures from odd-numbered parents (out of sample); Δ = shortfall − baseline, bps, negative is cheaper');
  lines.push(`${'rank'.padStart(4)}  ${'Δ shortfall [95 % CI]'.padEnd(26)} ${'shortfall'.padStart(9)} ${'med ttf s'.padStart(9)} ${'fill'.padStart(6)}  pareto  cell`);
  for (const r of [...s.rows].sort((a, b) => a.rank - b.rank)) {
    const ci = `${f(r.diffOddBps)} [${f(r.diffOddLoBps)}, ${f(r.diffOddHiBps)}]`;
    lines.push(
      `${String(r.rank).padStart(4)}  ${ci.padEnd(26)} ${f(r.shortfallOddBps).padStart(9)} ${f(r.medianTimeToFillOddS, 1).padStart(9)} ${f(100 * r.fillRate, 0).padStart(5)}%  ${r.pareto ? '  *   ' : '      '}  ${r.id}`,
    );
  }
  const best = s.rows.find((r) => r.rank === 1);
  if (best) {
    lines.push(`best cell: ${best.id} — out of sample ${f(best.diffOddBps)} bps vs the baseline (95 % CI ${f(best.diffOddLoBps)} to ${f(best.diffOddHiBps)})`);
  }
  const t = s.timings;
  if (Number.isFinite(t.queueS)) lines.push(`queue: cells run by the queue's workers in ${f(t.queueS)} s (${s.queueJobs} jobs)`);
  // CPU over wall: the cores the cell phase kept busy (worker threads plus the JIT's and GC's helper threads)
  const cpu = Number.isFinite(t.cellPhaseCpuS) ? ` on ${f(t.cellPhaseCpuS)} CPU-s (${f(t.cellPhaseCpuS / t.cellPhaseS)} cores)` : '';
  lines.push(`time: workers ready ${f(t.workersReadyS)} s, cells (run and analyzed) ${f(t.cellPhaseS)} s${cpu}, total ${f(t.totalS)} s`);
  lines.push(`wrote ${s.files['sweep.arrow']}`);
  return `${lines.join('\n')}\n`;
}
