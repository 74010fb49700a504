/** seededUniforms is seedrandom's stream bit for bit (the bootstrap's draws must not change). */
import { describe, expect, it } from 'vitest';
import { seededRandom, seededUniforms } from '../../src/core/rng.ts';

describe('seededUniforms', () => {
  for (const key of ['42/bootstrap/overall', '', 'x', 'seed with spaces/ünïcode']) {
    it(`equals seededRandom(${JSON.stringify(key)}) for 200,000 draws`, () => {
      const slow = seededRandom(key);
      const fast = seededUniforms(key, 200_000);
      for (let i = 0; i < 200_000; i++) {
        const a = slow();
        const b = fast[i];
        if (a !== b) expect(`${i}: ${b}`).toBe(`${i}: ${a}`);
      }
    });
  }
});
