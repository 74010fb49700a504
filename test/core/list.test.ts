import { describe, expect, it } from 'vitest';
import { removeAt, truncate } from '../../src/core/list.ts';

describe('lists shrunk in place (core/list.ts)', () => {
  it('removeAt takes out one item and keeps the order of the rest: first, middle, last', () => {
    const list = ['buy-1', 'sell-2', 'buy-3', 'sell-4', 'buy-5'];
    removeAt(list, 2);
    expect(list).toEqual(['buy-1', 'sell-2', 'sell-4', 'buy-5']);
    removeAt(list, 0);
    expect(list).toEqual(['sell-2', 'sell-4', 'buy-5']);
    removeAt(list, 2);
    expect(list).toEqual(['sell-2', 'sell-4']);
    removeAt(list, 1);
    removeAt(list, 0);
    expect(list).toEqual([]);
  });

  it('truncate keeps the first items, to none; a longer length changes nothing', () => {
    const list = [10.01, 10.02, 10.03, 10.04];
    truncate(list, 6);
    expect(list).toEqual([10.01, 10.02, 10.03, 10.04]);
    truncate(list, 2);
    expect(list).toEqual([10.01, 10.02]);
    truncate(list, 0);
    expect(list).toEqual([]);
    list.push(9.99);
    expect(list).toEqual([9.99]);
  });
});
