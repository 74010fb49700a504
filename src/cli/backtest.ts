/**
 * `ladderlab backtest --config ladderlab.yaml --data DIR (--orders FILE | --orders N) --out DIR`:
 * replay the tapes in DIR through the simulator with the ladder engine, write the run directory
 * (records/children/fills/baseline .arrow + run.json, see src/records/write.ts) and print the
 * report's summary tables (src/reports/summary.ts): the same numbers `ladderlab report` prints.
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import type { LadderConfig } from '../config.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { dirTapeSource, runBacktest, type BacktestResult } from '../sim/backtest.ts';
import { ladderlabVersion, writeRunDir } from '../records/write.ts';
import type { MidAt } from '../reports/metrics.ts';
import { DEFAULT_REPLICATES, formatSummary, summaryTables } from '../reports/summary.ts';
import { tapeMidAt } from '../reports/tape-mids.ts';
import { InputError } from '../core/errors.ts';
import type { RobustnessScenario } from '../records/robustness.ts';
import { checkOutputDir } from './output-path.ts';
import { stderrBar } from './progress-bar.ts';
import { DEFAULT_STRESS_FILL_MODELS, DEFAULT_STRESS_LATENCY_MS, parseLatencyList, runRobustness, stressModels } from './robustness.ts';
import { resolveConfig, resolveOrders, resolveSymbolDays, selectionOptions, type SelectionArgs } from './run-inputs.ts';

interface BacktestArgs extends SelectionArgs {
  config?: string;
  data: string;
  orders: string;
  out: string;
  seed?: string;
  baseline: boolean;
  replicates: number;
  robustness: boolean;
  stressLatencyMs: string;
  stressFillModels: string | undefined;
}

const EPILOG = `Examples:
  ladderlab backtest --data data/sample --orders 200 --out out/run1
  ladderlab backtest --config ladderlab.yaml --data out/tape --orders orders.csv --out out/run2 --seed 7

--orders FILE: CSV with a header ts,symbol,side,qty (ts ISO 8601 UTC, e.g. 2024-03-05T15:00:00Z;
  optional client_order_id). --orders N: N random parents over the regular sessions of the data,
  both sides, sizes from the config's \`orders\` section, drawn from the seed.
Writes OUT/records.arrow (one row per parent), children.arrow, fills.arrow, baseline.arrow (the
same parents as market steps at arrival), robustness.arrow (ladder and baseline again under each
stress fill model × latency) and run.json; prints the headline (ladder − market order, paired
implementation shortfall with its 95 % interval) exactly as \`ladderlab report OUT\` shows it.`;

export const backtestCommand: CommandModule<object, BacktestArgs> = {
  command: 'backtest',
  describe: 'Replay tapes through the simulator with the ladder and write the run directory',
  builder: (y) =>
    selectionOptions(y)
      .option('config', { type: 'string', describe: 'YAML config (default ./ladderlab.yaml when present, else the defaults)' })
      .option('data', { type: 'string', demandOption: true, describe: 'tape directory: DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow' })
      .option('orders', { type: 'string', demandOption: true, describe: 'parent orders: a CSV file, or a number N to generate' })
      .option('out', { type: 'string', demandOption: true, describe: 'output run directory (created; files replaced atomically)' })
      .option('seed', { type: 'string', describe: 'override the config seed (generated orders, fill-model draws, sampled latency)' })
      .option('baseline', { type: 'boolean', default: true, describe: 'also run the market-order baseline (baseline.arrow); --no-baseline to skip' })
      .option('replicates', { type: 'number', default: DEFAULT_REPLICATES, describe: 'block-bootstrap replicates for the summary\'s 95 % intervals (as `ladderlab report`)' })
      .option('robustness', { type: 'boolean', default: true, describe: 're-run the same parents (ladder and baseline) under each stress fill model × latency (robustness.arrow); --no-robustness to skip' })
      .option('stress-latency-ms', { type: 'string', default: DEFAULT_STRESS_LATENCY_MS.join(','), describe: 'robustness: latencies on entry, cancel and response, ms' })
      .option('stress-fill-models', { type: 'string', describe: `robustness: fill models (through, touch, queue, intensity; default ${DEFAULT_STRESS_FILL_MODELS.join(',')} and the config's own)` })
      .epilog(EPILOG) as never,
  handler: (args) => {
    const started = process.hrtime.bigint();
    if (!Number.isInteger(args.replicates) || args.replicates < 1) throw new InputError(`--replicates ${args.replicates}: need a whole number ≥ 1 (the 95 % intervals need replicates)`);
    const latenciesMs = parseLatencyList(args.stressLatencyMs);
    const outDir = checkOutputDir('--out', args.out);
    const config = resolveConfig(args.config, args.seed);
    const grid = { fillModels: stressModels(args.stressFillModels, config.sim.fill_model), latenciesMs };
    const dataDir = resolve(args.data);
    const { selection, tapes } = resolveSymbolDays(dataDir, args);
    const source = dirTapeSource(dataDir);
    const { parents, ordersInfo } = resolveOrders(args.orders, config, tapes, selection);
    const ladderBar = stderrBar('ladder   [{bar}] {value}/{total} parents | {duration_formatted}');
    const result = runBacktest({ config, tapes: source, parents, onProgress: ladderBar.update });
    ladderBar.stop();
    let baseline: BacktestResult | undefined;
    if (args.baseline) {
      const baselineBar = stderrBar('baseline [{bar}] {value}/{total} parents | {duration_formatted}');
      baseline = runBacktest({ config, tapes: source, parents, marketOnly: true, onProgress: baselineBar.update });
      baselineBar.stop();
    }
    let robustness: RobustnessScenario[] | undefined;
    if (args.robustness && baseline) {
      const bar = stderrBar('robustness [{bar}] {value}/{total} fill model × latency runs | {duration_formatted}');
      robustness = runRobustness(config, source, parents, grid, (done, total) => bar.update(done, total));
      bar.stop();
    }
    writeRunDir(outDir, {
      records: result.records,
      baseline: baseline?.records,
      robustness,
      manifest: {
        ladderlab: ladderlabVersion(),
        command: 'backtest',
        dataDir,
        orders: ordersInfo,
        seed: config.seed,
        config,
        simulator: { symbolDaysLoaded: result.symbolDaysLoaded, ...result.market },
      },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = formatBacktestSummary(result.records, baseline?.records ?? null, config, {
      outDir,
      seconds,
      symbolDays: result.symbolDaysLoaded,
      midAt: tapeMidAt(dataDir),
      replicates: args.replicates,
      robustness: robustness ?? null,
    });
    process.stdout.write(summary);
  },
};

// ── summary ───────────────────────────────────────────────────────────────────────────────────

/**
 * The printed summary: the run line, then the report's own tables (src/reports/summary.ts, the
 * same functions, seed and replicates as `ladderlab report`), so both print the same numbers.
 */
export function formatBacktestSummary(
  records: readonly ExecutionRecord[],
  baseline: readonly ExecutionRecord[] | null,
  config: LadderConfig,
  info: { outDir: string; seconds: number; symbolDays: number; midAt: MidAt; replicates: number; robustness: RobustnessScenario[] | null },
): string {
  const buys = records.filter((r) => r.side === 'buy').length;
  const out: string[] = [
    `backtest: ${records.length} parents (${buys} buy, ${records.length - buys} sell) on ${info.symbolDays} symbol-days, fill model ${config.sim.fill_model}, seed ${config.seed} — ${info.seconds.toFixed(2)} s`,
    `wrote ${info.outDir}/{records,children,fills${baseline ? ',baseline' : ''}${info.robustness ? ',robustness' : ''}}.arrow, run.json — next: ladderlab report ${info.outDir}`,
    '',
  ];
  out.push(...formatSummary(summaryTables({ records, baseline, config, midAt: info.midAt, replicates: info.replicates, seed: config.seed, robustness: info.robustness })));
  const reasons = new Map<string, number>();
  for (const r of records) {
    if (r.status === 'filled') continue;
    const key = `${r.status} ${r.reason ?? '(no reason)'}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  if (reasons.size > 0) {
    const sorted = [...reasons].sort((a, b) => a[0].split(' ')[0].localeCompare(b[0].split(' ')[0]) || b[1] - a[1]);
    out.push('', `not completely filled: ${sorted.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
