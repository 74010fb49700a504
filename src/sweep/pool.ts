/**
 * A fixed pool of sweep workers — worker threads (the default: measured faster here, see
 * README "Sweeps") or child processes. Each worker gets the parents once (`init`), then runs
 * whatever task is next: analyses first (they unblock results), then cells. Each worker holds
 * IN_FLIGHT tasks, so it starts its next cell while the main thread takes in the last one's
 * result (one at a time, a worker idled for every round trip). Tasks are promises, so the caller
 * decides what depends on what; results never depend on timing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../core/errors.ts';
import type { SweepRow } from '../records/sweep-results.ts';
import type { CellJob, CellOutcome, WorkerInit, WorkerReply, WorkerRequest } from './protocol.ts';

export type WorkerKind = 'process' | 'thread';
export const WORKER_KINDS: readonly WorkerKind[] = ['process', 'thread'];

export interface PoolOptions {
  workers: number;
  kind: WorkerKind;
  init: WorkerInit;
}

interface Task {
  request: WorkerRequest;
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
}

interface Slot {
  post: (message: WorkerRequest) => void;
  stop: () => Promise<void>;
  /** Sent and not answered yet, oldest first (a worker answers in order). */
  tasks: Task[];
  ready: boolean;
}

/** Tasks a worker holds at once: the one it runs and the next. */
const IN_FLIGHT = 2;

/**
 * The worker's entry file. The build (bin/build.mjs) compiles src/sweep/worker.ts to
 * sweep-worker.js beside the compiled CLI and defines LADDERLAB_COMPILED; from the TypeScript
 * sources (tests, tsx) the .mjs bootstrap registers tsx first, since `new Worker('x.ts')` fails.
 */
export function workerEntry(): string {
  if (process.env.LADDERLAB_COMPILED === '1' && process.env.LADDERLAB_DIST) return join(process.env.LADDERLAB_DIST, 'sweep-worker.js');
  return fileURLToPath(new URL('./worker-bootstrap.mjs', import.meta.url));
}

export class SweepPool {
  /** Resolves when every worker has loaded and taken its init (start-up cost, for the bench). */
  readonly ready: Promise<void>;
  private readonly slots: Slot[] = [];
  private readonly analyses: Task[] = [];
  private readonly cells: Task[] = [];
  private failure: Error | null = null;
  private closing = false;
  private rejectReady: (err: Error) => void = () => undefined;

  constructor(options: PoolOptions) {
    const entry = workerEntry();
    const readies: Promise<void>[] = [];
    for (let i = 0; i < Math.max(1, options.workers); i++) {
      let markReady!: () => void;
      readies.push(new Promise<void>((resolve) => (markReady = resolve)));
      const slot = this.spawn(options.kind, entry, (reply) => {
        if (reply.type === 'ready') {
          slot.ready = true;
          markReady();
          return this.dispatch(slot);
        }
        if (reply.type === 'error') return this.fail(reply.badInput ? new InputError(`sweep worker: ${reply.message}`) : new Error(`sweep worker: ${reply.message}`));
        slot.tasks.shift()!.resolve(reply);
        this.dispatch(slot);
      });
      this.slots.push(slot);
      slot.post({ type: 'init', init: options.init });
    }
    this.ready = new Promise<void>((resolve, reject) => {
      this.rejectReady = reject;
      void Promise.all(readies).then(() => resolve());
    });
    this.ready.catch(() => undefined); // a failure also rejects every task: no unhandled rejection here
  }

  /** Run a cell; `row` is its analysis when the worker already had the baseline. */
  run(job: CellJob): Promise<{ outcome: CellOutcome; row: SweepRow | null }> {
    return this.enqueue(this.cells, { type: 'cell', job }).then((r) => {
      if (r.type !== 'result') throw new Error(`sweep worker: expected a result, got ${r.type}`);
      return { outcome: r.outcome, row: r.row };
    });
  }

  analyze(job: CellJob, outcome: CellOutcome): Promise<SweepRow> {
    return this.enqueue(this.analyses, { type: 'analyze', job, outcome }).then((r) => {
      if (r.type !== 'row') throw new Error(`sweep worker: expected a row, got ${r.type}`);
      return r.row;
    });
  }

  /** Every worker analyzes the cells it runs from now on (messages to a worker keep their order). */
  setBaseline(outcome: CellOutcome): void {
    for (const slot of this.slots) slot.post({ type: 'baseline', outcome });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.stop()));
  }

  private enqueue(queue: Task[], request: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      queue.push({ request, resolve, reject });
      // the ready worker holding the fewest tasks takes it
      let best: Slot | null = null;
      for (const slot of this.slots) if (slot.ready && slot.tasks.length < IN_FLIGHT && (!best || slot.tasks.length < best.tasks.length)) best = slot;
      if (best) this.dispatch(best);
    });
  }

  private dispatch(slot: Slot): void {
    while (slot.tasks.length < IN_FLIGHT) {
      const task = this.analyses.shift() ?? this.cells.shift();
      if (!task) return;
      slot.tasks.push(task);
      slot.post(task.request);
    }
  }

  private fail(err: Error): void {
    if (this.failure || this.closing) return;
    this.failure = err;
    this.rejectReady(err);
    const pending = [...this.analyses.splice(0), ...this.cells.splice(0), ...this.slots.flatMap((s) => s.tasks.splice(0))];
    for (const task of pending) task.reject(err);
    void this.close();
  }

  private spawn(kind: WorkerKind, entry: string, onReply: (reply: WorkerReply) => void): Slot {
    const exited = (code: number | null) => {
      if (!this.closing) this.fail(new Error(`sweep worker exited with code ${code}`));
    };
    if (kind === 'thread') {
      const worker = new Worker(entry);
      worker.on('message', onReply);
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', exited);
      return { post: (m) => worker.postMessage(m), stop: () => worker.terminate().then(() => undefined), tasks: [], ready: false };
    }
    // The build's V8 flags (bin/build.mjs V8_FLAGS, which src cannot import): pretenuring off.
    const execArgv = ['--no-allocation-site-pretenuring'];
    const child: ChildProcess = fork(entry, [], { serialization: 'advanced', execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m) => onReply(m as WorkerReply));
    child.on('error', (err) => this.fail(err));
    child.on('exit', exited);
    return {
      post: (m) => {
        if (child.connected) child.send(m);
      },
      stop: () => {
        if (child.connected) child.disconnect();
        return gone;
      },
      tasks: [],
      ready: false,
    };
  }
}
