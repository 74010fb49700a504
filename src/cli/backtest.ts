/**
 * `ladderlab backtest --config ladderlab.yaml --data DIR (--orders FILE | --orders N) --out DIR`:
 * replay the tapes in DIR through the simulator with the ladder engine, write the run directory
 * (records/children/fills/baseline .arrow + run.json, see src/sim/records-io.ts) and print the
 * fill rate per step, mean shortfall and improvement, median and p90 time to fill, by side.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as aq from 'arquero';
import type { CommandModule } from 'yargs';
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { dirTapeSource, runBacktest, type BacktestResult } from '../sim/backtest.ts';
import { ladderlabVersion, parentMetrics, writeRunDir } from '../records/write.ts';
import { stderrBar } from './progress-bar.ts';
import { resolveConfig, resolveOrders } from './run-inputs.ts';

interface BacktestArgs {
  config?: string;
  data: string;
  orders: string;
  out: string;
  seed?: string;
  baseline: boolean;
}

const EPILOG = `Examples:
  ladderlab backtest --data data/sample --orders 200 --out out/run1
  ladderlab backtest --config ladderlab.yaml --data out/tape --orders orders.csv --out out/run2 --seed 7

--orders FILE: CSV with a header ts,symbol,side,qty (ts ISO 8601 UTC, e.g. 2024-03-05T15:00:00Z;
  optional client_order_id). --orders N: N random parents over the regular sessions of the data,
  both sides, sizes from the config's \`orders\` section, drawn from the seed.
Writes OUT/records.arrow (one row per parent), children.arrow, fills.arrow, baseline.arrow (the
same parents as market steps at arrival) and run.json; then \`ladderlab report OUT\`.`;

export const backtestCommand: CommandModule<object, BacktestArgs> = {
  command: 'backtest',
  describe: 'Replay tapes through the simulator with the ladder and write the run directory',
  builder: (y) =>
    y
      .option('config', { type: 'string', describe: 'YAML config (default ./ladderlab.yaml when present, else the defaults)' })
      .option('data', { type: 'string', demandOption: true, describe: 'tape directory: DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow' })
      .option('orders', { type: 'string', demandOption: true, describe: 'parent orders: a CSV file, or a number N to generate' })
      .option('out', { type: 'string', demandOption: true, describe: 'output run directory (created; files replaced atomically)' })
      .option('seed', { type: 'string', describe: 'override the config seed (generated orders, fill-model draws, sampled latency)' })
      .option('baseline', { type: 'boolean', default: true, describe: 'also run the market-order baseline (baseline.arrow); --no-baseline to skip' })
      .epilog(EPILOG) as never,
  handler: (args) => {
    const started = process.hrtime.bigint();
    const config = resolveConfig(args.config, args.seed);
    const dataDir = resolve(args.data);
    if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new InputError(`--data ${args.data}: not a directory`);
    const source = dirTapeSource(dataDir);
    const tapes = source.list();
    if (tapes.length === 0) throw new InputError(`--data ${args.data}: no tapes (expected ${args.data}/<SYMBOL>/<YYYY-MM-DD>.quotes.arrow and .trades.arrow)`);

    const { parents, ordersInfo } = resolveOrders(args.orders, config, tapes);
    const ladderBar = stderrBar('ladder   [{bar}] {value}/{total} parents | eta {eta}s');
    const result = runBacktest({ config, tapes: source, parents, onProgress: ladderBar.update });
    ladderBar.stop();
    let baseline: BacktestResult | undefined;
    if (args.baseline) {
      const baselineBar = stderrBar('baseline [{bar}] {value}/{total} parents | eta {eta}s');
      baseline = runBacktest({ config, tapes: source, parents, marketOnly: true, onProgress: baselineBar.update });
      baselineBar.stop();
    }
    const outDir = resolve(args.out);
    writeRunDir(outDir, {
      records: result.records,
      baseline: baseline?.records,
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
    process.stdout.write(formatBacktestSummary(result.records, config, { outDir, seconds, symbolDays: result.symbolDaysLoaded }));
  },
};

// ── summary ───────────────────────────────────────────────────────────────────────────────────

interface SummaryRow {
  side: string;
  status: string;
  reason: string | null;
  accepted: number;
  complete: number;
  fillStep: number;
  shortfallBps: number | null;
  improvementBps: number | null;
  timeToFillS: number | null;
}

function summaryRows(records: readonly ExecutionRecord[]): SummaryRow[] {
  return records.map((r) => {
    const m = parentMetrics(r);
    const complete = r.status === 'filled';
    return {
      side: r.side,
      status: r.status,
      reason: r.reason,
      accepted: r.status === 'rejected' ? 0 : 1,
      complete: complete ? 1 : 0,
      fillStep: complete ? r.fillStep : -1,
      shortfallBps: m.shortfallBps,
      improvementBps: m.improvementFarTouchBps,
      timeToFillS: complete && Number.isFinite(r.timeToFillUs) ? r.timeToFillUs / 1e6 : null,
    };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

/**
 * The printed summary, by side:
 *   fill rate at step k = #(accepted parents completely filled whose last fill came at step k) / #accepted
 *   (cumulative: steps ≤ k); shortfall and improvement: means over parents with any fill (bps);
 *   time to fill: median and p90 over completely filled parents (seconds).
 */
export function formatBacktestSummary(
  records: readonly ExecutionRecord[],
  config: LadderConfig,
  info: { outDir: string; seconds: number; symbolDays: number },
): string {
  const steps = config.execution.progressive_steps;
  const rows = summaryRows(records);
  const table = aq.from(rows);
  const bySide = table
    .groupby('side')
    .rollup({
      parents: aq.op.count(),
      accepted: (d: { accepted: number }) => aq.op.sum(d.accepted),
      complete: (d: { complete: number }) => aq.op.sum(d.complete),
      shortfall: (d: { shortfallBps: number }) => aq.op.mean(d.shortfallBps),
      improvement: (d: { improvementBps: number }) => aq.op.mean(d.improvementBps),
      ttfMedian: (d: { timeToFillS: number }) => aq.op.median(d.timeToFillS),
      ttfP90: (d: { timeToFillS: number }) => aq.op.quantile(d.timeToFillS, 0.9),
    })
    .orderby('side')
    .objects() as { side: string; parents: number; accepted: number; complete: number; shortfall: number | null; improvement: number | null; ttfMedian: number | null; ttfP90: number | null }[];
  const stepCounts = table
    .filter((d: { fillStep: number }) => d.fillStep >= 0)
    .groupby('side', 'fillStep')
    .count()
    .objects() as { side: string; fillStep: number; count: number }[];
  const reasons = table
    .filter((d: { status: string }) => d.status !== 'filled')
    .groupby('status', 'reason')
    .count()
    .orderby('status', aq.desc('count'))
    .objects() as { status: string; reason: string | null; count: number }[];

  const out: string[] = [];
  const buys = bySide.find((s) => s.side === 'buy')?.parents ?? 0;
  const sells = bySide.find((s) => s.side === 'sell')?.parents ?? 0;
  out.push(
    `backtest: ${records.length} parents (${buys} buy, ${sells} sell) on ${info.symbolDays} symbol-days, fill model ${config.sim.fill_model}, seed ${config.seed} — ${info.seconds.toFixed(2)} s`,
  );
  out.push(`wrote ${info.outDir}/{records,children,fills}.arrow, run.json — next: ladderlab report ${info.outDir}`, '');

  const stepNames = [...Array.from({ length: steps }, (_, k) => `step ${k}`), 'market'];
  out.push('fill rate by step (share of accepted parents completely filled at that step; cumulative in brackets)');
  const header = ['side', 'accepted', ...stepNames, 'filled'];
  const lines: string[][] = [header];
  for (const s of bySide) {
    let cumulative = 0;
    const cells = stepNames.map((_, k) => {
      const n = stepCounts.find((c) => c.side === s.side && c.fillStep === k)?.count ?? 0;
      cumulative += n;
      return s.accepted > 0 ? `${pct(n / s.accepted)} (${pct(cumulative / s.accepted)})` : '—';
    });
    lines.push([s.side, String(s.accepted), ...cells, s.accepted > 0 ? pct(s.complete / s.accepted) : '—']);
  }
  out.push(...formatColumns(lines), '');

  out.push('execution quality (shortfall and improvement: mean over parents with fills, bps; time to fill: completely filled, s)');
  const quality: string[][] = [['side', 'filled', 'shortfall bps', 'improvement vs far touch bps', 'time to fill median s', 'p90 s']];
  for (const s of bySide) quality.push([s.side, String(s.complete), num(s.shortfall), num(s.improvement), num(s.ttfMedian, 1), num(s.ttfP90, 1)]);
  out.push(...formatColumns(quality));
  if (reasons.length > 0) {
    out.push('', `not completely filled: ${reasons.map((r) => `${r.status} ${r.reason ?? '(no reason)'} ${r.count}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

function formatColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
}
