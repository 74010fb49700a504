/**
 * The data fingerprint of a tape directory: sha256 over every symbol-day's name and the bytes of
 * its quotes and trades files, in listing order. A queue job carries the coordinator's; a worker
 * whose copy of the data differs refuses the job. Cached per process by the files' sizes and
 * mtimes, so a worker hashes its data once.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { listTapes, tapePath } from '../data/tape/files.ts';

const cache = new Map<string, { stats: string; fingerprint: string }>();

export function dataFingerprint(dir: string): string {
  const files = listTapes(dir).flatMap(({ symbol, day }) => [tapePath(dir, symbol, day, 'quotes'), tapePath(dir, symbol, day, 'trades')]);
  const stats = files.map((f) => `${f}\t${statSync(f).size}\t${statSync(f).mtimeMs}`).join('\n');
  const cached = cache.get(dir);
  if (cached?.stats === stats) return cached.fingerprint;
  const hash = createHash('sha256');
  for (const { symbol, day } of listTapes(dir)) {
    hash.update(`${symbol}\0${day}\0`);
    hash.update(readFileSync(tapePath(dir, symbol, day, 'quotes'))).update('\0');
    hash.update(readFileSync(tapePath(dir, symbol, day, 'trades'))).update('\0');
  }
  const fingerprint = hash.digest('hex').slice(0, 32);
  cache.set(dir, { stats, fingerprint });
  return fingerprint;
}
