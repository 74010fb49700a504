/** A sweep worker thread: loads tapes once, then runs the cells the pool sends. */
import { parentPort, workerData } from 'node:worker_threads';
import { dirTapeSource } from '../sim/backtest.ts';
import { cachingTapeSource, runCell } from './cell.ts';
import type { CellJob, WorkerInit, WorkerReply } from './protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const tapes = cachingTapeSource(dirTapeSource(init.dataDir));
const reply = (message: WorkerReply) => port.postMessage(message);

port.on('message', (message: { type: 'cell'; job: CellJob }) => {
  try {
    reply({ type: 'result', outcome: runCell(message.job, init.parents, tapes) });
  } catch (err) {
    reply({ type: 'error', message: `cell ${message.job.id}: ${(err as Error).stack ?? String(err)}` });
  }
});
reply({ type: 'ready' });
