/**
 * AlpacaMarket against an in-memory Alpaca (FakeAlpaca): submits keyed by client order id with
 * a lookup before any re-send, trade updates → OrderEvents (accepted once, fills de-duplicated by
 * execution id, terminals held for reordered fills), cancels before the order id is known,
 * queries, resync after a trade-stream drop, and the quote cache (stream, then REST when stale).
 * Time is driven by hand; REST retries use zero delays.
 */
import { describe, expect, it } from 'vitest';
import { venueStatus } from '../../src/live/alpaca-market.ts';
import { flush, SEC, T0 } from './live-fakes.ts';
import { buy, fakeAlpacaMarket, sell } from './fake-market.ts';

function setup(options: { reorderWaitMs?: number; staleMs?: number; attempts?: number } = {}) {
  const quotesSeen: string[] = [];
  const fake = fakeAlpacaMarket({ ...options, onQuoteSeen: (symbol, q, source) => quotesSeen.push(`${source} ${symbol} ${q.bid}/${q.ask}`) });
  const brief = () =>
    fake.events.map((e) =>
      e.type === 'fill' ? `fill ${e.clientOrderId} ${e.qty}@${e.price} cum ${e.cumQty} ${e.execId}` : e.type === 'canceled' ? `canceled ${e.clientOrderId} cum ${e.cumQty}` : e.type === 'status' ? `status ${e.clientOrderId} ${e.status} cum ${e.cumQty}` : e.type === 'rejected' || e.type === 'cancel_rejected' ? `${e.type} ${e.clientOrderId} ${e.reason}` : `${e.type} ${e.clientOrderId}`,
    );
  return { ...fake, brief, quotesSeen };
}

describe('submit', () => {
  it('sends client_order_id <prefix><tag>-<child>, delivers accepted once (REST answer, then the `new` update)', async () => {
    const t = setup();
    t.market.submit(buy('o1-1'));
    expect(t.events).toEqual([]); // never inside the engine's call
    await t.market.settle();
    const order = t.api.byClientId('ll-tag-o1-1')!;
    expect(order).toMatchObject({ symbol: 'UVXY', side: 'buy', qty: 100, limitPrice: 15.25 });
    t.api.tradeStream.push(t.api.update('new', order));
    // the engine acts on the first; the `new` update only carries the venue's time of acceptance
    expect(t.events.map((e) => e.type === 'accepted' && `${e.clientOrderId} ${e.venueStamped === true}`)).toEqual(['o1-1 false', 'o1-1 true']);
    t.api.tradeStream.push(t.api.update('new', order));
    expect(t.events).toHaveLength(2);
    expect(t.api.calls).toEqual(['submit ll-tag-o1-1']);
  });

  it('500 after the venue placed the order: GET by client id finds it, no second POST (exactly one order)', async () => {
    const t = setup();
    t.api.submitFailures = [{ status: 500, accept: true }];
    t.market.submit(sell('o2-1'));
    await t.market.settle();
    expect(t.api.calls).toEqual(['submit ll-tag-o2-1', 'get-client ll-tag-o2-1']);
    expect([...t.api.orders.values()].filter((o) => o.clientOrderId === 'll-tag-o2-1')).toHaveLength(1);
    expect(t.brief()).toEqual(['accepted o2-1']);
    expect(t.market.stats.submitsFoundByClientId).toBe(1);
  });

  it('429 then a network failure before placing: looked up (absent) before each re-send, placed once', async () => {
    const t = setup();
    t.api.submitFailures = [{ status: 429 }, { network: true }];
    t.market.submit(buy('o3-1'));
    await t.market.settle();
    expect(t.api.calls).toEqual(['submit ll-tag-o3-1', 'get-client ll-tag-o3-1', 'submit ll-tag-o3-1', 'get-client ll-tag-o3-1', 'submit ll-tag-o3-1']);
    expect([...t.api.orders.values()]).toHaveLength(1);
    expect(t.brief()).toEqual(['accepted o3-1']);
    expect(t.market.stats.retries).toBe(2);
  });

  it('a refused order (422) is rejected with the reason after one last lookup; out of attempts on 500s → rejected too', async () => {
    const t = setup({ attempts: 2 });
    t.api.submitFailures = [{ status: 422 }];
    t.market.submit(buy('o4-1'));
    await t.market.settle();
    expect(t.api.calls).toEqual(['submit ll-tag-o4-1', 'get-client ll-tag-o4-1']);
    expect(t.brief()).toEqual(['rejected o4-1 submit_failed: 422 unprocessable']);

    t.api.submitFailures = [{ status: 500 }, { status: 500 }];
    t.market.submit(buy('o5-1'));
    await t.market.settle();
    expect(t.brief()[1]).toBe('rejected o5-1 submit_failed: 500 internal server error');
    expect(t.api.orders.size).toBe(0);
  });
});

describe('ack time: the venue\'s acceptance (the `new` update\'s stamp), not the REST answer\'s receipt', () => {
  for (const [side, order] of [['buy', buy('o1-1')], ['sell', sell('o1-1')]] as const) {
    it(`${side}: REST answer at +2 ms acks (unstamped); the \`new\` stamped +30 ms, received at +40 ms, carries +30 ms`, async () => {
      const t = setup();
      t.wall.advance(2);
      t.market.submit(order);
      await t.market.settle();
      const venue = t.api.byClientId('ll-tag-o1-1')!;
      expect(venue.side).toBe(side);
      t.wall.advance(38);
      t.api.tradeStream.push({ ...t.api.update('new', venue), tsUs: T0 + 30_417 });
      expect(t.events).toEqual([
        { type: 'accepted', clientOrderId: 'o1-1', tsUs: T0 + 2000 },
        { type: 'accepted', clientOrderId: 'o1-1', tsUs: T0 + 30_417, venueStamped: true },
      ]);
    });
    it(`${side}: the \`new\` update before the REST answer acks once, stamped; an \`accepted\` update or a fill is never a stamp`, async () => {
      const t = setup();
      let open = () => {};
      t.api.submitGate = new Promise<void>((resolve) => (open = resolve));
      t.market.submit(order);
      await flush();
      t.wall.advance(40);
      t.api.tradeStream.push({ ...t.api.update('new', t.api.byClientId('ll-tag-o1-1')!), tsUs: T0 + 30_000 });
      open();
      await t.market.settle();
      expect(t.events).toEqual([{ type: 'accepted', clientOrderId: 'o1-1', tsUs: T0 + 30_000, venueStamped: true }]);
      t.market.submit({ ...order, clientOrderId: 'o2-1' });
      await t.market.settle();
      t.api.tradeStream.push({ ...t.api.update('accepted', t.api.byClientId('ll-tag-o2-1')!), tsUs: T0 + 35_000 });
      t.wall.advance(5);
      t.api.fill('ll-tag-o2-1', order.qty, order.limitPrice);
      expect(t.events.slice(1).map((e) => `${e.type} ${e.tsUs - T0} ${e.type === 'accepted' ? e.venueStamped === true : ''}`)).toEqual(['accepted 40000 false', 'fill 45000 ']);
    });
  }
});

describe('trade updates', () => {
  it('fills de-duplicated by execution id; the full fill ends the child; a later duplicate `canceled` is ignored', async () => {
    const t = setup();
    t.market.submit(sell('o1-1', 300, 15.3));
    await t.market.settle();
    const part = t.api.fill('ll-tag-o1-1', 100, 15.3);
    t.api.tradeStream.push(part); // duplicate: same execution id
    t.api.fill('ll-tag-o1-1', 200, 15.31);
    t.api.tradeStream.push(t.api.update('canceled', t.api.byClientId('ll-tag-o1-1')!));
    expect(t.brief()).toEqual(['accepted o1-1', 'fill o1-1 100@15.3 cum 100 x1', 'fill o1-1 200@15.31 cum 300 x2']);
    expect(t.market.stats.duplicateFills).toBe(1);
    expect(t.market.openChildren()).toEqual([]);
  });

  it('reordered: `canceled` reporting a fill not seen yet waits for it, then comes after it', async () => {
    const t = setup();
    t.market.submit(buy('o1-1', 100, 15.25));
    await t.market.settle();
    const fill = t.api.fill('ll-tag-o1-1', 40, 15.25, false);
    t.api.cancelNow('ll-tag-o1-1'); // canceled (filled_qty 40) arrives first
    expect(t.brief()).toEqual(['accepted o1-1']);
    t.api.tradeStream.push(fill);
    expect(t.brief()).toEqual(['accepted o1-1', 'fill o1-1 40@15.25 cum 40 x1', 'canceled o1-1 cum 40']);
    expect(t.market.stats.heldTerminals).toBe(1);
  });

  it('a held `canceled` whose fill never comes is delivered after reorder_wait_ms with the venue cumulative qty', async () => {
    const t = setup({ reorderWaitMs: 250 });
    t.market.submit(buy('o1-1', 100, 15.25));
    await t.market.settle();
    t.api.fill('ll-tag-o1-1', 40, 15.25, false); // lost update
    t.api.cancelNow('ll-tag-o1-1');
    t.wall.advance(249);
    expect(t.brief()).toEqual(['accepted o1-1']);
    t.wall.advance(1);
    expect(t.brief()).toEqual(['accepted o1-1', 'canceled o1-1 cum 40']);
  });

  it('a fill that beats the submit answer acknowledges first (once); rejected and cancel-rejected updates map through', async () => {
    const t = setup();
    t.market.submit(buy('o1-1'));
    t.market.submit(buy('o2-1'));
    await t.market.settle();
    t.events.length = 0;
    let open = () => {};
    t.api.submitGate = new Promise<void>((resolve) => (open = resolve));
    t.market.submit(buy('o3-1'));
    await flush();
    t.api.fill('ll-tag-o3-1', 100, 15.2); // the venue filled it before its REST answer came back
    t.api.tradeStream.push(t.api.update('rejected', t.api.byClientId('ll-tag-o2-1')!));
    t.api.tradeStream.push(t.api.update('order_cancel_rejected', t.api.byClientId('ll-tag-o1-1')!));
    open();
    await t.market.settle();
    expect(t.brief()).toEqual(['accepted o3-1', 'fill o3-1 100@15.2 cum 100 x1', 'rejected o2-1 venue_rejected', 'cancel_rejected o1-1 order_cancel_rejected']);
  });

  it('ignores updates for orders that are not this run’s', async () => {
    const t = setup();
    t.api.tradeStream.push({ event: 'fill', tsUs: T0, order: { id: 'z', clientOrderId: 'someone-else', symbol: 'UVXY', side: 'buy', status: 'filled', qty: 1, filledQty: 1, filledAvgPrice: 1, limitPrice: 1 }, executionId: 'e', price: 1, qty: 1 });
    expect(t.events).toEqual([]);
  });
});

describe('cancel and query', () => {
  it('a cancel asked before the submit answered is sent once the order id is known', async () => {
    const t = setup();
    t.market.submit(buy('o1-1'));
    t.market.cancel('o1-1');
    await t.market.settle();
    expect(t.api.calls).toEqual(['submit ll-tag-o1-1', 'cancel id1']);
    expect(t.brief()).toEqual(['accepted o1-1', 'canceled o1-1 cum 0']);
  });

  it('cancel of a filled order → cancel_rejected not_cancelable; query answers with the venue state', async () => {
    const t = setup();
    t.market.submit(buy('o1-1'));
    await t.market.settle();
    t.api.fill('ll-tag-o1-1', 100, 15.25, false); // filled, update lost
    t.market.cancel('o1-1');
    await t.market.settle();
    t.market.queryOrder('o1-1');
    await t.market.settle();
    expect(t.brief()).toEqual(['accepted o1-1', 'cancel_rejected o1-1 not_cancelable', 'status o1-1 filled cum 100']);
  });

  it('a query asked while the submit is in flight is answered after it', async () => {
    const t = setup();
    t.market.submit(sell('o1-1'));
    t.market.queryOrder('o1-1');
    await t.market.settle();
    expect(t.api.calls).toEqual(['submit ll-tag-o1-1', 'get id1']);
    expect(t.brief()).toEqual(['accepted o1-1', 'status o1-1 new cum 0']);
  });

  it('after the trade stream comes back, open children with news are re-read over REST', async () => {
    const t = setup();
    t.market.submit(buy('o1-1'));
    t.market.submit(buy('o2-1'));
    await t.market.settle();
    t.api.tradeStream.setState('down');
    t.api.fill('ll-tag-o1-1', 30, 15.25, false); // missed while down
    t.api.tradeStream.setState('up');
    await t.market.settle();
    expect(t.brief()).toEqual(['accepted o1-1', 'accepted o2-1', 'status o1-1 partially_filled cum 30']);
    expect(t.market.stats.streamDrops.trading).toBe(1);
    expect(t.market.stats.reconnects.trading).toBe(1);
  });

  it('maps Alpaca statuses to the engine’s', () => {
    expect(['accepted', 'pending_cancel', 'partially_filled', 'expired', 'replaced', 'rejected', 'pending_new', 'weird'].map(venueStatus)).toEqual([
      'new',
      'new',
      'partially_filled',
      'canceled',
      'canceled',
      'rejected',
      'pending_new',
      'unknown',
    ]);
  });
});

describe('quotes', () => {
  it('stream quote: tsUs = when received; a trade confirms it; REST asked once it is stale/2 old', async () => {
    const t = setup({ staleMs: 2000 });
    t.api.dataStream.quote({ symbol: 'UVXY', tsUs: T0 - 3 * SEC, bid: 15.23, ask: 15.32, bidSize: 3, askSize: 5 });
    expect(t.market.latestQuote('UVXY')).toEqual({ tsUs: T0, bid: 15.23, ask: 15.32, bidSize: 3, askSize: 5 });
    t.wall.advance(900);
    t.api.dataStream.trade({ symbol: 'UVXY', tsUs: T0 + 0.9 * SEC, price: 15.3, size: 10, exchange: 'V', conditions: ['@'] });
    expect(t.market.latestQuote('UVXY')!.tsUs).toBe(T0 + 0.9 * SEC);
    expect(t.api.calls).toEqual([]);
    t.wall.advance(1000); // 1 s since the last message = stale/2
    t.api.latest.set('UVXY', { tsUs: T0 - 3 * SEC, bid: 15.23, ask: 15.32, bidSize: 3, askSize: 5 });
    expect(t.market.latestQuote('UVXY')!.tsUs).toBe(T0 + 0.9 * SEC); // held quote while REST is asked
    await t.market.settle();
    expect(t.api.calls).toEqual(['latest UVXY']);
    // Same venue time: the held quote is confirmed as of the ask, not replaced.
    expect(t.market.latestQuote('UVXY')).toEqual({ tsUs: T0 + 1.9 * SEC, bid: 15.23, ask: 15.32, bidSize: 3, askSize: 5 });
    expect(t.quotesSeen).toEqual(['stream UVXY 15.23/15.32']);
  });

  it('stream down: a newer REST quote replaces the held one and wakes the waiting listener; then the stream is back', async () => {
    const t = setup({ staleMs: 2000 });
    t.api.dataStream.quote({ symbol: 'UVXY', tsUs: T0, bid: 15.23, ask: 15.32, bidSize: 3, askSize: 5 });
    let woken = 0;
    const unsubscribe = t.market.subscribeQuotes('UVXY', () => woken++);
    t.api.dataStream.setState('down');
    t.api.latest.set('UVXY', { tsUs: T0 + 1.5 * SEC, bid: 15.25, ask: 15.3, bidSize: 7, askSize: 9 });
    t.wall.advance(1500); // the watch timer asks REST (age ≥ stale/2)
    await t.market.settle();
    expect(t.api.calls).toEqual(['latest UVXY']);
    expect(woken).toBe(1);
    expect(t.market.latestQuote('UVXY')).toMatchObject({ bid: 15.25, ask: 15.3, bidSize: 7, askSize: 9 });
    expect(t.quotesSeen).toEqual(['stream UVXY 15.23/15.32', 'rest UVXY 15.25/15.3']);
    t.api.dataStream.setState('up');
    t.api.dataStream.quote({ symbol: 'UVXY', tsUs: T0 + 2 * SEC, bid: 15.26, ask: 15.31, bidSize: 1, askSize: 1 });
    expect(woken).toBe(2);
    expect(t.market.stats.streamDrops.data).toBe(1);
    expect(t.market.stats.reconnects.data).toBe(1);
    unsubscribe();
    t.market.stop();
  });

  it('trade stream down for good: open children are read over REST every second until they end (a fill the stream never told us about)', async () => {
    const t = setup();
    t.market.submit(buy('o9-1', 100, 15.25));
    await t.market.settle();
    t.api.tradeStream.setState('down');
    const gets = () => t.api.calls.filter((c) => c.startsWith('get ')).length;
    t.wall.advance(999);
    await flush();
    expect(gets()).toBe(0);
    t.wall.advance(1);
    await t.market.settle();
    expect(gets()).toBe(1);
    t.api.fill('ll-tag-o9-1', 100, 15.25, false); // filled at the venue; no update reaches us
    t.wall.advance(1000);
    await t.market.settle();
    expect(t.brief().at(-1)).toBe('status o9-1 filled cum 100');
    t.wall.advance(5000);
    await t.market.settle();
    expect(gets()).toBe(2); // ended: no more polling
  });

  it('entitlement: market data refused 403 (feed sip without a subscription) → fatal at once with a clear message, no retry loop', async () => {
    const t = setup();
    t.api.quoteFailures = [{ status: 403, message: 'forbidden' }];
    await t.market.quotes.refresh('UVXY');
    expect(t.fatal).toHaveLength(1);
    expect((t.fatal[0] as Error).message).toMatch(/market data refused \(403\): the keys are not entitled to this feed — use live.feed: iex/);
    expect(t.api.calls.filter((c) => c.startsWith('latest'))).toEqual(['latest UVXY']);
  });

  it('entitlement: the market-data stream refused (409 insufficient subscription) → fatal with a clear message', () => {
    const t = setup();
    t.api.dataStream.setState('failed', 'insufficient subscription (409)');
    expect(t.fatal).toHaveLength(1);
    expect((t.fatal[0] as Error).message).toMatch(/market-data stream refused .*not entitled to this feed/);
  });

  it('a listener that throws is fatal for the run (the engine broke), not swallowed', () => {
    const t = setup();
    t.market.subscribeQuotes('UVXY', () => {
      throw new Error('engine bug');
    });
    t.api.dataStream.quote({ symbol: 'UVXY', tsUs: T0, bid: 1, ask: 1.01, bidSize: 1, askSize: 1 });
    expect((t.fatal[0] as Error).message).toBe('engine bug');
    t.market.stop();
  });
});
