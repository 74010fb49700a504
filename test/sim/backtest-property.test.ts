/**
 * Property test over random tapes, ladder configs, fill models, latencies and parents:
 *   · filled ≤ parent qty, and the fills add up to the filled qty;
 *   · every parent ends filled, or with a stated reason;
 *   · no fill is worse than its child's limit;
 *   · time never runs backwards (the clock, and every child's sent ≤ ack ≤ done and fills in between).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { ParentOrder } from '../../src/engine/types.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { randomTape, SEC, T0 } from './sim-fixtures.ts';

/** A clock that records every time it stands at and fails on a step back. */
class CheckedClock extends VirtualClock {
  last = -Infinity;
  steps = 0;
  private check(): void {
    const now = this.nowUs();
    if (now < this.last) throw new Error(`time ran backwards: ${now} < ${this.last}`);
    this.last = now;
    this.steps++;
  }
  override advanceTo(tUs: number): void {
    super.advanceTo(tUs);
    this.check();
  }
  override runNext(): boolean {
    const ran = super.runNext();
    this.check();
    return ran;
  }
}

const latencyArb = fc.record({
  ms: fc.constantFrom(0, 0.5, 3, 40),
  jitter: fc.constantFrom('none', 'lognormal'),
  sigma: fc.constantFrom(0.3, 1),
});

const scenarioArb = fc.record({
  tapeSeed: fc.integer({ min: 1, max: 1_000_000 }),
  stepMs: fc.constantFrom(5, 40, 300, 2000),
  tradeEvery: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  fillModel: fc.constantFrom('through', 'touch', 'queue'),
  pTouch: fc.constantFrom(0, 0.3, 1),
  queuePower: fc.constantFrom(1, 2, 3),
  steps: fc.integer({ min: 1, max: 5 }),
  stepTimeoutS: fc.constantFrom(0.5, 3, 15),
  maxExecutionS: fc.constantFrom(5, 60, 120),
  collarTicks: fc.integer({ min: 0, max: 5 }),
  maxRetries: fc.integer({ min: 0, max: 3 }),
  reprice: fc.constantFrom('current', 'arrival'),
  latency: fc.record({ entry: latencyArb, cancel: latencyArb, response: latencyArb, feed: latencyArb }),
  parents: fc.array(
    fc.record({ side: fc.constantFrom('buy' as const, 'sell' as const), lots: fc.integer({ min: 1, max: 30 }), atS: fc.integer({ min: 0, max: 200 }) }),
    { minLength: 1, maxLength: 8 },
  ),
});

describe('backtest invariants (fast-check)', () => {
  it("holds for random tapes, configs and parents", () => {
    const tally: Record<string, number> = {};
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const config = parseConfig({
          seed: s.seed,
          execution: {
            progressive_steps: s.steps,
            step_timeout_buy: s.stepTimeoutS,
            step_timeout_sell: s.stepTimeoutS,
            max_execution_time: s.maxExecutionS,
            reprice: s.reprice,
            market_step: { collar_ticks: s.collarTicks, max_retries: s.maxRetries, retry_after_s: 1 },
          },
          sim: { fill_model: s.fillModel, p_touch: s.pTouch, queue_power: s.queuePower, latency: s.latency },
        });
        const quoteCount = Math.ceil((400 * 1000) / s.stepMs);
        const tape = randomTape(s.tapeSeed, Math.min(quoteCount, 20_000), { stepMs: s.stepMs, tradeEvery: s.tradeEvery });
        const parents: ParentOrder[] = s.parents.map((p, i) => ({
          clientOrderId: `p${i}`,
          symbol: 'XYZ',
          side: p.side,
          qty: p.lots * 100,
          arrivalTsUs: T0 + p.atS * SEC,
        }));
        const clock = new CheckedClock(T0 - SEC);
        const { records } = runBacktest({ config, tapes: [tape], parents, clock });

        expect(records).toHaveLength(parents.length);
        for (const r of records) {
          expect(r.filledQty).toBeLessThanOrEqual(r.qty);
          const fillSum = r.children.reduce((sum, c) => sum + c.fills.reduce((a, f) => a + f.qty, 0), 0);
          expect(fillSum).toBe(r.filledQty);
          if (r.status === 'filled') expect(r.filledQty).toBe(r.qty);
          else expect(r.reason).not.toBeNull();
          expect(r.endTsUs).toBeGreaterThanOrEqual(r.arrivalTsUs);
          for (const c of r.children) {
            expect(c.sentTsUs).toBeGreaterThanOrEqual(r.arrivalTsUs);
            if (c.ackTsUs !== null) expect(c.ackTsUs).toBeGreaterThanOrEqual(c.sentTsUs);
            if (c.doneTsUs !== null) expect(c.doneTsUs).toBeGreaterThanOrEqual(c.sentTsUs);
            let prevFillUs = c.sentTsUs;
            for (const f of c.fills) {
              if (r.side === 'buy') expect(f.price).toBeLessThanOrEqual(c.limitPrice + 1e-9);
              else expect(f.price).toBeGreaterThanOrEqual(c.limitPrice - 1e-9);
              expect(f.tsUs).toBeGreaterThanOrEqual(prevFillUs);
              prevFillUs = f.tsUs;
            }
            if (c.doneTsUs !== null && c.fills.length > 0) expect(c.doneTsUs).toBeGreaterThanOrEqual(prevFillUs);
          }
        }
        expect(clock.steps).toBeGreaterThan(0);
        for (const r of records) tally[r.status] = (tally[r.status] ?? 0) + 1;
      }),
      { numRuns: 120, seed: 20240305 },
    );
    // the scenarios exercise every outcome, not only rejections
    expect(tally.filled).toBeGreaterThan(50);
    expect((tally.partial ?? 0) + (tally.unfilled ?? 0)).toBeGreaterThan(0);
  }, 120_000);
});
