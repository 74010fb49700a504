/**
 * A sweep worker, as a thread or a child process (the pool picks): waits for `init`, loads each
 * tape once, runs the cells it is sent and, once it knows the baseline, analyzes each cell it
 * runs (the bootstrap interval is most of a cell's cost after the replay, so it runs here in
 * parallel rather than serially on the main thread).
 */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../core/errors.ts';
import { dirTapeSource, type TapeSource } from '../sim/backtest.ts';
import { analyzeCell } from './analysis.ts';
import { cachingTapeSource, runCell } from './cell.ts';
import type { CellJob, CellOutcome, WorkerInit, WorkerReply, WorkerRequest } from './protocol.ts';

// A process whose pool already went away drops its reply (the callback swallows EPIPE) and exits on 'disconnect'.
const send: (message: WorkerReply) => void = parentPort
  ? (m) => parentPort!.postMessage(m)
  : (m) => {
      if (process.connected) process.send!(m, undefined, undefined, () => undefined);
    };
let init: WorkerInit | null = null;
let tapes: TapeSource | null = null;
let baseline: CellOutcome | null = null;

function analyze(job: CellJob, outcome: CellOutcome) {
  const options = { seed: init!.seed, replicates: init!.replicates, arrivalMinute: init!.arrivalMinute, sides: init!.parents.map((p) => p.side) };
  return analyzeCell(outcome, job.assignments, baseline!, options, job.config.execution.progressive_steps);
}

function handle(message: WorkerRequest): void {
  try {
    switch (message.type) {
      case 'init':
        init = message.init;
        tapes = cachingTapeSource(dirTapeSource(init.dataDir));
        return send({ type: 'ready' });
      case 'baseline':
        baseline = message.outcome;
        return;
      case 'cell': {
        const outcome = runCell(message.job, init!.parents, tapes!);
        return send({ type: 'result', outcome, row: baseline ? analyze(message.job, outcome) : null });
      }
      case 'analyze':
        return send({ type: 'row', row: analyze(message.job, message.outcome) });
    }
  } catch (err) {
    const what = 'job' in message ? `cell ${message.job.id}` : message.type;
    // A bad tape is the user's mistake: its message names the file, and no stack trace goes with it.
    const badInput = err instanceof InputError;
    send({ type: 'error', message: `${what}: ${badInput ? err.message : ((err as Error).stack ?? String(err))}`, badInput });
  }
}

if (parentPort) parentPort.on('message', handle);
else {
  process.on('message', (m) => handle(m as WorkerRequest));
  // The pool went away (crash, kill): do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
}
