/**
 * `ladderlab worker --queue redis://HOST:PORT --data DIR`: run distributed sweep jobs (a batch of
 * cells × one symbol-day each) from BullMQ on this machine’s copy of the data, until stopped (Ctrl-C or
 * SIGTERM: the current job finishes first). Start one per core on each machine.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.ts';
import { listTapes } from '../data/tape/files.ts';
import { dataFingerprint } from '../sweep/fingerprint.ts';
import { connectQueue, DEFAULT_QUEUE_NAME } from '../sweep/queue.ts';
import { startQueueWorker } from '../sweep/queue-worker.ts';

interface WorkerArgs {
  queue: string;
  data: string;
  'queue-name': string;
  'lock-ms': number;
}

const EPILOG = `Examples:
  ladderlab worker --queue redis://HOST:6379 --data /data/tape     # one per core, on every machine
  ladderlab sweep --queue redis://HOST:6379 --data /data/tape ...  # the coordinator, anywhere

The data directory must hold the same tapes as the coordinator's (its fingerprint is checked: a
worker given other data refuses the job, which goes back to the queue, and stops with exit 2).
A worker that dies mid-job keeps the job locked for --lock-ms; then another worker runs it.`;

/** Test hook: hang in the job after this many (a machine dying mid-job), to test the retry. */
const STALL_AFTER_ENV = 'LADDERLAB_TEST_STALL_AFTER';

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Run sweep jobs from a Redis queue (BullMQ) on this machine’s copy of the data',
  builder: (y) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'redis://HOST:PORT of the sweep queue' })
      .option('data', { type: 'string', demandOption: true, describe: 'tape directory (the same tapes as the coordinator’s)' })
      .option('queue-name', { type: 'string', default: DEFAULT_QUEUE_NAME, describe: 'BullMQ queue name (as given to sweep)' })
      .option('lock-ms', { type: 'number', default: 30_000, describe: 'job lock and stalled-job check interval, ms: a dead worker’s job runs again after about this long' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    const dataDir = resolve(args.data);
    if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new InputError(`--data ${args.data}: not a directory`);
    if (listTapes(dataDir).length === 0) throw new InputError(`--data ${args.data}: no tapes`);
    if (!Number.isInteger(args['lock-ms']) || args['lock-ms'] < 100) throw new InputError(`--lock-ms ${args['lock-ms']}: need a whole number of ms ≥ 100`);
    const connection = await connectQueue(args.queue);
    const stallAfter = process.env[STALL_AFTER_ENV];
    let refusedMessage: string | null = null;
    const { worker, jobsDone } = startQueueWorker({
      connection,
      queueName: args['queue-name'],
      dataDir,
      lockMs: args['lock-ms'],
      onRefused: (message) => (refusedMessage = message),
      stallAfterJobs: stallAfter ? Number(stallAfter) : undefined,
      onStall: (jobId) => process.stderr.write(`worker: stalling in job ${jobId} (${STALL_AFTER_ENV})\n`),
    });
    worker.on('error', (err) => process.stderr.write(`worker: ${err.message}\n`));
    const stop = () => void worker.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await worker.waitUntilReady();
    process.stderr.write(`worker: queue ${args['queue-name']} at ${args.queue}, data ${dataDir} (fingerprint ${dataFingerprint(dataDir)}): ready\n`);
    await new Promise<void>((done) => worker.once('closed', () => done()));
    connection.disconnect();
    process.stderr.write(`worker: stopped after ${jobsDone()} jobs\n`);
    if (refusedMessage) throw new InputError(refusedMessage);
  },
};
