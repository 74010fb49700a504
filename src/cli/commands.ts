/**
 * The subcommands, one module each, loaded only when that command runs: `--help` and every
 * other command skip the rest (backtest's simulator, serve's server, live's SDK…). `describe`
 * lives here, since the listing needs it without loading the module (a test checks it matches).
 */
import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<any, any>;

export interface CommandEntry {
  /** The command's first word, as typed. */
  name: string;
  describe: string;
  load: () => Promise<AnyCommand>;
}

export const commands: CommandEntry[] = [
  { name: 'ladder', describe: 'Print the ladder step prices for a quote (both sides)', load: async () => (await import('./ladders.ts')).laddersCommand },
  { name: 'backtest', describe: 'Replay tapes through the simulator with the ladder and write the run directory', load: async () => (await import('./backtest.ts')).backtestCommand },
  {
    name: 'ingest',
    describe: 'Convert tick data (vendor zips, CSV, Alpaca JSON pages, or an Alpaca download) into the Arrow tape',
    load: async () => (await import('./ingest.ts')).ingestCommand,
  },
  { name: 'data', describe: 'Look at a tape directory (data ls)', load: async () => (await import('./data.ts')).dataCommand },
  {
    name: 'report',
    describe: 'Write the HTML report of a backtest run or a sweep directory (metrics, tables with 95 % intervals, charts)',
    load: async () => (await import('./report.ts')).reportCommand,
  },
  { name: 'sweep', describe: 'Run a parameter grid on the same parents and rank the ladders out of sample', load: async () => (await import('./sweep.ts')).sweepCommand },
  { name: 'worker', describe: 'Run sweep jobs from a Redis queue (BullMQ) on this machine’s copy of the data', load: async () => (await import('./worker.ts')).workerCommand },
  { name: 'serve', describe: 'Alpaca-compatible server on 127.0.0.1: replays a tape, fills with the simulator', load: async () => (await import('./serve.ts')).serveCommand },
  {
    name: 'live',
    describe: 'Run parent orders through the ladder on Alpaca (paper by default) and write the run directory',
    load: async () => (await import('./live.ts')).liveCommand,
  },
  {
    name: 'kill',
    describe: 'Stop a running `ladderlab live` by its run directory: cancel working children, write the records, keep the journal resumable',
    load: async () => (await import('./kill.ts')).killCommand,
  },
  {
    name: 'reconcile',
    describe: 'Re-simulate a live run parent by parent on its own tape and report how well the simulator agrees',
    load: async () => (await import('./reconcile.ts')).reconcileCommand,
  },
  {
    name: 'calibrate',
    describe: "Fit the fill model and latency channels to a live run's own children; write a config fragment",
    load: async () => (await import('./calibrate.ts')).calibrateCommand,
  },
];
