/** Degenerate ladders: a tight spread rounds the limit steps onto fewer distinct ticks than steps. */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config.ts';
import { degenerateLadders, degenerateLine } from '../../src/reports/degenerate.ts';
import { makeRecord } from './report-fixtures.ts';

const parent = (id: string, side: 'buy' | 'sell', bid: number, ask: number) => makeRecord({ id, side, qty: 100, bid, ask, children: [] });

describe('degenerate ladders', () => {
  it('182.00/182.06 (0.03 %, adaptive p = 5 %) collapses for buys and sells; 15.00/15.50 (3.2 %, p = 15 %) does not', () => {
    const config = defaultConfig();
    const d = degenerateLadders([parent('a', 'buy', 182.0, 182.06), parent('b', 'sell', 182.0, 182.06), parent('c', 'buy', 15.0, 15.5), parent('d', 'sell', 15.0, 15.5)], config);
    expect(d).toMatchObject({ parents: 4, degenerate: 2, narrowSpread: 2, fewTicks: 0, steps: 4 });
    const line = degenerateLine(d, config);
    expect(line).toMatch(/^Degenerate ladders: 50 % of parents \(2 of 4\) had fewer distinct limit prices than their 4 steps/);
    expect(line).toContain('execution.adaptive_narrow_step_percentage');
  });
  it('without the adaptive rule a one-tick spread still collapses, counted as too few ticks', () => {
    const config = parseConfig({ execution: { adaptive_step: false } });
    const d = degenerateLadders([parent('a', 'buy', 13.87, 13.88), parent('b', 'sell', 13.87, 13.88)], config);
    expect(d).toMatchObject({ parents: 2, degenerate: 2, narrowSpread: 0, fewTicks: 2 });
  });
  it('rejected parents are not counted; none degenerate says so', () => {
    const config = defaultConfig();
    const rejected = { ...parent('r', 'buy', 182.0, 182.06), status: 'rejected' as const };
    const d = degenerateLadders([rejected, parent('c', 'buy', 15.0, 15.5)], config);
    expect(d).toMatchObject({ parents: 1, degenerate: 0 });
    expect(degenerateLine(d, config)).toBe('Degenerate ladders: none — every one of 1 ladders had 4 distinct limit prices.');
  });
});

describe('the market-order model named in the assumptions', () => {
  it('levels (the default) and collar, from the run config', async () => {
    const { marketOrderModel } = await import('../../src/reports/assumptions.ts');
    expect(marketOrderModel(defaultConfig())).toMatch(/^levels: synthetic levels every 1 tick\(s\) behind the far touch, each 1 × the displayed touch size/);
    expect(marketOrderModel(parseConfig({ sim: { beyond_touch: { model: 'collar' } } }))).toMatch(/^collar: displayed size at the far touch, the rest resting at the collar price/);
    expect(marketOrderModel(parseConfig({ sim: { beyond_touch: { level_size_factor: 2, level_spacing_ticks: 5 } } }))).toMatch(/every 5 tick\(s\) .* each 2 × the displayed/);
  });
});
