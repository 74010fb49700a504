/**
 * The clock a live run runs on: the engine's Clock plus what the adapters need from it. Two
 * implementations: WallClock (real time, optionally sped up against a loopback replay) and
 * LockstepClock (virtual time driven against `serve --speed lockstep`).
 */
import type { Clock } from '../engine/ports.ts';

export interface RunClock extends Clock {
  /** Clock seconds per wall second (waits expressed on the clock are divided by it). */
  readonly speed: number;
  /** A venue timestamp: if it is ahead of the clock, catch up to it (never back). */
  observe(tsUs: number): void;
  /** Lockstep only: outside work (a test's admin call) the clock waits for before it moves. */
  track?(work: Promise<unknown>): void;
  /** Drop every timer (end of run: nothing may keep the process alive). */
  stop(): void;
}
