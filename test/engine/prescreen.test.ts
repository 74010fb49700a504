import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { LadderEngine } from '../../src/engine/engine.ts';
import { ladderWorstCaseS, prescreenParents, worstCaseDurationUs } from '../../src/engine/prescreen.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { harness } from '../support/engine-harness.ts';
import { SEC, T0 } from '../support/scripted.ts';

const p = (id: string, side: 'buy' | 'sell', qty: number, atS: number, symbol = 'IBM'): ParentOrder => ({ clientOrderId: id, symbol, side, qty, arrivalTsUs: T0 + atS * SEC });

describe('prescreen: path-dependent checks decided once on the order list', () => {
  const config = parseConfig({ risk: { max_position: 500 } });
  it('worst-case duration = max_execution_time + (max_retries + 1)·retry_after_s + spread_wait_s', () => {
    expect(worstCaseDurationUs(config)).toBe((120 + 4 * 5 + 60) * SEC);
  });
  it('a same-side parent inside the worst-case window is a duplicate; after it, or on the other side, it is not', () => {
    const r = prescreenParents([p('A', 'buy', 100, 0), p('B', 'buy', 100, 199), p('C', 'sell', 100, 10), p('D', 'buy', 100, 200), p('E', 'sell', 100, 50)], [config]);
    expect(r.accepted.map((x) => x.clientOrderId)).toEqual(['A', 'C', 'D']);
    expect(r.rejected.map((x) => [x.parent.clientOrderId, x.reason])).toEqual([
      ['E', 'duplicate_working'],
      ['B', 'duplicate_working'],
    ]);
  });
  it('with risk.one_working_per_symbol_side off in every config, overlapping buys and sells are all accepted', () => {
    const off = parseConfig({ risk: { max_position: 500, one_working_per_symbol_side: false } });
    const list = [p('A', 'buy', 100, 0), p('B', 'buy', 100, 199), p('C', 'sell', 100, 10), p('E', 'sell', 100, 50)];
    expect(prescreenParents(list, [off]).accepted.map((x) => x.clientOrderId)).toEqual(['A', 'C', 'E', 'B']);
    // one config with the rule on decides for the sweep (its cells must all see the same parents)
    expect(prescreenParents(list, [off, config]).rejected.map((x) => [x.parent.clientOrderId, x.reason])).toEqual([
      ['E', 'duplicate_working'],
      ['B', 'duplicate_working'],
    ]);
  });
  it('position counts every accepted parent in full, buys up and sells down', () => {
    const r = prescreenParents([p('A', 'buy', 400, 0), p('B', 'buy', 200, 300), p('C', 'sell', 900, 301), p('D', 'sell', 1, 700), p('E', 'buy', 1000, 701)], [config]);
    expect(r.rejected.map((x) => [x.parent.clientOrderId, x.reason])).toEqual([
      ['B', 'max_position'],
      ['D', 'max_position'],
    ]);
    expect(r.accepted.map((x) => x.clientOrderId)).toEqual(['A', 'C', 'E']);
    expect(prescreenParents([p('A', 'sell', 501, 0)], [config]).rejected[0].reason).toBe('max_position');
  });
  it('session end uses the longest ladder and the largest buffer over all configs, per side', () => {
    const slow = parseConfig({ execution: { step_timeout_buy: 30 }, risk: { session_end_buffer_s: 30 } }); // buy ladder min(120, 4·30) = 120 s
    expect(ladderWorstCaseS(config, 'buy')).toBe(60);
    expect(ladderWorstCaseS(slow, 'buy')).toBe(120);
    expect(ladderWorstCaseS(slow, 'sell')).toBe(40);
    const closeUs = T0 + 200 * SEC;
    const list = [p('A', 'buy', 100, 20), p('B', 'buy', 100, 21, 'X'), p('C', 'sell', 100, 100), p('D', 'sell', 100, 101, 'X')];
    const r = prescreenParents(list, [config, slow], { sessionCloseUs: () => closeUs });
    // buy: 120 s ladder + 60 s buffer → latest arrival 20 s; sell: 40 s + 60 s → 100 s
    expect(r.accepted.map((x) => x.clientOrderId)).toEqual(['A', 'C']);
    expect(r.rejected.map((x) => [x.parent.clientOrderId, x.reason])).toEqual([
      ['B', 'session_end'],
      ['D', 'session_end'],
    ]);
  });
  it('a repeated client order id is rejected', () => {
    const r = prescreenParents([p('A', 'buy', 100, 0, 'X'), p('A', 'sell', 100, 1, 'Y')], [config]);
    expect(r.rejected.map((x) => x.reason)).toEqual(['duplicate_client_order_id']);
  });
  it('an engine with pathChecks off accepts what the prescreen accepted', () => {
    const h = harness();
    h.market.setQuote('UVXY', 15.23, 15.32);
    const engine = new LadderEngine({ clock: h.clock, market: h.market, config: h.config, pathChecks: false });
    engine.submit(p('A', 'buy', 100, 0, 'UVXY'));
    engine.submit(p('B', 'buy', 100, 0, 'UVXY'));
    expect(engine.workingCount()).toBe(2);
    expect(engine.records()).toEqual([]);
  });
});
