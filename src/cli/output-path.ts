/**
 * Output paths are checked before any work is done, so a wrong --out is bad input (exit 2, a
 * message naming the flag and the path) rather than a stack trace after minutes of work:
 *   a directory output   must not be an existing file; its nearest existing ancestor must be writable
 *   a file output        must not be a directory; its directory's nearest existing ancestor must be writable
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

function assertWritable(flag: string, path: string, dir: string): void {
  const existing = nearestExisting(dir);
  if (!statSync(existing).isDirectory()) throw new InputError(`${flag} ${path}: ${existing} is a file, not a directory`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new InputError(`${flag} ${path}: cannot write in ${existing} (permission denied)`);
  }
}

/** An output directory (backtest --out). */
export function checkOutputDir(flag: string, path: string): string {
  const abs = resolve(path);
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new InputError(`${flag} ${path}: exists and is a file; give a directory`);
  assertWritable(flag, path, abs);
  return abs;
}

/** An output file (report --out). */
export function checkOutputFile(flag: string, path: string): string {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new InputError(`${flag} ${path}: is a directory; give a file name such as ${path.replace(/\/$/, '')}/report.html`);
  assertWritable(flag, path, dirname(abs));
  return abs;
}
