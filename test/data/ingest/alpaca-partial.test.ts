/**
 * When an Alpaca download "ends well before what was asked" (alpaca-download.ts partialDownload):
 * the expected end is the regular close of the last TRADING day ≤ the requested end — holidays
 * skipped, early closes at 13:00 New York.
 */
import { describe, expect, it } from 'vitest';
import { partialDownload } from '../../../src/data/ingest/alpaca-download.ts';

const endOfNyDay = (day: string) => Date.parse(`${day}T23:59:59.999-04:00`);

describe('partialDownload', () => {
  it('a download asked to the 4th of July (a holiday) is whole when it reaches the 3rd\'s 13:00 early close', () => {
    expect(partialDownload('IBM', 1000, '2024-07-03T16:59:00Z', endOfNyDay('2024-07-04'), 'serve')).toBeUndefined();
    // more than 30 minutes short of that close: partial, measured from the 13:00 close
    expect(partialDownload('IBM', 10, '2024-07-03T14:00:00Z', endOfNyDay('2024-07-04'), 'serve')).toBe(
      'IBM: the download from serve ends at 2024-07-03T14:00:00Z, 3.0 h before the requested end 2024-07-03T17:00:00.000Z (10 quotes)',
    );
  });

  it('Christmas Day falls back to the 24th\'s early close; a weekend to Friday\'s 16:00', () => {
    expect(partialDownload('BAC', 5, '2024-12-24T17:45:00Z', Date.parse('2024-12-25T23:59:59.999-05:00'), 'serve')).toBeUndefined();
    expect(partialDownload('BAC', 5, '2024-03-08T20:45:00Z', Date.parse('2024-03-10T23:59:59.999-04:00'), 'serve')).toBeUndefined();
    expect(partialDownload('BAC', 5, '2024-03-08T19:00:00Z', Date.parse('2024-03-10T23:59:59.999-04:00'), 'serve')).toMatch(/2\.0 h before the requested end 2024-03-08T21:00:00\.000Z/);
  });
});
