/**
 * `ladderlab kill RUN_DIR`: the kill switch for a running `ladderlab live`. Sends SIGTERM to the
 * process in RUN_DIR/live.pid — which then cancels every working child, waits for the answers,
 * writes the records and leaves the journal resumable (`live --resume RUN_DIR`) — and waits for it
 * to exit. Exit 0 once it has stopped, 1 if it is still running after --wait-s, 2 bad input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.ts';
import { LIVE_PID_FILE } from '../live/journal.ts';

interface KillArgs {
  dir: string;
  waitS: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const killCommand: CommandModule<object, KillArgs> = {
  command: 'kill <dir>',
  describe: 'Stop a running `ladderlab live` by its run directory: cancel working children, write the records, keep the journal resumable',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'the run directory of the live run (its --out)' })
      .option('wait-s', { type: 'number', default: 30, describe: 'seconds to wait for the run to stop' })
      .epilog('Example:\n  ladderlab kill out/live1      (then: ladderlab live --resume out/live1 to finish the remaining parents)') as never,
  handler: async (args) => {
    const pidFile = join(args.dir, LIVE_PID_FILE);
    if (!existsSync(pidFile)) throw new InputError(`${args.dir}: no ${LIVE_PID_FILE} — no live run is running there`);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new InputError(`${pidFile}: not a process id`);
    if (!alive(pid)) throw new InputError(`${args.dir}: the live run (pid ${pid}) is not running`);
    process.kill(pid, 'SIGTERM');
    process.stderr.write(`kill: asked live (pid ${pid}) to stop: canceling its working children and writing ${args.dir}\n`);
    const until = Date.now() + args.waitS * 1000;
    while (alive(pid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive(pid)) {
      process.stderr.write(`kill: pid ${pid} still running after ${args.waitS} s\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`stopped; resume with: ladderlab live --resume ${args.dir}\n`);
  },
};
