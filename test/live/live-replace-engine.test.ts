/**
 * AlpacaMarket.replace on an in-memory Alpaca (FakeAlpaca), continued: cancels asked while a
 * replace is unresolved (shutdown), then the engine with `amend: 'replace'` on the same fake.
 * Time is driven by hand; retries have no delay (live-replace.test.ts has the replace itself).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { LadderEngine } from '../../src/engine/engine.ts';
import type { ExecutionRecord } from '../../src/engine/types.ts';
import { T0 } from './live-fakes.ts';
import { buy, replaceSetup as setup, sell } from './fake-market.ts';

describe('replace: cancels while a replace is unresolved (shutdown)', () => {
  it('buy: cancel of old and new during the PATCH → no DELETE of the pending old order; once replaced, the new order is canceled', async () => {
    const t = setup();
    await t.working(buy('o1-1', 100, 15.25));
    t.market.replace('o1-1', buy('o1-2', 100, 15.28));
    t.market.cancel('o1-1');
    t.market.cancel('o1-2');
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o1-2 @15.28']);
    t.api.replaceNow('ll-tag-o1-1');
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o1-2 @15.28', 'cancel id2']);
    expect(t.brief()).toEqual(['canceled o1-1 cum 0', 'accepted o1-2', 'canceled o1-2 cum 0']);
    expect(t.market.openChildren()).toEqual([]);
  });

  it('sell: cancel of the old order during the PATCH, then the replace is refused → the old order is canceled then', async () => {
    const t = setup();
    await t.working(sell('o2-1', 300, 15.3));
    t.market.replace('o2-1', sell('o2-2', 300, 15.27));
    t.market.cancel('o2-1');
    await t.market.settle();
    t.api.refuseReplaceNow('ll-tag-o2-1');
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o2-2 @15.27', 'cancel id1']);
    expect(t.brief()).toEqual(['cancel_rejected o2-1 order_replace_rejected', 'rejected o2-2 order_replace_rejected', 'canceled o2-1 cum 0']);
  });
});

describe('the engine with amend: replace on the fake Alpaca', () => {
  function engineSetup(side: 'buy' | 'sell') {
    const t = setup();
    const records: ExecutionRecord[] = [];
    const config = parseConfig({});
    t.market.hours.set(t.api.clockAnswer);
    const engine = new LadderEngine({ clock: t.clock, market: t.market, config, amend: 'replace', onRecord: (r) => records.push(r) });
    t.api.dataStream.quote({ symbol: 'UVXY', tsUs: T0, bid: 15.23, ask: 15.32, bidSize: 5, askSize: 5 });
    engine.submit({ clientOrderId: 'P1', symbol: 'UVXY', side, qty: 100, arrivalTsUs: T0 });
    return { ...t, engine, records };
  }
  /** Keep the quote fresh and move wall time by `s` seconds. */
  const advance = (t: ReturnType<typeof engineSetup>, s: number) => {
    for (let i = 0; i < s; i++) {
      t.wall.advance(1000);
      t.api.dataStream.quote({ symbol: 'UVXY', tsUs: t.clock.nowUs(), bid: 15.23, ask: 15.32, bidSize: 5, askSize: 5 });
    }
  };

  it('buy: each step move is one PATCH; the old order’s racing fill shrinks the new child; the parent fills exactly', async () => {
    const t = engineSetup('buy');
    await t.market.settle();
    advance(t, 15); // step 1
    await t.market.settle();
    expect(t.api.calls.filter((c) => /^(submit|replace|cancel)/.test(c))).toEqual(['submit ll-tag-P1-1', 'replace id1 ll-tag-P1-2 @15.28']);
    t.api.fill('ll-tag-P1-1', 30, 15.25);
    t.api.replaceNow('ll-tag-P1-1');
    await t.market.settle();
    t.api.fill('ll-tag-P1-2', 70, 15.28);
    await t.market.settle();
    const r = t.records[0];
    expect(r).toMatchObject({ status: 'filled', filledQty: 100, avgPrice: 15.271 });
    expect(r.children.map((c) => [c.clientOrderId, c.replaces ?? null, c.qty, c.filledQty, c.status])).toEqual([
      ['P1-1', null, 100, 30, 'canceled'],
      ['P1-2', 'P1-1', 70, 70, 'filled'],
    ]);
    expect(t.engine.position('UVXY')).toBe(100);
    expect(t.fatal).toEqual([]);
  });

  it('sell: a fill the venue made before the PATCH arrived → the venue-sized replacement works exactly the 70 left; exactly 100 filled, nothing canceled', async () => {
    const t = engineSetup('sell');
    await t.market.settle();
    const early = t.api.fill('ll-tag-P1-1', 30, 15.3, false);
    advance(t, 10); // sell step 1, sized 100 (the 30 not heard of yet)
    await t.market.settle();
    t.api.tradeStream.push(early);
    t.api.replaceNow('ll-tag-P1-1');
    await t.market.settle();
    expect(t.api.calls.filter((c) => /^(submit|replace|cancel)/.test(c))).toEqual(['submit ll-tag-P1-1', 'replace id1 ll-tag-P1-2 @15.27']);
    expect(t.api.byClientId('ll-tag-P1-2')).toMatchObject({ qty: 70, limitPrice: 15.27 });
    t.api.fill('ll-tag-P1-2', 70, 15.27);
    await t.market.settle();
    expect(t.records[0]).toMatchObject({ status: 'filled', filledQty: 100 });
    expect(t.records[0].children.map((c) => [c.clientOrderId, c.qty, c.filledQty, c.status])).toEqual([
      ['P1-1', 100, 30, 'canceled'],
      ['P1-2', 70, 70, 'filled'],
    ]);
    expect(t.engine.position('UVXY')).toBe(-100);
    expect(t.market.stats.oversizedReplacementsCanceled).toBe(0);
  });

  it.each(['buy', 'sell'] as const)('%s: a submit refused 422 "potential wash trade detected" → the child is rejected `wash_trade` and the parent ends wash_trade, nothing re-sent', async (side) => {
    const t = setup();
    const records: ExecutionRecord[] = [];
    t.market.hours.set(t.api.clockAnswer);
    const engine = new LadderEngine({ clock: t.clock, market: t.market, config: parseConfig({ execution: { reject_retries: 3 } }), onRecord: (r) => records.push(r) });
    t.api.dataStream.quote({ symbol: 'UVXY', tsUs: T0, bid: 15.23, ask: 15.32, bidSize: 5, askSize: 5 });
    t.api.submitFailures = [{ status: 422, message: 'potential wash trade detected. use complex orders' }];
    engine.submit({ clientOrderId: 'P1', symbol: 'UVXY', side, qty: 100, arrivalTsUs: T0 });
    await t.market.settle();
    expect(records[0]).toMatchObject({ status: 'unfilled', reason: 'wash_trade' });
    expect(records[0].children.map((c) => [c.status, c.rejectReason])).toEqual([['rejected', 'wash_trade']]);
    expect(t.api.calls.filter((c) => c.startsWith('submit'))).toEqual(['submit ll-tag-P1-1']);
  });

  it('sell: a refused PATCH falls back to cancel then submit at the same step price', async () => {
    const t = engineSetup('sell');
    await t.market.settle();
    t.api.replaceFailures = [{ status: 422 }];
    advance(t, 10); // sell step 1
    await t.market.settle();
    expect(t.api.calls.filter((c) => /^(submit|replace|cancel)/.test(c))).toEqual([
      'submit ll-tag-P1-1',
      'replace id1 ll-tag-P1-2 @15.27',
      'cancel id1',
      'submit ll-tag-P1-3',
    ]);
    expect(t.api.byClientId('ll-tag-P1-3')).toMatchObject({ qty: 100, limitPrice: 15.27, side: 'sell' });
    t.api.fill('ll-tag-P1-3', 100, 15.27);
    await t.market.settle();
    expect(t.records[0].children.map((c) => [c.clientOrderId, c.status])).toEqual([
      ['P1-1', 'canceled'],
      ['P1-2', 'rejected'],
      ['P1-3', 'filled'],
    ]);
    expect(t.engine.position('UVXY')).toBe(-100);
  });
});
