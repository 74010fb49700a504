/**
 * WallClock (real time × speed, timers, catching up to venue time), the loopback rule for speeds
 * other than 1, and the session clock built from the venue's clock endpoint. Time is driven by
 * hand (ManualWallTime): nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { regularSession } from '../../src/core/calendar.ts';
import { InputError } from '../../src/core/errors.ts';
import { SessionClock } from '../../src/live/session-clock.ts';
import { assertSpeedAllowed, isLoopbackUrl, WallClock } from '../../src/live/wall-clock.ts';
import { flush, ManualWallTime, SEC, T0 } from './live-fakes.ts';

describe('WallClock', () => {
  it('runs at speed: 50× turns 100 wall ms into 5 clock seconds', () => {
    const wall = new ManualWallTime();
    const clock = new WallClock({ originUs: T0, speed: 50, wall });
    expect(clock.nowUs()).toBe(T0);
    wall.advance(100);
    expect(clock.nowUs()).toBe(T0 + 5 * SEC);
    expect(clock.toWallMs(15_000)).toBe(300);
  });

  it('fires timers in (time, insertion) order, past ones on the next turn, canceled ones never', () => {
    const wall = new ManualWallTime();
    const clock = new WallClock({ originUs: T0, speed: 10, wall });
    const fired: string[] = [];
    clock.setTimer(T0 + 2 * SEC, () => fired.push(`b@${clock.nowUs() - T0}`));
    clock.setTimer(T0 + 1 * SEC, () => fired.push(`a@${clock.nowUs() - T0}`));
    clock.setTimer(T0 + 2 * SEC, () => fired.push(`c@${clock.nowUs() - T0}`));
    const dropped = clock.setTimer(T0 + 1.5 * SEC, () => fired.push('never'));
    clock.cancelTimer(dropped);
    wall.advance(99);
    expect(fired).toEqual([]);
    wall.advance(1); // 100 wall ms = 1 clock s
    expect(fired).toEqual(['a@1000000']);
    wall.advance(100);
    expect(fired).toEqual(['a@1000000', 'b@2000000', 'c@2000000']);
    clock.setTimer(T0, () => fired.push('past'));
    wall.advance(0);
    expect(fired.at(-1)).toBe('past');
    expect(clock.pendingCount()).toBe(0);
  });

  it('catches up to a venue timestamp ahead of it (never back), and timers due by then fire', () => {
    const wall = new ManualWallTime();
    const clock = new WallClock({ originUs: T0, speed: 1, wall });
    const fired: number[] = [];
    clock.setTimer(T0 + 3 * SEC, () => fired.push(clock.nowUs()));
    clock.observe(T0 - 5 * SEC);
    expect(clock.nowUs()).toBe(T0);
    clock.observe(T0 + 4 * SEC);
    expect(clock.nowUs()).toBe(T0 + 4 * SEC);
    wall.advance(0);
    expect(fired).toEqual([T0 + 4 * SEC]);
    wall.advance(500);
    expect(clock.nowUs()).toBe(T0 + 4.5 * SEC);
  });

  it('hands a throwing timer to onError and keeps going', () => {
    const wall = new ManualWallTime();
    const errors: unknown[] = [];
    const clock = new WallClock({ originUs: T0, wall, onError: (e) => errors.push(e) });
    const fired: string[] = [];
    clock.setTimer(T0 + 1000, () => {
      throw new Error('boom');
    });
    clock.setTimer(T0 + 1000, () => fired.push('after'));
    wall.advance(1);
    expect((errors[0] as Error).message).toBe('boom');
    expect(fired).toEqual(['after']);
  });

  it('stop() drops every timer and the host timeout', () => {
    const wall = new ManualWallTime();
    const clock = new WallClock({ originUs: T0, wall });
    clock.setTimer(T0 + SEC, () => {
      throw new Error('must not fire');
    });
    expect(wall.pending()).toBe(1);
    clock.stop();
    expect(wall.pending()).toBe(0);
    wall.advance(5000);
  });

  it('refuses a speed ≤ 0', () => {
    expect(() => new WallClock({ speed: 0 })).toThrow(InputError);
  });
});

describe('speed ≠ 1 only against loopback', () => {
  it('knows loopback hosts', () => {
    expect(isLoopbackUrl('http://127.0.0.1:8765')).toBe(true);
    expect(isLoopbackUrl('ws://127.4.5.6:1/stream')).toBe(true);
    expect(isLoopbackUrl('http://localhost:3000')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:80')).toBe(true);
    expect(isLoopbackUrl('https://paper-api.alpaca.markets')).toBe(false);
    expect(isLoopbackUrl('http://10.0.0.1')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });

  it('speed 1 is always allowed; 50 only when every URL is loopback, naming the others', () => {
    expect(() => assertSpeedAllowed(1, ['https://paper-api.alpaca.markets'])).not.toThrow();
    expect(() => assertSpeedAllowed(50, ['http://127.0.0.1:1', 'ws://127.0.0.1:1/stream'])).not.toThrow();
    expect(() => assertSpeedAllowed(50, ['http://127.0.0.1:1', 'https://data.alpaca.markets'])).toThrow(/live.speed 50: .*not loopback: https:\/\/data.alpaca.markets/);
  });
});

describe('SessionClock (market hours from GET /v2/clock)', () => {
  const open = regularSession('2024-03-05');

  it('answered open: open until next_close, then closed with the next open', async () => {
    const wall = new ManualWallTime();
    const clock = new WallClock({ originUs: T0, wall });
    const s = new SessionClock(clock, async () => ({ timestampUs: T0, isOpen: true, nextOpenUs: T0 + 24 * 3600 * SEC, nextCloseUs: open.closeUs }));
    await s.refresh();
    expect(s.session(T0)).toEqual({ isOpen: true, openUs: open.openUs, closeUs: open.closeUs });
    expect(s.session(open.closeUs)).toEqual({ isOpen: false, openUs: T0 + 24 * 3600 * SEC, closeUs: null });
    s.stop();
  });

  it('answered closed: closed until next_open (queue target), open from then to next_close; asks again at the boundary', async () => {
    const wall = new ManualWallTime();
    const clock = new WallClock({ originUs: T0, wall });
    let asked = 0;
    const reopenUs = T0 + 30 * SEC;
    const s = new SessionClock(clock, async () => {
      asked++;
      return asked === 1
        ? { timestampUs: T0, isOpen: false, nextOpenUs: reopenUs, nextCloseUs: open.closeUs }
        : { timestampUs: reopenUs, isOpen: true, nextOpenUs: T0 + 24 * 3600 * SEC, nextCloseUs: open.closeUs };
    });
    await s.refresh();
    expect(s.session(T0)).toEqual({ isOpen: false, openUs: reopenUs, closeUs: open.closeUs });
    expect(s.session(reopenUs)).toEqual({ isOpen: true, openUs: reopenUs, closeUs: open.closeUs });
    wall.advance(30_000);
    await flush();
    expect(asked).toBe(2);
    expect(s.last?.isOpen).toBe(true);
    s.stop();
  });

  it('before any answer: closed, no hours known', () => {
    const s = new SessionClock(new WallClock({ originUs: T0, wall: new ManualWallTime() }), async () => {
      throw new Error('unreachable');
    });
    expect(s.session(T0)).toEqual({ isOpen: false, openUs: null, closeUs: null });
  });
});
