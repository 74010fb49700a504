/** Step pricing throughput: the pure function every step and every sweep cell calls (3 rounds). */
import { defaultConfig } from '../../src/config.ts';
import { ladderParams, stepPrice } from '../../src/engine/ladder.ts';
import { timeSync, type BenchSection } from './harness.ts';

export async function section(): Promise<BenchSection> {
  const params = ladderParams(defaultConfig().execution);
  const n = 2_000_000;
  let sink = 0;
  return {
    cases: [
      {
        name: 'ladder stepPrice calls/s',
        unit: 'calls/s',
        measure: () =>
          n /
          timeSync(() => {
            for (let i = 0; i < n; i++) {
              const bid = 100 + (i % 500) * 0.01;
              sink += stepPrice({ bid, ask: bid + 0.03 + (i % 7) * 0.01 }, i & 1 ? 'buy' : 'sell', i & 3, params, 100);
            }
          }),
      },
    ],
    teardown: () => {
      if (sink === 42) console.log('');
    },
  };
}
