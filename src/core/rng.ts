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

/**
 * `count` uniforms of the stream seededRandom(key), bit for bit, into a Float64Array, for hot
 * loops (the report's block bootstrap draws millions): seedrandom's ARC4 state is taken once and
 * stepped here over a Uint8Array. One double = 6 ARC4 bytes, then more bytes until 52
 * significant bits, exactly as seedrandom's prng() builds it.
 */
export function seededUniforms(key: string, count: number): Float64Array {
  const out = new Float64Array(count);
  seededUniformStream(key)(out);
  return out;
}

/** The same stream in pieces: each call fills `out` with the next out.length uniforms. */
export function seededUniformStream(key: string): (out: Float64Array) => void {
  const state = (seedrandom(key, { state: true }) as unknown as { state(): { i: number; j: number; S: number[] } }).state();
  const S = Uint8Array.from(state.S);
  let i = state.i;
  let j = state.j;
  return (out) => {
    for (let c = 0; c < out.length; c++) {
      let n = 0;
      for (let b = 0; b < 6; b++) {
        i = (i + 1) & 255;
        const t = S[i];
        j = (j + t) & 255;
        const u = S[j];
        S[i] = u;
        S[j] = t;
        n = n * 256 + S[(u + t) & 255];
      }
      let d = 281474976710656; // 2^48
      let x = 0;
      while (n < 4503599627370496) {
        // 2^52 significant bits
        n = (n + x) * 256;
        d *= 256;
        i = (i + 1) & 255;
        const t = S[i];
        j = (j + t) & 255;
        const u = S[j];
        S[i] = u;
        S[j] = t;
        x = S[(u + t) & 255];
      }
      while (n >= 9007199254740992) {
        // 2^53: shift right rather than round up
        n /= 2;
        d /= 2;
        x >>>= 1;
      }
      out[c] = (n + x) / d;
    }
  };
}
