import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.ts';
import { commandNamed } from '../../src/cli/main.ts';

describe('lazy command table', () => {
  it('each entry loads its module, whose command and description match the table', async () => {
    for (const entry of commands) {
      const module = await entry.load();
      expect(String(module.command).split(' ')[0], entry.name).toBe(entry.name);
      expect(module.describe, entry.name).toBe(entry.describe);
      expect(typeof module.handler, entry.name).toBe('function');
    }
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });
  it('the command named is the first word that is not an option', () => {
    expect(commandNamed(['sweep', '--grid', 'a=1'])?.name).toBe('sweep');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['--help', 'backtest'])?.name).toBe('backtest');
    expect(commandNamed(['sweeep'])).toBeUndefined();
  });
});
