import { describe, expect, it } from 'vitest';
import { SimOrder } from '../../src/sim/order.ts';
import { idHash, OrdersById } from '../../src/sim/orders-by-id.ts';

const order = (clientOrderId: string, side: 'buy' | 'sell' = 'buy') =>
  new SimOrder({ clientOrderId, symbol: 'IBM', side, qty: 100, limitPrice: 185.5, timeInForce: 'day' }, 0);

describe('OrdersById: the venue orders by client id', () => {
  it('keeps the first order of an id, rejects the rest, and finds every id as a Map would (20,000 ids, buys and sells, growing from 64 slots)', () => {
    const table = new OrdersById();
    const model = new Map<string, SimOrder>();
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 20_000; k++) {
      // a quarter of the ids come again: duplicates, rejected while the first stays
      const id = `${rand() < 0.5 ? 'b' : 's'}-${Math.floor(rand() * 15_000)}`;
      const o = order(id, id[0] === 'b' ? 'buy' : 'sell');
      expect(table.add(o), id).toBe(!model.has(id));
      if (!model.has(id)) model.set(id, o);
    }
    expect(table.size).toBe(model.size);
    for (const [id, o] of model) expect(table.get(id)).toBe(o);
    expect(table.get('b-15000')).toBeUndefined();
    expect(table.get('')).toBeUndefined();
  });

  it('two ids with the same 32-bit hash are told apart by the id itself', () => {
    // the first colliding pair among x0, x1, … (found the same way every run)
    const seen = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let k = 0; pair === null; k++) {
      const id = `x${k}`;
      const other = seen.get(idHash(id));
      if (other !== undefined) pair = [other, id];
      seen.set(idHash(id), id);
    }
    const [a, b] = pair;
    expect(idHash(a)).toBe(idHash(b));
    const table = new OrdersById();
    const first = order(a);
    const second = order(b, 'sell');
    expect(table.add(first)).toBe(true);
    expect(table.get(b)).toBeUndefined();
    expect(table.add(second)).toBe(true);
    expect(table.add(order(a))).toBe(false);
    expect(table.add(order(b))).toBe(false);
    expect(table.get(a)).toBe(first);
    expect(table.get(b)).toBe(second);
  });
});
