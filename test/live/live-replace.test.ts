/**
 * AlpacaMarket.replace on an in-memory Alpaca (FakeAlpaca): one PATCH of the old order's venue id
 * with the new limit, qty and prefixed client order id, and its answers mapped as ports.ts says —
 * `replaced` → canceled old (its final filled qty) then accepted new; PATCH 422/403 or
 * `order_replace_rejected` → cancel_rejected old then rejected new; a lost answer looked up by the
 * NEW client id before any re-send; fills on the old order racing the replace (the new order
 * shrunk); reordered and missed updates (cancels during a replace and the engine with `amend:
 * 'replace'`: live-replace-engine.test.ts). Time is driven by hand; retries have no delay.
 */
import { describe, expect, it } from 'vitest';
import { flush } from './live-fakes.ts';
import { buy, replaceSetup as setup, sell } from './fake-market.ts';


describe('replace: the venue replaces the order', () => {
  it('buy: one PATCH of the old venue id with the new price, qty and prefixed client id; replaced → canceled old, then accepted new; the new order’s fills go to the new id', async () => {
    const t = setup();
    await t.working(buy('o1-1', 100, 15.25));
    t.market.replace('o1-1', buy('o1-2', 100, 15.28));
    expect(t.events).toEqual([]); // never inside the engine's call
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o1-2 @15.28']);
    expect(t.api.byClientId('ll-tag-o1-2')).toMatchObject({ id: 'id2', qty: 100, limitPrice: 15.28, status: 'accepted' });
    expect(t.brief()).toEqual([]); // pending_replace: nothing yet, and no acceptance before the old one is out
    t.api.replaceNow('ll-tag-o1-1');
    expect(t.events.filter((e) => e.type === 'accepted').map((e) => `${e.clientOrderId} ${e.type === 'accepted' && e.venueStamped === true}`)).toEqual(['o1-2 false', 'o1-2 true']);
    expect(t.brief()).toEqual(['canceled o1-1 cum 0', 'accepted o1-2']);
    t.api.fill('ll-tag-o1-2', 100, 15.28);
    expect(t.brief()).toEqual(['canceled o1-1 cum 0', 'accepted o1-2', 'fill o1-2 100@15.28 cum 100']);
    expect(t.market.openChildren()).toEqual([]);
    expect(t.market.stats).toMatchObject({ replaces: 1, replaceAttempts: 1, replacesFoundByClientId: 0, replacesRefused: 0, submits: 1, cancels: 0 });
  });

  it('sell: a cancel of the new order goes to the new venue id; the `canceled` update reaches the new engine id', async () => {
    const t = setup();
    await t.working(sell('o2-1', 300, 15.3));
    t.market.replace('o2-1', sell('o2-2', 300, 15.27));
    await t.market.settle();
    t.api.replaceNow('ll-tag-o2-1');
    t.market.cancel('o2-2');
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o2-2 @15.27', 'cancel id2']);
    expect(t.brief()).toEqual(['canceled o2-1 cum 0', 'accepted o2-2', 'canceled o2-2 cum 0']);
  });

  it('sell: the `replaced` update missed: the engine’s query of the old order finds it replaced → canceled old, accepted new', async () => {
    const t = setup();
    await t.working(sell('o3-1', 300, 15.3));
    t.market.replace('o3-1', sell('o3-2', 300, 15.28));
    await t.market.settle();
    const [, fresh] = t.api.replaceNow('ll-tag-o3-1', false);
    t.market.queryOrder('o3-2'); // still `new` but waits behind the old order's end
    await t.market.settle();
    expect(t.brief()).toEqual([]);
    t.market.queryOrder('o3-1');
    await t.market.settle();
    expect(t.brief()).toEqual(['canceled o3-1 cum 0', 'accepted o3-2', 'status o3-2 new cum 0']);
    t.api.tradeStream.push(fresh); // the late `new` of the new order only brings the venue's time of acceptance
    expect(t.events).toHaveLength(4);
    expect(t.events[3]).toEqual({ type: 'accepted', clientOrderId: 'o3-2', tsUs: fresh.tsUs, venueStamped: true });
    expect(t.brief()).toHaveLength(3);
  });
});

describe('replace: refused', () => {
  it('buy: PATCH answered 422 → cancel_rejected old, then rejected new; no lookup (the venue answered); the old order is canceled normally afterwards', async () => {
    const t = setup();
    await t.working(buy('o1-1', 100, 15.25));
    t.api.replaceFailures = [{ status: 422 }];
    t.market.replace('o1-1', buy('o1-2', 100, 15.28));
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o1-2 @15.28']);
    expect(t.brief()).toEqual(['cancel_rejected o1-1 replace_failed: 422 unprocessable', 'rejected o1-2 replace_failed: 422 unprocessable']);
    t.market.cancel('o1-1');
    await t.market.settle();
    expect(t.api.calls.at(-1)).toBe('cancel id1');
    expect(t.brief().at(-1)).toBe('canceled o1-1 cum 0');
    expect(t.market.stats.replacesRefused).toBe(1);
  });

  it('sell: PATCH answered 403 (e.g. not enough shares) → the same two answers', async () => {
    const t = setup();
    await t.working(sell('o2-1'));
    t.api.replaceFailures = [{ status: 403 }];
    t.market.replace('o2-1', sell('o2-2', 300, 15.27));
    await t.market.settle();
    expect(t.brief()).toEqual(['cancel_rejected o2-1 replace_failed: 403 insufficient qty available for order', 'rejected o2-2 replace_failed: 403 insufficient qty available for order']);
    expect(t.api.byClientId('ll-tag-o2-2')).toBeUndefined();
  });

  it('buy: `order_replace_rejected` → cancel_rejected old, rejected new, once (the new order’s own `rejected` is not repeated); the old order’s later fill still counts', async () => {
    const t = setup();
    await t.working(buy('o3-1', 100, 15.25));
    t.market.replace('o3-1', buy('o3-2', 100, 15.28));
    await t.market.settle();
    t.api.refuseReplaceNow('ll-tag-o3-1');
    t.api.fill('ll-tag-o3-1', 100, 15.25);
    expect(t.brief()).toEqual(['cancel_rejected o3-1 order_replace_rejected', 'rejected o3-2 order_replace_rejected', 'fill o3-1 100@15.25 cum 100']);
  });

  it('sell: replacing an unknown, an unacknowledged or an already-being-replaced child is refused on a later turn, without a PATCH', async () => {
    const t = setup();
    t.market.replace('nope-1', sell('nope-2'));
    let open = () => {};
    t.api.submitGate = new Promise<void>((resolve) => (open = resolve));
    t.market.submit(sell('o4-1')); // no answer yet
    t.market.replace('o4-1', sell('o4-2'));
    expect(t.events).toEqual([]);
    await flush();
    expect(t.brief()).toEqual(['cancel_rejected nope-1 unknown_order', 'rejected nope-2 unknown_order', 'cancel_rejected o4-1 not_acknowledged', 'rejected o4-2 not_acknowledged']);
    t.api.submitGate = null;
    open();
    await t.market.settle();
    t.events.length = 0;
    t.market.replace('o4-1', sell('o4-3', 300, 15.27));
    t.market.replace('o4-1', sell('o4-4', 300, 15.26));
    await t.market.settle();
    await flush();
    expect(t.brief()).toEqual(['cancel_rejected o4-1 replace_pending', 'rejected o4-4 replace_pending']);
    expect(t.api.calls.filter((c) => c.startsWith('replace'))).toEqual(['replace id1 ll-tag-o4-3 @15.27']);
    t.api.replaceNow('ll-tag-o4-1');
    expect(t.brief().slice(2)).toEqual(['canceled o4-1 cum 0', 'accepted o4-3']);
  });
});

describe('replace: lost answers', () => {
  it('buy: 500 after the venue made the new order → GET by the NEW client id finds it, no second PATCH; then replaced as usual', async () => {
    const t = setup();
    await t.working(buy('o1-1', 100, 15.25));
    t.api.replaceFailures = [{ status: 500, accept: true }];
    t.market.replace('o1-1', buy('o1-2', 100, 15.28));
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o1-2 @15.28', 'get-client ll-tag-o1-2']);
    expect([...t.api.orders.values()].filter((o) => o.clientOrderId === 'll-tag-o1-2')).toHaveLength(1);
    expect(t.market.stats).toMatchObject({ replaceAttempts: 2, replacesFoundByClientId: 1, retries: 1 });
    t.api.replaceNow('ll-tag-o1-1');
    expect(t.events.filter((e) => e.type === 'accepted').map((e) => `${e.clientOrderId} ${e.type === 'accepted' && e.venueStamped === true}`)).toEqual(['o1-2 false', 'o1-2 true']);
    expect(t.brief()).toEqual(['canceled o1-1 cum 0', 'accepted o1-2']);
  });

  it('sell: network failure before the venue saw it → looked up (absent), PATCHed again, one new order', async () => {
    const t = setup();
    await t.working(sell('o2-1'));
    t.api.replaceFailures = [{ network: true }];
    t.market.replace('o2-1', sell('o2-2', 300, 15.27));
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o2-2 @15.27', 'get-client ll-tag-o2-2', 'replace id1 ll-tag-o2-2 @15.27']);
    expect([...t.api.orders.values()].filter((o) => o.clientOrderId === 'll-tag-o2-2')).toHaveLength(1);
    t.api.replaceNow('ll-tag-o2-1');
    expect(t.brief()).toEqual(['canceled o2-1 cum 0', 'accepted o2-2']);
  });

  it('buy: out of attempts on 500s, nothing made → one last lookup, then refused', async () => {
    const t = setup({ attempts: 2 });
    await t.working(buy('o3-1'));
    t.api.replaceFailures = [{ status: 500 }, { status: 500 }];
    t.market.replace('o3-1', buy('o3-2', 100, 15.28));
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o3-2 @15.28', 'get-client ll-tag-o3-2', 'replace id1 ll-tag-o3-2 @15.28', 'get-client ll-tag-o3-2']);
    expect(t.brief()).toEqual(['cancel_rejected o3-1 replace_failed: 500 internal server error', 'rejected o3-2 replace_failed: 500 internal server error']);
  });
});

describe('replace: fills racing the replace', () => {
  it('buy: 40 of 100 fill on the old order after the PATCH → canceled old with cum 40, accepted new, the new order shrunk to 60 and done at 60', async () => {
    const t = setup();
    await t.working(buy('o1-1', 100, 15.25));
    t.market.replace('o1-1', buy('o1-2', 100, 15.28));
    await t.market.settle();
    t.api.fill('ll-tag-o1-1', 40, 15.25);
    t.api.replaceNow('ll-tag-o1-1');
    expect(t.api.byClientId('ll-tag-o1-2')!.qty).toBe(60);
    t.api.fill('ll-tag-o1-2', 60, 15.28);
    expect(t.brief()).toEqual(['fill o1-1 40@15.25 cum 40', 'canceled o1-1 cum 40', 'accepted o1-2', 'fill o1-2 60@15.28 cum 60']);
    expect(t.market.openChildren()).toEqual([]);
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o1-2 @15.28']);
    expect(t.market.stats.oversizedReplacementsCanceled).toBe(0);
  });

  it('sell: the replacement asked about before the venue replaced the old order (still 300 then) is not taken as oversized once shrunk to 200', async () => {
    const t = setup();
    await t.working(sell('o6-1', 300, 15.3));
    t.market.replace('o6-1', sell('o6-2', 300, 15.27));
    await t.market.settle();
    t.market.queryOrder('o6-2'); // answered `accepted`, qty 300: waits behind the old order
    await t.market.settle();
    t.api.fill('ll-tag-o6-1', 100, 15.3);
    t.api.replaceNow('ll-tag-o6-1');
    await t.market.settle();
    expect(t.brief()).toEqual(['fill o6-1 100@15.3 cum 100', 'canceled o6-1 cum 100', 'accepted o6-2', 'status o6-2 new cum 0']);
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o6-2 @15.27', 'get id2']);
    expect(t.market.stats).toMatchObject({ oversizedReplacementsCanceled: 0, replacementUpdatesHeld: 1 });
  });

  it('buy: 30 filled BEFORE the PATCH reached the venue (update still on its way) → the PATCH carries no qty, the venue sizes the new order from its own word (70): nothing can over-fill, no corrective cancel', async () => {
    const t = setup();
    await t.working(buy('o5-1', 100, 15.25));
    const early = t.api.fill('ll-tag-o5-1', 30, 15.25, false);
    t.market.replace('o5-1', buy('o5-2', 100, 15.28)); // the engine sized it without the 30
    await t.market.settle();
    t.api.tradeStream.push(early);
    t.api.replaceNow('ll-tag-o5-1');
    expect(t.api.byClientId('ll-tag-o5-2')!.qty).toBe(70);
    await t.market.settle();
    expect(t.api.calls).toEqual(['replace id1 ll-tag-o5-2 @15.28']);
    expect(t.brief()).toEqual(['fill o5-1 30@15.25 cum 30', 'canceled o5-1 cum 30', 'accepted o5-2']);
    expect(t.market.stats.oversizedReplacementsCanceled).toBe(0);
    t.api.fill('ll-tag-o5-2', 70, 15.28);
    expect(t.brief().at(-1)).toBe('fill o5-2 70@15.28 cum 70');
    expect(t.market.openChildren()).toEqual([]);
  });

  it('sell: reordered — `replaced` (filled 100) and the new order’s `new` come before the old order’s fill: all wait for it, then in order', async () => {
    const t = setup();
    await t.working(sell('o2-1', 300, 15.3));
    t.market.replace('o2-1', sell('o2-2', 300, 15.27));
    await t.market.settle();
    const fill = t.api.fill('ll-tag-o2-1', 100, 15.3, false);
    t.api.replaceNow('ll-tag-o2-1'); // replaced (filled_qty 100), then new (qty 200)
    expect(t.brief()).toEqual([]);
    t.api.tradeStream.push(fill);
    expect(t.brief()).toEqual(['fill o2-1 100@15.3 cum 100', 'canceled o2-1 cum 100', 'accepted o2-2']);
    t.api.fill('ll-tag-o2-2', 200, 15.27);
    expect(t.brief().at(-1)).toBe('fill o2-2 200@15.27 cum 200');
    expect(t.market.openChildren()).toEqual([]);
  });

  it('sell: the old order’s missing fill never comes → after reorder_wait_ms canceled old with the venue’s cum, then accepted new', async () => {
    const t = setup({ reorderWaitMs: 250 });
    await t.working(sell('o3-1', 300, 15.3));
    t.market.replace('o3-1', sell('o3-2', 300, 15.27));
    await t.market.settle();
    t.api.fill('ll-tag-o3-1', 100, 15.3, false); // lost
    t.api.replaceNow('ll-tag-o3-1');
    t.wall.advance(249);
    expect(t.brief()).toEqual([]);
    t.wall.advance(1);
    expect(t.brief()).toEqual(['canceled o3-1 cum 100', 'accepted o3-2']);
  });

  it('buy: the old order fills completely first → fill old, then the venue rejects the new one → cancel_rejected old, rejected new', async () => {
    const t = setup();
    await t.working(buy('o4-1', 100, 15.25));
    t.market.replace('o4-1', buy('o4-2', 100, 15.28));
    await t.market.settle();
    t.api.fill('ll-tag-o4-1', 100, 15.25);
    const next = t.api.byClientId('ll-tag-o4-2')!;
    next.status = 'rejected';
    t.api.tradeStream.push(t.api.update('rejected', next));
    expect(t.brief()).toEqual(['fill o4-1 100@15.25 cum 100', 'cancel_rejected o4-1 venue_rejected', 'rejected o4-2 venue_rejected']);
    expect(t.market.openChildren()).toEqual([]);
  });
});
