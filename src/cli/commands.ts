/** The subcommands, one module each. */
import type { CommandModule } from 'yargs';
import { backtestCommand } from './backtest.ts';
import { dataCommand } from './data.ts';
import { ingestCommand } from './ingest.ts';
import { laddersCommand } from './ladders.ts';
import { liveCommand } from './live.ts';
import { reconcileCommand } from './reconcile.ts';
import { calibrateCommand } from './calibrate.ts';
import { reportCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { sweepCommand } from './sweep.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [laddersCommand, backtestCommand, ingestCommand, dataCommand, reportCommand, sweepCommand, serveCommand, liveCommand, reconcileCommand, calibrateCommand];
