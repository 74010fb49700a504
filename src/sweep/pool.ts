/**
 * A fixed pool of worker threads running sweep cells. Each worker loads the tapes and the parent
 * list once (`init`), then runs cells one at a time; the pool hands the next cell to whichever
 * worker finishes first. Results are keyed by cell index, so their order never depends on timing.
 */
import { Worker } from 'node:worker_threads';
import type { CellJob, CellOutcome, WorkerInit, WorkerReply } from './protocol.ts';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

export interface PoolOptions {
  workers: number;
  init: WorkerInit;
  onResult: (outcome: CellOutcome) => void;
}

export async function runCellsInPool(jobs: readonly CellJob[], options: PoolOptions): Promise<void> {
  if (jobs.length === 0) return;
  const count = Math.max(1, Math.min(options.workers, jobs.length));
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const feed = (worker: Worker) => {
        if (failed) return;
        if (next >= jobs.length) {
          if (--running === 0) resolve();
          return;
        }
        worker.postMessage({ type: 'cell', job: jobs[next++] });
      };
      for (let i = 0; i < count; i++) {
        const worker = new Worker(BOOTSTRAP, { workerData: options.init });
        workers.push(worker);
        running++;
        worker.on('message', (reply: WorkerReply) => {
          if (reply.type === 'ready') return feed(worker);
          if (reply.type === 'error') return fail(new Error(reply.message));
          options.onResult(reply.outcome);
          feed(worker);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`sweep worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
