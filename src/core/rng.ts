/**
 * The one seeded-random constructor (DESIGN: all randomness flows from seedrandom with the config
 * seed). Every stream is named after its use — `${seed}:${stream}` — so adding draws to one stream
 * never shifts another (common random numbers across sweep cells).
 */
import seedrandom from 'seedrandom';

/** Uniform in [0, 1), deterministic for its key. */
export type Rng = () => number;

/** A stream for a full key; the only place seedrandom is called. */
export function seededRandom(key: string): Rng {
  return seedrandom(key);
}

/** A stream named after its use under the run's seed. */
export function makeRng(seed: number | string, stream: string): Rng {
  return seededRandom(`${seed}:${stream}`);
}
