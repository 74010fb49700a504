/**
 * `ladderlab data ls --data DIR [--symbols …] [--from D] [--to D]`: what a tape directory holds,
 * one line per symbol-day (quote and trade rows, median regular-session spread in ticks,
 * locked and crossed quotes; data/catalogue.ts defines each figure).
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { formatCoverage, symbolDayCoverage, type SymbolDayCoverage } from '../data/catalogue.ts';
import { makeTickTable } from '../engine/ticks.ts';
import { stderrBar } from './progress-bar.ts';
import { resolveConfig, resolveSymbolDays, selectionOptions, type SelectionArgs } from './run-inputs.ts';

interface DataLsArgs extends SelectionArgs {
  data: string;
  config?: string;
  json: boolean;
}

const EPILOG = `Examples:
  ladderlab data ls --data out/tape
  ladderlab data ls --data out/tape --symbols IBM,BAC --from 2013-10-01 --to 2013-10-31 --json

Spread in ticks: (ask − bid) / tick over regular-session quotes that are neither locked nor
crossed, one value per quote; the tick follows ticks.overrides in --config (default $0.01 ≥ $1).`;

const lsCommand: CommandModule<object, DataLsArgs> = {
  command: 'ls',
  describe: 'List the symbol-days of a tape directory with their coverage',
  builder: (y) =>
    selectionOptions(y)
      .option('data', { type: 'string', demandOption: true, describe: 'tape directory: DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow' })
      .option('config', { type: 'string', describe: 'YAML config for ticks.overrides (default ./ladderlab.yaml when present)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the rows as JSON' })
      .epilog(EPILOG) as never,
  handler: (args) => {
    const dataDir = resolve(args.data);
    const { tapes } = resolveSymbolDays(dataDir, args);
    const ticks = makeTickTable(resolveConfig(args.config, undefined).ticks.overrides);
    const bar = stderrBar('data ls [{bar}] {value}/{total} symbol-days');
    const rows: SymbolDayCoverage[] = [];
    for (const ref of tapes) {
      rows.push(symbolDayCoverage(dataDir, ref, ticks));
      bar.update(rows.length, tapes.length);
    }
    bar.stop();
    process.stdout.write(args.json ? `${JSON.stringify(rows, null, 2)}\n` : formatCoverage(rows));
  },
};

export const dataCommand: CommandModule<object, object> = {
  command: 'data <command>',
  describe: 'Look at a tape directory (data ls)',
  builder: (y) => y.command(lsCommand).demandCommand(1, 'Name a data command: ls'),
  handler: () => undefined,
};
