/**
 * The `ladderlab` command line. Each subcommand lives in its own module under src/cli/ and
 * exports a yargs CommandModule; this file only wires them and maps errors to exit codes:
 * 0 ok, 1 failure, 2 bad input (InputError).
 */
import yargs from 'yargs';
import { InputError } from '../core/errors.ts';
import { commands } from './commands.ts';

export async function main(argv: string[]): Promise<void> {
  try {
    let cli = yargs(argv)
      .scriptName('ladderlab')
      .usage('$0 <command> [options]')
      .strict()
      .demandCommand(1, 'Name a command; see --help.')
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .fail((message, error) => {
        if (error) throw error;
        throw new InputError(`${message ?? 'invalid arguments'} (run with --help for usage)`);
      });
    for (const command of commands) cli = cli.command(command);
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`ladderlab: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`ladderlab: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
