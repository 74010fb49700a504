/**
 * `ladderlab report DIR [--out FILE]`: one self-contained HTML report of a backtest run directory,
 * or of a sweep directory (sweep.json + sweep.arrow); prints its path.
 */
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.ts';
import { DEFAULT_REPLICATES, reportRunDir } from '../reports/report.ts';
import { isSweepDir, reportSweepDir } from '../reports/sweep/report.ts';
import { describeSelection, isSelected } from '../data/catalogue.ts';
import { checkOutputFile } from './output-path.ts';
import { stderrBar } from './progress-bar.ts';
import { selectionFrom, selectionOptions, type SelectionArgs } from './run-inputs.ts';

interface ReportArgs extends SelectionArgs {
  runDir: string;
  out?: string;
  data?: string;
  replicates: number;
  x?: string;
  y?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run-dir>',
  describe: 'Write the HTML report of a backtest run or a sweep directory (metrics, tables with 95 % intervals, charts)',
  builder: (y) =>
    selectionOptions(y)
      .positional('run-dir', { type: 'string', demandOption: true, describe: 'directory written by `ladderlab backtest` or `ladderlab sweep`' })
      .option('x', { type: 'string', describe: 'sweep: grid key for the heatmap\'s x axis (default the first --grid key)' })
      .option('y', { type: 'string', describe: 'sweep: grid key for the heatmap\'s y axis (default the second)' })
      .option('out', { type: 'string', describe: 'output HTML file (default RUN_DIR/report.html)' })
      .option('data', { type: 'string', describe: 'tape directory for markout mids (default: the one run.json names)' })
      .option('replicates', { type: 'number', default: DEFAULT_REPLICATES, describe: 'block-bootstrap replicates for the 95 % intervals' }) as never,
  handler: async (args) => {
    if (!Number.isInteger(args.replicates) || args.replicates < 1) {
      throw new InputError(`--replicates ${args.replicates}: need a whole number ≥ 1 (the 95 % intervals need replicates)`);
    }
    if (args.out !== undefined) checkOutputFile('--out', args.out);
    const selection = selectionFrom(args);
    if (isSweepDir(args.runDir)) {
      if (describeSelection(selection) !== 'everything') throw new InputError(`${describeSelection(selection)}: a sweep's symbol-days are chosen when it runs (ladderlab sweep --symbols/--from/--to)`);
      const sweepBar = stderrBar('sweep report [{bar}] {value}/{total} {stage}');
      try {
        const path = await reportSweepDir(args.runDir, { out: args.out, x: args.x, y: args.y, onProgress: (done, total, stage) => sweepBar.update(done, total, { stage }) });
        sweepBar.stop();
        process.stdout.write(`${path}\n`);
      } catch (err) {
        sweepBar.stop();
        throw err;
      }
      return;
    }
    const bar = stderrBar('report [{bar}] {value}/{total} {stage}');
    try {
      const path = await reportRunDir(args.runDir, {
        out: args.out,
        replicates: args.replicates,
        dataDir: args.data,
        select: (symbol, day) => isSelected(selection, symbol, day),
        onProgress: (done, total, stage) => bar.update(done, total, { stage }),
      });
      bar.stop();
      process.stdout.write(`${path}\n`);
    } catch (err) {
      bar.stop();
      throw err;
    }
  },
};
