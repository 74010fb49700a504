/**
 * The bootstrap's block draws (bootstrap.ts): drawn[r·B + b] = times block b is drawn in
 * replicate r, B blocks drawn with replacement per replicate from the stream seeded by the config
 * seed and the table's label — replicate r takes the stream's uniforms r·B … r·B + B − 1 and
 * draws block ⌊u·B⌋ for each.
 *
 * Drawing is kept, not repeated: a sweep analyzes a thousand cells with the same seed and labels
 * (their block counts vary with which parents filled), and generating the uniforms (seedrandom's
 * ARC4, 7 bytes a uniform) was 40 % of a sweep cell's time. So each stream's uniforms are kept
 * (STREAMS_KEPT streams, grown on demand: the same numbers whatever the block count asks for), and
 * the newest DRAWS_KEPT draw tables too. Returned arrays are shared: read only.
 */
import { seededUniformStream } from '../core/rng.ts';

const STREAMS_KEPT = 16;
const DRAWS_KEPT = 16;

interface KeptStream {
  next: (out: Float64Array) => void;
  uniforms: Float64Array;
}

const keptStreams = new Map<string, KeptStream>();
const keptDraws = new Map<string, Uint16Array>();

/**
 * Block multiplicities of every replicate (≤ B; 16 bits: a block drawn 65,536 times in one
 * replicate is beyond any run's odds). The same seed and label give the same draws.
 */
export function drawBlocks(blockCount: number, replicates: number, seed: string | number, label: string): Uint16Array {
  const streamKey = `${seed}/bootstrap/${label}`;
  const key = `${blockCount}|${replicates}|${streamKey}`;
  const kept = keptDraws.get(key);
  if (kept) return kept;
  const u = uniforms(streamKey, blockCount * replicates);
  const drawn = new Uint16Array(blockCount * replicates);
  for (let r = 0; r < replicates; r++) {
    const base = r * blockCount;
    for (let b = 0; b < blockCount; b++) drawn[base + Math.floor(u[base + b] * blockCount)] += 1;
  }
  keep(keptDraws, DRAWS_KEPT, key, drawn);
  return drawn;
}

/** The first `count` uniforms of the stream seeded with `streamKey` (a view of the kept array). */
function uniforms(streamKey: string, count: number): Float64Array {
  let stream = keptStreams.get(streamKey);
  if (!stream) {
    stream = { next: seededUniformStream(streamKey), uniforms: new Float64Array(0) };
    keep(keptStreams, STREAMS_KEPT, streamKey, stream);
  }
  const have = stream.uniforms.length;
  if (count > have) {
    const grown = new Float64Array(Math.max(count, 2 * have));
    grown.set(stream.uniforms);
    stream.next(grown.subarray(have)); // the stream goes on where it stopped: the same numbers as one long call
    stream.uniforms = grown;
  }
  return stream.uniforms.subarray(0, count);
}

function keep<V>(map: Map<string, V>, most: number, key: string, value: V): void {
  if (map.size >= most) map.delete(map.keys().next().value!);
  map.set(key, value);
}
