/**
 * WallClock: the engine's Clock on real time, optionally sped up for rehearsals against `serve`.
 *
 *   nowUs = originUs + speed · (wallMs − wallOriginMs) · 1000 + aheadUs
 *
 * `originUs` is where the run starts (the venue's clock on a replay, the system time live);
 * `speed` must be 1 unless every endpoint is loopback (`assertSpeedAllowed`). `aheadUs` only
 * grows: `observe(tsUs)` moves the clock forward to a venue timestamp it has fallen behind (the
 * venue's clock is the reference; a replay's clock endpoint answers in whole seconds), so events
 * are never stamped before they happened. Time never runs backwards.
 *
 * Timers live in one min-heap on (atUs, seq) behind a single host timeout, re-armed when the head
 * changes or the clock jumps; callbacks due together run in (atUs, insertion) order.
 */
import type { Clock, TimerId } from '../engine/ports.ts';
import { InputError } from '../core/errors.ts';
import { TimerHeap } from '../core/timer-heap.ts';

/** The host's real time and timeouts (injectable so tests drive time by hand). */
export interface WallTime {
  nowMs(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemWallTime: WallTime = {
  nowMs: () => performance.timeOrigin + performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WallClockOptions {
  /** Epoch µs at start; the system time when omitted. */
  originUs?: number;
  /** Clock seconds per wall second (1 = real time). */
  speed?: number;
  wall?: WallTime;
  /** A timer callback threw: the run decides what to do (the clock keeps going). */
  onError?: (err: unknown) => void;
}

interface Timer {
  atUs: number;
  seq: number;
  callback: (() => void) | null;
}

export class WallClock implements Clock {
  readonly speed: number;
  private readonly wall: WallTime;
  private readonly originUs: number;
  private readonly wallOriginMs: number;
  private aheadUs = 0;
  private lastUs: number;
  private readonly heap = new TimerHeap<Timer>((a, b) => (a.atUs !== b.atUs ? a.atUs < b.atUs : a.seq < b.seq));
  private readonly pending = new Map<TimerId, Timer>();
  private seq = 0;
  private armed: { handle: unknown; atUs: number } | null = null;
  private stopped = false;
  private readonly onError: (err: unknown) => void;

  constructor(options: WallClockOptions = {}) {
    const speed = options.speed ?? 1;
    if (!(speed > 0) || !Number.isFinite(speed)) throw new InputError(`live.speed ${speed}: expected a number > 0`);
    this.speed = speed;
    this.wall = options.wall ?? systemWallTime;
    this.wallOriginMs = this.wall.nowMs();
    this.originUs = Math.round(options.originUs ?? this.wallOriginMs * 1000);
    this.lastUs = this.originUs;
    this.onError = options.onError ?? ((err) => { throw err; });
  }

  nowUs(): number {
    const us = Math.round(this.originUs + this.speed * (this.wall.nowMs() - this.wallOriginMs) * 1000) + this.aheadUs;
    if (us > this.lastUs) this.lastUs = us;
    return this.lastUs;
  }

  /** Clock ms → wall ms (for network waits expressed on the run's clock). */
  toWallMs(clockMs: number): number {
    return clockMs / this.speed;
  }

  /** A venue timestamp: if it is ahead of us, catch up to it (never back). */
  observe(tsUs: number): void {
    if (!Number.isFinite(tsUs)) return;
    const now = this.nowUs();
    if (tsUs > now) {
      this.aheadUs += tsUs - now;
      this.lastUs = tsUs;
      this.arm(true);
    }
  }

  setTimer(atUs: number, callback: () => void): TimerId {
    const seq = ++this.seq;
    const timer: Timer = { atUs, seq, callback };
    this.pending.set(seq, timer);
    this.heap.push(timer);
    this.arm();
    return seq;
  }

  cancelTimer(id: TimerId): void {
    const timer = this.pending.get(id);
    if (!timer) return;
    timer.callback = null;
    this.pending.delete(id);
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Drop every timer and the host timeout (end of run: nothing may keep the process alive). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.pending.values()) timer.callback = null;
    this.pending.clear();
    this.heap.clear();
    if (this.armed) this.wall.clearTimeout(this.armed.handle);
    this.armed = null;
  }

  // ── firing ─────────────────────────────────────────────────────────────────────────────

  /** (Re)start the host timeout for the earliest timer; `force` after a jump moved every wait. */
  private arm(force = false): void {
    if (this.stopped) return;
    const head = this.heap.peek();
    if (!head) {
      if (this.armed) this.wall.clearTimeout(this.armed.handle);
      this.armed = null;
      return;
    }
    if (!force && this.armed && this.armed.atUs === head.atUs) return;
    if (this.armed) this.wall.clearTimeout(this.armed.handle);
    // Clock µs until due → wall ms; at least 0 (a past time fires on the next turn).
    const waitMs = Math.max(0, (head.atUs - this.nowUs()) / 1000 / this.speed);
    const atUs = head.atUs;
    this.armed = { atUs, handle: this.wall.setTimeout(() => this.fire(), Math.ceil(waitMs)) };
  }

  private fire(): void {
    this.armed = null;
    const now = this.nowUs();
    for (;;) {
      const head = this.heap.peek();
      if (!head || head.atUs > now || this.stopped) break;
      this.heap.pop();
      this.pending.delete(head.seq);
      const callback = head.callback!;
      head.callback = null;
      try {
        callback();
      } catch (err) {
        this.onError(err);
      }
    }
    this.arm();
  }
}

/** Is `url`'s host the local machine (127.0.0.0/8, ::1, localhost)? */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * A speed other than 1 only makes sense against a replay: refuse it unless every endpoint is on
 * this machine (a sped-up clock against a real venue would fire every timer early).
 */
export function assertSpeedAllowed(speed: number, urls: readonly string[]): void {
  if (speed === 1) return;
  const remote = urls.filter((u) => !isLoopbackUrl(u));
  if (remote.length > 0) {
    throw new InputError(`live.speed ${speed}: a speed other than 1 is only allowed against a loopback server (e.g. ladderlab serve); not loopback: ${remote.join(', ')}`);
  }
}
