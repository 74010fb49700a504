/**
 * An observed run for the fidelity loop: a run directory (from `ladderlab live`, or a backtest used
 * as a stand-in or a self-check) with the tape it saw. Bad input is an InputError (exit 2) naming
 * what is missing: not a run directory, no tape, or — for calibrate — a field older run
 * directories do not record.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { listTapes } from '../data/tape/tape.ts';
import { loadRun, type RunData } from '../records/read.ts';

export interface ObservedRun extends RunData {
  /** The tape the run saw (absolute). */
  tapeDir: string;
  /** run.json `command`: 'live', or 'backtest' for a stand-in. */
  command: string;
}

export function loadObservedRun(runDir: string): ObservedRun {
  const dir = resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${runDir}: not a directory`);
  for (const name of ['run.json', 'records.arrow', 'children.arrow', 'fills.arrow']) {
    if (!existsSync(join(dir, name))) throw new InputError(`${join(dir, name)}: missing — ${runDir} is not a run directory (written by ladderlab live or backtest)`);
  }
  const run = loadRun(dir);
  const command = typeof run.runInfo.command === 'string' ? run.runInfo.command : 'unknown';
  if (command !== 'live' && command !== 'backtest') {
    throw new InputError(`${join(dir, 'run.json')}: field "command" is ${JSON.stringify(run.runInfo.command)}; expected a live run directory (or a backtest one)`);
  }
  if (run.dataDir === null) throw new InputError(`${join(dir, 'run.json')}: field "dataDir" is missing: the run names no tape (a live run needs live.record_tape: true)`);
  if (!existsSync(run.dataDir) || !statSync(run.dataDir).isDirectory()) {
    throw new InputError(`${join(dir, 'run.json')}: field "dataDir": tape directory ${run.dataDir} does not exist`);
  }
  if (listTapes(run.dataDir).length === 0) throw new InputError(`${run.dataDir}: no tapes (expected <SYMBOL>/<YYYY-MM-DD>.quotes.arrow) — the run's tape is missing`);
  return { ...run, tapeDir: run.dataDir, command };
}

/** Calibrate needs the receipt times; name the first missing one (file, row, field). */
export function requireReceiptTimes(run: ObservedRun): void {
  for (const r of run.records) {
    for (const c of r.children) {
      if (c.ackTsUs !== null && c.ackRecvTsUs === undefined) {
        throw new InputError(
          `${join(run.runDir, 'children.arrow')}: field "ack_recv_ts" is missing (child ${c.clientOrderId}): this run directory predates receipt times — record it again with this version of ladderlab`,
        );
      }
      for (const f of c.fills) {
        if (f.recvTsUs === undefined) {
          throw new InputError(`${join(run.runDir, 'fills.arrow')}: field "recv_ts" is missing (fill ${f.execId}): this run directory predates receipt times — record it again with this version of ladderlab`);
        }
      }
    }
  }
}

/** The parents as they arrived (what a re-simulation hands the engine). */
export function parentsOf(records: readonly ExecutionRecord[]) {
  return records.map((r) => ({ clientOrderId: r.clientOrderId, symbol: r.symbol, side: r.side, qty: r.qty, arrivalTsUs: r.arrivalTsUs }));
}
