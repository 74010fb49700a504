/**
 * `ladderlab live --config ladderlab.yaml --orders FILE --out DIR [--live-money] [--speed N]`:
 * run the parent orders through the ladder on Alpaca (paper by default) with the same engine and
 * config as `backtest`, and write the same run directory plus the tape of what was seen
 * (src/live/run.ts). Keys only from APCA_API_KEY_ID / APCA_API_SECRET_KEY; every line printed
 * passes through the Redactor, so neither ever appears in output, errors or files.
 * Exit codes: 0 done, 1 failure (records written when the run had started), 2 bad input,
 * 130 interrupted by Ctrl-C (children canceled, partial records written).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { defaultConfig, loadConfig, type LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { sdkTradingRest } from '../live/alpaca-api.ts';
import { keysFromEnv, resolveEndpoints, type Keys } from '../live/endpoints.ts';
import { JOURNAL_FILE, journalUnfinished, LIVE_PID_FILE, readJournal } from '../live/journal.ts';
import { planResume, type ResumePlan } from '../live/resume.ts';
import { Redactor } from '../live/redact.ts';
import { runLive } from '../live/run.ts';
import { readParentOrdersCsv } from '../data/orders.ts';
import { implementationShortfallBps } from '../reports/metrics.ts';
import { tapeMidAt } from '../reports/tape-mids.ts';

interface LiveArgs {
  config?: string;
  orders?: string;
  out?: string;
  resume?: string;
  liveMoney: boolean;
  speed?: number;
}

const EPILOG = `Examples:
  APCA_API_KEY_ID=PK... APCA_API_SECRET_KEY=... ladderlab live --orders orders.csv --out out/live1
  ladderlab live --config rehearsal.yaml --orders orders.csv --out out/rehearsal --speed 50   (against ladderlab serve)

--orders FILE: CSV ts,symbol,side,qty[,client_order_id] (ts ISO 8601 UTC); each parent starts at
  its ts (at once when already past). Paper trading unless --live-money AND live keys (AK...).
Writes OUT/records.arrow, children.arrow, fills.arrow, run.json (as backtest), OUT/tape/ (the
quotes and trades seen) and OUT/orders.csv (the arrivals as run): then
  ladderlab report OUT      ladderlab backtest --data OUT/tape --orders OUT/orders.csv --out OUT2
Ctrl-C, SIGTERM or \`ladderlab kill OUT\` cancels the working children and writes the partial run
(exit 130); Ctrl-C twice exits at once. Every decision and venue event goes to OUT/journal.ndjson
(fsync'd) first: after a crash or a stop, \`ladderlab live --resume OUT\` finishes the run without
sending any parent twice (a directory with an unfinished journal is refused without --resume).`;

export const liveCommand: CommandModule<object, LiveArgs> = {
  command: 'live',
  describe: 'Run parent orders through the ladder on Alpaca (paper by default) and write the run directory',
  builder: (y) =>
    y
      .option('config', { type: 'string', describe: 'YAML config (default ./ladderlab.yaml when present, else the defaults); see its live: section' })
      .option('orders', { type: 'string', describe: 'parent orders CSV: ts,symbol,side,qty[,client_order_id] (not with --resume)' })
      .option('out', { type: 'string', describe: 'output run directory (created; files replaced atomically)' })
      .option('resume', { type: 'string', describe: 'RUN_DIR: continue a crashed or stopped run from its journal (its orders; writes into RUN_DIR)' })
      .check((a) => {
        if (a.resume !== undefined && (a.orders !== undefined || a.out !== undefined)) throw new InputError('--resume RUN_DIR takes neither --orders nor --out (the run directory has both)');
        if (a.resume === undefined && (a.orders === undefined || a.out === undefined)) throw new InputError('live needs --orders FILE and --out DIR (or --resume RUN_DIR)');
        return true;
      })
      .option('live-money', { type: 'boolean', default: false, describe: 'trade REAL money (needs live keys, AK...); otherwise paper' })
      .option('speed', { type: 'number', describe: 'override live.speed (≠ 1 only against a loopback server such as ladderlab serve)' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    // Keys first, so every message after this point can be redacted.
    const keys = keysFromEnv();
    const redact = new Redactor(keys);
    const err = (line: string) => process.stderr.write(`${redact.text(line)}\n`);
    try {
      const config = resolveConfig(args.config, args.speed);
      const outDir = args.resume ?? args.out!;
      const resume = args.resume !== undefined ? await planFromDir(args.resume, config, keys, err) : undefined;
      if (!resume && !existsSync(args.orders!)) throw new InputError(`--orders ${args.orders}: no such file (live takes a CSV of parent orders)`);
      const parents = resume ? [] : readParentOrdersCsv(args.orders!);
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts > 1) {
          err('live: second Ctrl-C — exiting now (children may still be working: check the account)');
          process.exit(130);
        }
        controller.abort();
      };
      const onCrash = (e: unknown) => {
        err(`live: unexpected error: ${redact.error(e)}`);
        process.exitCode = 1;
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      const pidFile = writePidFile(outDir);
      process.on('uncaughtException', onCrash);
      process.on('unhandledRejection', onCrash);
      if (args.liveMoney) err('live: --live-money: REAL orders with REAL money will be sent (confirm the account below)');
      try {
        const result = await runLive({
          config,
          parents,
          resume,
          outDir,
          keys,
          liveMoney: args.liveMoney,
          signal: controller.signal,
          log: err,
          ordersInfo: resume ? { source: 'resume', count: resume.parents.length } : { source: 'file', path: resolve(args.orders!), count: parents.length },
        });
        process.stdout.write(redact.text(formatLiveSummary(result.records, resolve(outDir), result)));
        if (result.error !== null) {
          err(`live: stopped by an error: ${redact.error(result.error)}`);
          process.exitCode = 1;
        } else if (result.interrupted) {
          process.exitCode = 130;
        }
      } finally {
        rmSync(pidFile, { force: true });
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        process.off('uncaughtException', onCrash);
        process.off('unhandledRejection', onCrash);
      }
    } catch (e) {
      if (e instanceof InputError) throw new InputError(redact.text(e.message));
      err(`ladderlab: live: ${redact.error(e)}`);
      process.exitCode = 1;
    }
  },
};

/** OUT/live.pid: how `ladderlab kill OUT` finds this process. */
function writePidFile(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, LIVE_PID_FILE);
  writeFileSync(path, `${process.pid}\n`);
  return path;
}

/** --resume: the journal and the venue's own order list (keys from the environment, as any run). */
async function planFromDir(dir: string, config: LadderConfig, keys: Keys, log: (line: string) => void): Promise<ResumePlan> {
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(path)) throw new InputError(`--resume ${dir}: no ${JOURNAL_FILE} there (not a live run directory)`);
  if (!journalUnfinished(path)) throw new InputError(`--resume ${dir}: that run finished; nothing to resume`);
  const live = config.live;
  const endpoints = resolveEndpoints(live, keys, { liveMoney: false });
  const rest = sdkTradingRest({ endpoints, keys, feed: live.feed, requestTimeoutMs: live.request_timeout_ms, reconnectAttempts: 0, reconnectMs: live.stream_reconnect_ms });
  const retry = { attempts: live.retry.attempts, minDelayMs: live.retry.min_delay_ms, maxDelayMs: live.retry.max_delay_ms };
  return planResume(readJournal(path), rest, { retry, waitMs: live.shutdown_wait_ms, log });
}

function resolveConfig(path: string | undefined, speed: number | undefined): LadderConfig {
  const config = path !== undefined ? loadConfig(path) : existsSync('ladderlab.yaml') ? loadConfig('ladderlab.yaml') : defaultConfig();
  if (speed !== undefined) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new InputError(`--speed ${speed}: expected a number > 0`);
    config.live.speed = speed;
  }
  return config;
}

/** Counts by status and side, mean implementation shortfall (the unfilled rest at the recorded tape's mid), where the run went. */
export function formatLiveSummary(
  records: readonly ExecutionRecord[],
  outDir: string,
  info: { interrupted: boolean; notStarted: readonly string[]; unconfirmed: readonly string[]; runTag: string },
): string {
  const lines: string[] = [];
  const count = (status: string, side?: string) => records.filter((r) => r.status === status && (side === undefined || r.side === side)).length;
  lines.push(
    `live${info.interrupted ? ' (interrupted)' : ''}: ${records.length} parents — filled ${count('filled')}, partial ${count('partial')}, unfilled ${count('unfilled')}, rejected ${count('rejected')}` +
      (info.notStarted.length > 0 ? `; not started ${info.notStarted.length}` : ''),
  );
  for (const side of ['buy', 'sell'] as const) {
    const mine = records.filter((r) => r.side === side);
    if (mine.length === 0) continue;
    const midAt = tapeMidAt(join(outDir, 'tape'));
    const shortfalls = mine.map((r) => implementationShortfallBps(r, midAt)).filter((x) => Number.isFinite(x));
    const mean = shortfalls.length > 0 ? shortfalls.reduce((a, b) => a + b, 0) / shortfalls.length : null;
    lines.push(`  ${side}: ${mine.length} parents, ${count('filled', side)} filled, mean implementation shortfall ${mean === null ? '—' : `${mean.toFixed(2)} bps`}`);
  }
  if (info.unconfirmed.length > 0) lines.push(`  warning: cancels not confirmed for ${info.unconfirmed.join(', ')}`);
  lines.push(`wrote ${outDir}/{records,children,fills}.arrow, run.json, orders.csv, tape/ (client ids ${info.runTag}) — next: ladderlab report ${outDir}`);
  return `${lines.join('\n')}\n`;
}
