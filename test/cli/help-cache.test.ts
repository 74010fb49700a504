/**
 * main.ts skipHelpCache: yargs no longer renders a command's help text after starting its handler
 * (70–110 ms of the main thread while a sweep's workers start), and `--help` still prints it.
 */
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { skipHelpCache } from '../../src/cli/main.ts';

interface Usage {
  hasCachedHelpMessage(): boolean;
}
const usageOf = (cli: unknown) => (cli as { getInternalMethods(): { getUsageInstance(): Usage } }).getInternalMethods().getUsageInstance();

function cliWith(ran: string[]) {
  return yargs([])
    .scriptName('t')
    .strict()
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .command({
      command: 'go',
      describe: 'run',
      builder: (y) => y.option('speed-percent', { type: 'number', default: 5, describe: 'how fast' }),
      handler: async (argv) => {
        ran.push(`go ${argv['speed-percent']}`);
      },
    });
}

describe('skipHelpCache', () => {
  it('yargs renders the help after a handler starts; with skipHelpCache it does not, and the handler still runs', async () => {
    const ran: string[] = [];
    const plain = cliWith(ran);
    await plain.parseAsync(['go', '--speed-percent', '7']);
    expect(usageOf(plain).hasCachedHelpMessage()).toBe(true); // the control: yargs does cache it

    const skipped = skipHelpCache(cliWith(ran));
    await skipped.parseAsync(['go']);
    expect(usageOf(skipped).hasCachedHelpMessage()).toBe(false);
    expect(ran).toEqual(['go 7', 'go 5']);
  });

  it('--help still prints the command help', async () => {
    const out = await skipHelpCache(cliWith([]).exitProcess(false)).getHelp();
    expect(out).toContain('go');
    let printed = '';
    await skipHelpCache(cliWith([]).exitProcess(false)).parseAsync(['go', '--help'], {}, (_err, _argv, output) => {
      printed = output;
    });
    expect(printed).toMatch(/--speed-percent\s+how fast/);
  });
});
