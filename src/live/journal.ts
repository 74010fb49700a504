/**
 * The live run's journal (OUT/journal.ndjson): one JSON line per decision and venue event,
 * appended and fsync'd BEFORE it is acted on, so a crash at any point leaves a file from which
 * `ladderlab live --resume OUT` rebuilds every parent (resume.ts):
 *   run     the parents, the run tag and client id prefix (first line)
 *   parent  a parent handed to the engine, with its arrival time and quote
 *   child   a child the engine made, just before the venue is asked for it (venue client id derivable)
 *   event   a venue event (ack, fill with execution id, cancel, reject, status) before the engine sees it
 *   done    a parent's record was final (status, reason)
 *   closed  the run ended and its records were written; `interrupted` runs stay resumable
 * A line cut short by a crash (no newline) is ignored on reading and cut off before a resumed run
 * appends (core/line-file.ts).
 */
import { existsSync } from 'node:fs';
import { LineAppender, readWholeLines } from '../core/line-file.ts';
import type { OrderEvent } from '../engine/ports.ts';
import type { ChildRecord, ParentOrder } from '../engine/types.ts';
import { InputError } from '../core/errors.ts';

export type JournalEntry =
  | { t: 'run'; runTag: string; clientIdPrefix: string; parents: ParentOrder[]; segment: number }
  | { t: 'parent'; id: string; arrivalTsUs: number; bid: number | null; ask: number | null; bidSize: number | null; askSize: number | null }
  | { t: 'child'; parent: string; runTag: string; child: ChildRecord }
  | { t: 'event'; event: OrderEvent }
  | { t: 'done'; parent: string; status: string; reason: string | null }
  | { t: 'closed'; interrupted: boolean };

export const JOURNAL_FILE = 'journal.ndjson';
/** The running `live` process's pid, for `ladderlab kill RUN_DIR`. */
export const LIVE_PID_FILE = 'live.pid';

export class Journal {
  private file: LineAppender | null;

  /** `truncate`: a new run; otherwise a resumed one appends (a line the crash cut short is cut off first). */
  constructor(readonly path: string, truncate: boolean) {
    this.file = new LineAppender(path, !truncate);
  }

  /** Append one line and fsync it: on disk before the caller acts. */
  append(entry: JournalEntry): void {
    this.file?.append(`${JSON.stringify(entry)}\n`, true);
  }

  close(): void {
    this.file?.close();
    this.file = null;
  }
}

export function readJournal(path: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  readWholeLines(path).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      throw new InputError(`${path}: line ${i + 1} is not a journal entry`);
    }
  });
  return entries;
}

/** Parents whose record is final: ended for a reason of their own, not by a stop (`shutdown`: resumable). */
export function finalParents(entries: readonly JournalEntry[]): string[] {
  return entries.filter((e): e is Extract<JournalEntry, { t: 'done' }> => e.t === 'done' && e.reason !== 'shutdown').map((e) => e.parent);
}

/**
 * Does `path` hold a run that is not finished — crashed (no `closed`), or stopped early with
 * parents left? Such a directory is only entered with --resume.
 */
export function journalUnfinished(path: string): boolean {
  if (!existsSync(path)) return false;
  const entries = readJournal(path);
  const closed = entries.filter((e) => e.t === 'closed').at(-1) as Extract<JournalEntry, { t: 'closed' }> | undefined;
  if (!closed) return entries.length > 0;
  if (!closed.interrupted) return false;
  const run = entries.find((e) => e.t === 'run') as Extract<JournalEntry, { t: 'run' }> | undefined;
  const done = new Set(finalParents(entries));
  return (run?.parents ?? []).some((p) => !done.has(p.clientOrderId));
}
