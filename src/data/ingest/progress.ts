/**
 * Progress of an ingest: named stages (read quotes, read trades, write tape, summarize) and,
 * while reading, bytes. The CLI passes a cli-progress bar on stderr (only when stderr is a TTY);
 * library callers and tests pass nothing. Reading a small input (< PROGRESS_MIN_BYTES) takes well
 * under a second, so it draws no bar.
 */
import { basename } from 'node:path';
import cliProgress from 'cli-progress';

export interface ProgressSink {
  /** A named phase begins (its reading, if any, reports start/advance next). */
  stage?(name: string): void;
  /** A new input of `totalBytes` starts. */
  start(label: string, totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

export const NO_PROGRESS: ProgressSink = { stage() {}, start() {}, advance() {}, stop() {} };

/** Inputs smaller than this finish before a bar would be worth drawing. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** A stderr bar naming the stage (`ingest: read quotes FILE`, `ingest: write tape`); silent for small inputs or when stderr is not a TTY. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  let stageName = 'read';
  return {
    stage(name) {
      bar?.stop();
      bar = undefined;
      stageName = name;
      // A stage that reads bytes gets its bar from start(); the others show their name until the next.
      if (!stream.isTTY || name.startsWith('read')) return;
      bar = new cliProgress.SingleBar({ stream, format: `ingest: ${name} | {duration}s`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      bar.start(1, 0);
    },
    start(label, totalBytes) {
      bar?.stop();
      bar = undefined;
      done = 0;
      if (!stream.isTTY || totalBytes < PROGRESS_MIN_BYTES) return;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `ingest: ${stageName} ${basename(label)} [{bar}] {percentage}% | {mb}/{totalMb} MB | {duration}s`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(totalBytes, 0, { mb: '0.0', totalMb: (totalBytes / 1e6).toFixed(1) });
    },
    advance(bytes) {
      if (!bar) return;
      done += bytes;
      bar.update(done, { mb: (done / 1e6).toFixed(1) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
