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

/**
 * The same stream in pieces: each call fills `out` with the next out.length uniforms.
 *
 * seedrandom builds a double from bytes b₁ b₂ …: n = b₁…b₆ (48 bits), then n = (n + x)·256 with
 * the next byte x until n ≥ 2^52, then halves n (dropping x's low bits) while n ≥ 2^53, and
 * returns (n + x)/d. When b₁ ≥ 16 (15 draws in 16) exactly one more byte b₇ is read and, with s =
 * the halvings (bit length of b₁b₂b₃ − 21, 0 … 3), the result is the exact double
 *     u = b₁b₂b₃·2^−24 + (b₄b₅b₆·2^8 + ⌊b₇/2^s⌋·2^s)·2^−56
 * computed here in 32-bit integers (the same value, so the same bits); b₁ < 16 takes
 * seedrandom's loop from there.
 */
export function seededUniformStream(key: string): (out: Float64Array) => void {
  const state = (seedrandom(key, { state: true }) as unknown as { state(): { i: number; j: number; S: number[] } }).state();
  const S = Uint8Array.from(state.S);
  let i = state.i;
  let j = state.j;
  /** The next ARC4 byte. */
  const byte = (): number => {
    i = (i + 1) & 255;
    const t = S[i];
    j = (j + t) & 255;
    const u = S[j];
    S[i] = u;
    S[j] = t;
    return S[(u + t) & 255];
  };
  return (out) => {
    for (let c = 0; c < out.length; c++) {
      // seven ARC4 steps, written out (the hot loop of the report's bootstrap)
      let hi = 0;
      let lo = 0;
      for (let k = 0; k < 3; k++) {
        i = (i + 1) & 255;
        const t = S[i];
        j = (j + t) & 255;
        const u = S[j];
        S[i] = u;
        S[j] = t;
        hi = (hi << 8) | S[(u + t) & 255];
      }
      for (let k = 0; k < 3; k++) {
        i = (i + 1) & 255;
        const t = S[i];
        j = (j + t) & 255;
        const u = S[j];
        S[i] = u;
        S[j] = t;
        lo = (lo << 8) | S[(u + t) & 255];
      }
      const b7 = byte();
      if (hi >= 0x100000) {
        const s = 11 - Math.clz32(hi); // bit length of hi − 21
        out[c] = hi * 5.9604644775390625e-8 + (lo * 256 + ((b7 >> s) << s)) * 1.3877787807814457e-17; // 2^−24, 2^−56
        continue;
      }
      out[c] = slowTail(hi * 16777216 + lo, b7, byte);
    }
  };
}

/** seedrandom's loop after b₁…b₇ when b₁ < 16 (n6 < 2^44): more bytes until 52 significant bits. */
function slowTail(n6: number, b7: number, byte: () => number): number {
  let n = n6 * 256;
  let d = 72057594037927936; // 2^56
  let x = b7;
  while (n < 4503599627370496) {
    // 2^52 significant bits
    n = (n + x) * 256;
    d *= 256;
    x = byte();
  }
  while (n >= 9007199254740992) {
    // 2^53: shift right rather than round up
    n /= 2;
    d /= 2;
    x >>>= 1;
  }
  return (n + x) / d;
}
