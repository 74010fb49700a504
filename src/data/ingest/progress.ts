/**
 * Progress of reading an input, in bytes. The CLI passes a cli-progress bar on stderr (only
 * when stderr is a TTY and the input is large); library callers and tests pass nothing.
 */
import cliProgress from 'cli-progress';

export interface ProgressSink {
  /** A new input of `totalBytes` starts. */
  start(label: string, totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

export const NO_PROGRESS: ProgressSink = { start() {}, advance() {}, stop() {} };

/** Inputs smaller than this finish before a bar would be worth drawing. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** A stderr bar for one input at a time; silent for small inputs or when stderr is not a TTY. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  return {
    start(label, totalBytes) {
      bar?.stop();
      bar = undefined;
      done = 0;
      if (!stream.isTTY || totalBytes < PROGRESS_MIN_BYTES) return;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {percentage}% | {mb}/{totalMb} MB | eta {eta}s`,
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
