/**
 * The `ladderlab` command line. Each subcommand lives in its own module under src/cli/ and
 * exports a yargs CommandModule; this file only wires them and maps errors to exit codes:
 * 0 ok, 1 failure, 2 bad input (InputError). Only the command being run is loaded; the others
 * are listed by name and description (src/cli/commands.ts).
 */
import yargs, { type Argv } from 'yargs';
import { InputError } from '../core/errors.ts';
import { commands } from './commands.ts';

/** The command named on the line: its first word that is not an option. */
export function commandNamed(argv: readonly string[]) {
  const word = argv.find((a) => !a.startsWith('-'));
  return commands.find((c) => c.name === word);
}

/** The one yargs internal touched (skipHelpCache): its usage renderer. */
interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage(): void } };
}

/**
 * yargs renders a command's whole help text right after it starts the handler, only to show it
 * should the handler fail later: 70–110 ms of the main thread here, spent exactly while a sweep's
 * workers start (its "workers ready" included it). Our .fail() never shows help, so that text is
 * never used: skip it. `--help` still renders the help when asked.
 */
export function skipHelpCache<T>(cli: Argv<T>): Argv<T> {
  const usage = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance();
  if (usage) usage.cacheHelpMessage = () => undefined;
  return cli;
}

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
    const named = commandNamed(argv);
    for (const entry of commands) {
      cli = entry === named ? cli.command({ ...(await entry.load()), describe: entry.describe }) : cli.command(entry.name, entry.describe);
    }
    await skipHelpCache(cli).parseAsync();
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
