/**
 * vitest globalSetup: every temporary directory the suite makes (os.tmpdir(), mkdtemp) goes under
 * one fresh root, removed when the run ends — hundreds of run directories, tapes and queues per run
 * would otherwise pile up in /tmp. Workers and the CLI processes the tests spawn inherit TMPDIR.
 * LADDERLAB_KEEP_TEST_TMP=1 keeps the root (its path is printed) to inspect a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'ladderlab-test-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (process.env.LADDERLAB_KEEP_TEST_TMP === '1') process.stdout.write(`test temporary files kept in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  };
}
