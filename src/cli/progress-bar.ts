/**
 * A progress bar on stderr for long CLI work (cli-progress). Drawn only when stderr is a
 * terminal, so pipes, CI logs and tests get no control characters; otherwise every call is a no-op.
 */
import cliProgress from 'cli-progress';

export interface StderrBar {
  /** Show the bar (first call) or move it; `payload` fills `{name}` tokens of the format. */
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

export function stderrBar(format: string): StderrBar {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(value, total, payload) {
      if (!process.stderr.isTTY || total === 0) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format, hideCursor: true, clearOnComplete: true, etaBuffer: 4 }, cliProgress.Presets.shades_classic);
        bar.start(total, value, payload);
      }
      bar.update(value, payload);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
