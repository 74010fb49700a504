/**
 * Append-only line files (src/core/line-file.ts), as the live journal, the live tape rows and the
 * sweep's cell journal use them: a line a crash cut short is never read, and never glued to.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineAppender, readWholeLines } from '../../src/core/line-file.ts';
import { Journal, readJournal } from '../../src/live/journal.ts';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'line-file-')), 'f.txt');
  writeFileSync(path, text);
  return path;
};

describe('line files', () => {
  it('readWholeLines: whole lines only; nothing for an empty file or one torn line', () => {
    expect(readWholeLines(file('a\nbb\n'))).toEqual(['a', 'bb']);
    expect(readWholeLines(file('a\nbb\nc'))).toEqual(['a', 'bb']);
    expect(readWholeLines(file('torn'))).toEqual([]);
    expect(readWholeLines(file(''))).toEqual([]);
    expect(readWholeLines(file('é\n'))).toEqual(['é']);
  });

  it('keep: a torn tail is cut before the next line, even one longer than the 64 KB read-back', () => {
    const short = file('a\nb\ntor');
    const appender = new LineAppender(short, true);
    appender.append('c\n');
    appender.close();
    expect(readFileSync(short, 'utf8')).toBe('a\nb\nc\n');

    const long = file(`first\n${'x'.repeat(200_000)}`);
    new LineAppender(long, true).append('second\n');
    expect(readFileSync(long, 'utf8')).toBe('first\nsecond\n');

    const noNewline = file('only a fragment');
    new LineAppender(noNewline, true).append('fresh\n');
    expect(readFileSync(noNewline, 'utf8')).toBe('fresh\n');
  });

  it('not keep: the file starts empty', () => {
    const path = file('old\n');
    new LineAppender(path, false).append('new\n');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
  });

  it('a live journal resumed after a crash mid-line stays readable (the next entry is not glued to the fragment)', () => {
    const path = file('');
    const first = new Journal(path, true);
    first.append({ t: 'closed', interrupted: true });
    first.close();
    appendFileSync(path, '{"t":"done","parent":"b1","sta'); // the crash
    const resumed = new Journal(path, false);
    resumed.append({ t: 'done', parent: 's1', status: 'filled', reason: null });
    resumed.close();
    expect(readJournal(path)).toEqual([
      { t: 'closed', interrupted: true },
      { t: 'done', parent: 's1', status: 'filled', reason: null },
    ]);
  });
});
