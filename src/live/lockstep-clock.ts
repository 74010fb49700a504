/**
 * Lockstep rehearsal, the live side (`live.clock: lockstep` against `serve --speed lockstep`;
 * serve's side and the wire protocol are in src/serve/lockstep.ts). The run's clock is the
 * venue's virtual time, and it moves only when this side is quiet, so a rehearsal gives the same
 * records at any machine load — no wall-clock tolerance anywhere:
 *
 *   loop: wait until quiet (stream messages handed over, no REST call in flight, nothing queued
 *         for a later turn, no stream reconnecting, every piece of outside work `track`ed done)
 *         fire the timers due now (they may send orders: back to waiting until quiet)
 *         POST /admin/lockstep {until_us: next timer, received: messages received per stream}
 *         now = the answer's now_us; wait until every message the venue sent has been received
 *
 * Stream messages are held at the door (StreamGate) and handed over only at the loop's quiet
 * point, after the clock has moved to the answer's time: market data first, then trade updates,
 * then the timers due — the simulator's order at equal times — whatever order the two sockets and
 * the answer happened to arrive in.
 */
import type { TimerId } from '../engine/ports.ts';
import { TimerHeap } from '../core/timer-heap.ts';
import type { LiveApi, StreamQuoteMsg, StreamTradeMsg, TradeUpdateMsg } from './alpaca-api.ts';
import type { Keys } from './endpoints.ts';
import type { RunClock } from './run-clock.ts';

export interface StreamCounts {
  trade_updates: number;
  market_data: number;
}

export interface LockstepAnswer {
  nowUs: number;
  advanced: boolean;
  sent: StreamCounts;
}

/** The venue end of the protocol. */
export interface LockstepLink {
  /** `untilUs` null: to the next venue event. */
  step(untilUs: number | null, received: StreamCounts): Promise<LockstepAnswer>;
}

/** What the driver waits for on the live side. */
export interface LockstepParty {
  /** Stream messages received since each stream last (re)connected. */
  received(): StreamCounts;
  /** Resolves once no REST call is in flight and nothing is queued for a later turn. */
  settle(): Promise<void>;
  /** A stream is down and may come back: messages may still be on the way. */
  reconnecting(): boolean;
  /** Hand over the stream messages held at the door; true when there were any. */
  flush(): boolean;
}

interface Timer {
  atUs: number;
  seq: number;
  callback: (() => void) | null;
}

/** Quiet polls while waiting for messages or a reconnect (wall time: liveness only, never results). */
const POLL_MS = 1;
/** Nothing due anywhere: ask again after this long. */
const IDLE_MS = 5;

export class LockstepClock implements RunClock {
  readonly speed = 1;
  private now: number;
  private readonly heap = new TimerHeap<Timer>((a, b) => (a.atUs !== b.atUs ? a.atUs < b.atUs : a.seq < b.seq));
  private readonly pending = new Map<TimerId, Timer>();
  private seq = 0;
  private stopped = false;
  private readonly work = new Set<Promise<unknown>>();

  constructor(
    startUs: number,
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
  ) {
    this.now = startUs;
  }

  nowUs(): number {
    return this.now;
  }

  setTimer(atUs: number, callback: () => void): TimerId {
    const seq = ++this.seq;
    const timer: Timer = { atUs, seq, callback };
    this.pending.set(seq, timer);
    this.heap.push(timer);
    return seq;
  }

  cancelTimer(id: TimerId): void {
    const timer = this.pending.get(id);
    if (!timer) return;
    timer.callback = null;
    this.pending.delete(id);
  }

  /** Venue timestamps never lead the lockstep clock: it IS the venue's time. */
  observe(): void {}

  /** Outside work (a test's admin call from a timer) the clock waits for before moving on. */
  track(work: Promise<unknown>): void {
    const tracked = work.catch((err) => this.onError(err)).finally(() => this.work.delete(tracked));
    this.work.add(tracked);
  }

  async settleWork(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending.values()) timer.callback = null;
    this.pending.clear();
    this.heap.clear();
  }

  isStopped(): boolean {
    return this.stopped;
  }

  /** The earliest pending timer, Infinity when none. */
  nextTimerUs(): number {
    return this.heap.peek()?.atUs ?? Infinity;
  }

  /** Move to the venue's time (never back). */
  moveTo(us: number): void {
    if (us > this.now) this.now = us;
  }

  /** Run every timer due now, in (atUs, insertion) order, including those set meanwhile for now. */
  fireDue(): void {
    for (;;) {
      const head = this.heap.peek();
      if (!head || head.atUs > this.now || this.stopped) return;
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
  }
}

const wallSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const sameCounts = (a: StreamCounts, b: StreamCounts) => a.trade_updates === b.trade_updates && a.market_data === b.market_data;

/** Runs the loop in the header until `stop`. */
export class LockstepDriver {
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly clock: LockstepClock,
    private readonly link: LockstepLink,
    private readonly party: LockstepParty,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.running ??= this.loop().catch((err) => {
      if (!this.stopped) this.onError(err);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && !this.clock.isStopped()) {
      await this.quiet();
      if (this.stopped) return;
      this.clock.fireDue();
      if (this.clock.nextTimerUs() <= this.clock.nowUs()) continue;
      await this.quiet();
      if (this.stopped) return;
      const next = this.clock.nextTimerUs();
      const answer = await this.link.step(Number.isFinite(next) ? next : null, this.party.received());
      this.clock.moveTo(answer.nowUs);
      const caughtUp = await this.receive(answer.sent);
      if (caughtUp && !answer.advanced && this.clock.nextTimerUs() > this.clock.nowUs()) await wallSleep(IDLE_MS);
    }
  }

  /** Until every REST call, later turn and tracked piece of work is done and no stream is reconnecting. */
  private async quiet(): Promise<void> {
    for (;;) {
      await this.party.settle();
      await this.clock.settleWork();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      if (this.party.flush()) continue;
      if (this.party.reconnecting()) {
        await wallSleep(POLL_MS);
        continue;
      }
      return;
    }
  }

  /** Wait until the messages the venue sent have been received (false: a stream dropped meanwhile). */
  private async receive(sent: StreamCounts): Promise<boolean> {
    for (;;) {
      const got = this.party.received();
      if (sameCounts(got, sent)) return true;
      if (this.stopped || this.party.reconnecting()) return false;
      // More than sent: a connection the venue already closed still counts here until our side sees it close.
      await wallSleep(POLL_MS);
    }
  }
}

/** The venue end over HTTP: POST {baseUrl}/admin/lockstep with the run's keys (never logged). */
export function httpLockstepLink(baseUrl: string, keys: Keys): LockstepLink {
  return {
    async step(untilUs, received) {
      const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/admin/lockstep`, {
        method: 'POST',
        headers: { 'APCA-API-KEY-ID': keys.keyId, 'APCA-API-SECRET-KEY': keys.secret, 'content-type': 'application/json' },
        body: JSON.stringify({ until_us: untilUs, received }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`lockstep: ${res.status} ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as { now_us: number; advanced: boolean; sent: StreamCounts };
      return { nowUs: body.now_us, advanced: body.advanced, sent: body.sent };
    },
  };
}

/**
 * Holds stream messages until the lockstep loop hands them over (copies: the stream adapters
 * refill one message object per stream). Market data goes before trade updates.
 */
export class StreamGate {
  private readonly data: (() => void)[] = [];
  private readonly updates: (() => void)[] = [];

  flush(): boolean {
    if (this.data.length === 0 && this.updates.length === 0) return false;
    const run = [...this.data.splice(0), ...this.updates.splice(0)];
    for (const deliver of run) deliver();
    return true;
  }

  /** The same API with its stream listeners behind this gate. */
  wrap(api: LiveApi): LiveApi {
    const data = this.data;
    const updates = this.updates;
    const ds = api.dataStream;
    const ts = api.tradeStream;
    return {
      trading: api.trading,
      data: api.data,
      dataStream: {
        connect: () => ds.connect(),
        whenReady: (ms) => ds.whenReady(ms),
        close: () => ds.close(),
        onState: (listener) => ds.onState(listener),
        received: () => ds.received?.() ?? 0,
        subscribe: (symbols) => ds.subscribe(symbols),
        onQuote: (listener: (q: StreamQuoteMsg) => void) => ds.onQuote((q) => void data.push(((copy) => () => listener(copy))({ ...q }))),
        onTrade: (listener: (t: StreamTradeMsg) => void) => ds.onTrade((t) => void data.push(((copy) => () => listener(copy))({ ...t }))),
      },
      tradeStream: {
        connect: () => ts.connect(),
        whenReady: (ms) => ts.whenReady(ms),
        close: () => ts.close(),
        onState: (listener) => ts.onState(listener),
        received: () => ts.received?.() ?? 0,
        onUpdate: (listener: (u: TradeUpdateMsg) => void) => ts.onUpdate((u) => void updates.push(() => listener(u))),
      },
    };
  }
}
