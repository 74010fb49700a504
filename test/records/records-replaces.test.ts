import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../../src/records/read.ts';
import { writeRunDir } from '../../src/records/write.ts';
import { harness } from '../support/engine-harness.ts';
import { SEC, T0 } from '../support/scripted.ts';

describe('children.arrow keeps which child replaced which', () => {
  for (const side of ['buy', 'sell'] as const) {
    it(`${side}: replaces survives the run directory round trip`, () => {
      const h = harness({}, { amend: 'replace' });
      h.market.supportsReplace = true;
      h.market.setQuote('UVXY', 15.23, 15.32);
      h.submit('UVXY', side, 100);
      h.market.accept('P1-1');
      h.clock.advanceTo(T0 + 15 * SEC);
      h.market.accept('P1-2');
      h.market.canceled('P1-1', 0);
      h.market.fill('P1-2', 100, side === 'buy' ? 15.28 : 15.27, 100);
      const dir = mkdtempSync(join(tmpdir(), 'ladderlab-replaces-'));
      writeRunDir(dir, { records: h.records, manifest: { config: h.config, seed: h.config.seed, dataDir: null } });
      const run = loadRun(dir);
      expect(run.records[0].children.map((c) => [c.clientOrderId, c.replaces ?? null, c.status])).toEqual([
        ['P1-1', null, 'canceled'],
        ['P1-2', 'P1-1', 'filled'],
      ]);
    });
  }
});
