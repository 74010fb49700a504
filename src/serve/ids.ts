/**
 * Order, client-order and execution ids: UUID v4-shaped strings from a seeded stream, so a
 * replay with the same seed hands out the same ids (determinism), and nothing else draws from it.
 */
import { makeRng } from '../core/rng.ts';

export function uuidSource(seed: number | string): () => string {
  const rng = makeRng(seed, 'serve:ids');
  return () => {
    let hex = '';
    for (let i = 0; i < 16; i++) {
      let byte = Math.floor(rng() * 256);
      if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
      if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
      hex += byte.toString(16).padStart(2, '0');
    }
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
