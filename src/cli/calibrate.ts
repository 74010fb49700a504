/**
 * `ladderlab calibrate RUN_DIR… --out FILE.yaml [--replicates N]`: fit the simulator's fill model
 * and latency channels to observed children; write a config fragment with the evidence as comments.
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { InputError } from '../core/errors.ts';
import { calibrateRuns, DEFAULT_REPLICATES, MATCH_MS } from '../fidelity/calibrate.ts';
import { calibrationYaml } from '../fidelity/fragment.ts';
import { stderrBar } from './progress-bar.ts';

interface CalibrateArgs {
  runDirs: string[];
  out: string;
  replicates: number;
  matchMs: number;
}

const EPILOG = `Examples:
  ladderlab calibrate out/live1 --out calibrated.yaml
  ladderlab calibrate out/live1 out/live2 --out calibrated.yaml --replicates 500
  ladderlab reconcile out/live1 --config calibrated.yaml --parents odd     # judge it on the held-out half

Fits on the even parents (arrival order) and scores on the odd ones. Latency channels (entry,
cancel, response, feed) by maximum likelihood on the runs' own timestamps; queue_power and
p_touch by simulated moments: every child replayed at the venue when it reached the real one;
intensity A and k by maximum likelihood on the inside-spread children's survival.
The output has only a sim: section, with each parameter's 95 % bootstrap interval and the
goodness of fit as comments; backtest --config and sweep --config take it as is.
Needs receipt times (children.arrow ack_recv_ts, fills.arrow recv_ts, feed.arrow): older run
directories are refused naming the missing field.`;

export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate <run-dirs..>',
  describe: 'Fit the fill model and latency channels to a live run\'s own children; write a config fragment',
  builder: (y) =>
    y
      .positional('run-dirs', { type: 'string', array: true, demandOption: true, describe: 'run directories written by `ladderlab live`' })
      .option('out', { type: 'string', demandOption: true, describe: 'output YAML config fragment (sim: section)' })
      .option('replicates', { type: 'number', default: DEFAULT_REPLICATES, describe: 'bootstrap replicates for the 95 % intervals' })
      .option('match-ms', { type: 'number', default: MATCH_MS, describe: 'a replayed fill matches an observed one within this many ms (venue vs tape stamps)' })
      .epilog(EPILOG) as never,
  handler: (args) => {
    if (!Number.isInteger(args.replicates) || args.replicates < 0) throw new InputError(`--replicates ${args.replicates}: need a whole number ≥ 0`);
    if (!(args.matchMs >= 0)) throw new InputError(`--match-ms ${args.matchMs}: need a number ≥ 0`);
    if (!/\.ya?ml$/i.test(args.out)) throw new InputError(`--out ${args.out}: give a .yaml file (the output is a config fragment)`);
    const bar = stderrBar('calibrate [{bar}] {value}/{total} replays | {stage}');
    try {
      const calibration = calibrateRuns(args.runDirs, { replicates: args.replicates, matchMs: args.matchMs, onProgress: (done, total, stage) => bar.update(done, total, { stage }) });
      bar.stop();
      const text = calibrationYaml(calibration, args.replicates);
      const out = resolve(args.out);
      writeFileAtomic(out, text);
      process.stdout.write(`${text}wrote ${out}\n`);
    } catch (err) {
      bar.stop();
      throw err;
    }
  },
};
