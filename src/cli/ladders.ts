/** `ladderlab ladder`: print the step table a quote would get, for buys and sells. */
import type { CommandModule } from 'yargs';
import { defaultConfig, loadConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { formatLadderTables } from '../engine/ladder-table.ts';

interface LadderArgs {
  bid: number;
  ask: number;
  symbol: string;
  config?: string;
}

export const laddersCommand: CommandModule<object, LadderArgs> = {
  command: 'ladder',
  describe: 'Print the ladder step prices for a quote (both sides)',
  builder: (y) =>
    y
      .option('bid', { type: 'number', demandOption: true, describe: 'bid price in dollars' })
      .option('ask', { type: 'number', demandOption: true, describe: 'ask price in dollars' })
      .option('symbol', { type: 'string', default: 'SYM', describe: 'symbol (for tick overrides)' })
      .option('config', { type: 'string', describe: 'YAML config (defaults when absent)' }) as never,
  handler: (args) => {
    if (!(args.bid > 0) || !(args.ask > args.bid)) {
      throw new InputError(`--bid ${args.bid} --ask ${args.ask}: need 0 < bid < ask`);
    }
    const config = args.config ? loadConfig(args.config) : defaultConfig();
    process.stdout.write(formatLadderTables(args.symbol, { bid: args.bid, ask: args.ask }, config));
  },
};
