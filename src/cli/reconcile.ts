/**
 * `ladderlab reconcile RUN_DIR [--config FILE…] [--models m,…] [--parents all|even|odd] [--out DIR]`:
 * re-simulate a live run's parents on its own tape and write reconcile.arrow + fidelity.html.
 */
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.ts';
import { reconcileDir } from '../fidelity/reconcile-dir.ts';
import type { ParentHalf } from '../fidelity/split.ts';
import { FILL_MODELS } from '../fidelity/variants.ts';
import { fixed, percent } from '../reports/format.ts';
import { stderrBar } from './progress-bar.ts';

interface ReconcileArgs {
  runDir: string;
  config?: string[];
  models?: string;
  parents: ParentHalf;
  out?: string;
  worst: number;
}

const EPILOG = `Examples:
  ladderlab reconcile out/live1                                   # the run's own config, and the sim defaults
  ladderlab reconcile out/live1 --models all                      # … and the run's config under every fill model
  ladderlab reconcile out/live1 --config calibrated.yaml --parents odd   # a calibrate output, on the parents it was not fitted to

Each parent is re-simulated at its real arrival time on the run's recorded tape (run.json dataDir)
and compared with what live did: fill step, fill price, time to fill, filled or not per child,
shortfall. --config files are merged over the run's config (a calibrate output sets only sim).
Writes OUT/reconcile.arrow (one row per configuration and parent) and OUT/fidelity.html.`;

export const reconcileCommand: CommandModule<object, ReconcileArgs> = {
  command: 'reconcile <run-dir>',
  describe: 'Re-simulate a live run parent by parent on its own tape and report how well the simulator agrees',
  builder: (y) =>
    y
      .positional('run-dir', { type: 'string', demandOption: true, describe: 'run directory written by `ladderlab live` (or `backtest`, as a self-check)' })
      .option('config', { type: 'string', array: true, describe: 'config fragment(s) merged over the run config, one report row each (e.g. a calibrate output)' })
      .option('models', { type: 'string', describe: `also the run config under these fill models: comma list of ${FILL_MODELS.join(', ')}, or all` })
      .option('parents', { choices: ['all', 'even', 'odd'] as const, default: 'all' as const, describe: 'which parents (arrival order): calibrate fits on even, so score a calibration on odd' })
      .option('out', { type: 'string', describe: 'output directory for reconcile.arrow and fidelity.html (default RUN_DIR)' })
      .option('worst', { type: 'number', default: 5, describe: 'worst parents shown with a timeline' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    if (!Number.isInteger(args.worst) || args.worst < 0) throw new InputError(`--worst ${args.worst}: need a whole number ≥ 0`);
    const models = args.models === undefined ? [] : args.models.trim() === 'all' ? [...FILL_MODELS] : args.models.split(',').map((m) => m.trim()).filter(Boolean);
    const bar = stderrBar('reconcile [{bar}] {value}/{total} parent runs | {stage}');
    try {
      const result = await reconcileDir(args.runDir, {
        out: args.out,
        configs: args.config,
        models,
        half: args.parents,
        worst: args.worst,
        onProgress: (done, total, stage) => bar.update(done, total, { stage }),
      });
      bar.stop();
      const lines = [`reconcile: ${result.live.length} parents (${args.parents}) of ${args.runDir}`];
      for (const s of result.summaries) {
        lines.push(
          `  ${s.label.padEnd(24)} fill step agrees ${percent(s.stepAgreeRate).padStart(5)} [${percent(s.stepAgreeLo)}, ${percent(s.stepAgreeHi)}]  children ${percent(s.childAgreeRate)}  KS ttf ${fixed(s.ksTimeToFill, 3)}  shortfall diff median ${fixed(s.shortfallDiffBps[2], 2)} bps`,
        );
      }
      lines.push(`wrote ${result.arrowPath}`, result.htmlPath);
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (err) {
      bar.stop();
      throw err;
    }
  },
};
