/**
 * Never leave a half-written output: every file goes to a temp name beside its final name, and
 * all are renamed only once every one is complete. On failure the temps are removed and any
 * earlier outputs stay as they were.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFilesAtomic(files: Record<string, string | Uint8Array>): void {
  const temps: [string, string][] = [];
  try {
    for (const [final, content] of Object.entries(files)) {
      mkdirSync(dirname(final), { recursive: true });
      const temp = `${final}.tmp-${process.pid}`;
      writeFileSync(temp, content);
      temps.push([temp, final]);
    }
    for (const [temp, final] of temps) renameSync(temp, final);
  } catch (err) {
    for (const [temp] of temps) rmSync(temp, { force: true });
    throw err;
  }
}

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  writeFilesAtomic({ [path]: content });
}
