/**
 * Progress of a long seed run on stderr: a redrawn bar when stderr is a terminal, plain
 * lines (at most one every few seconds) when it is a file or a pipe, so CI logs stay short.
 */

/** Receives progress; `done` is called once at the end. */
export interface ProgressReporter {
  update(done: number): void;
  finish(): void;
}

export interface ProgressOptions {
  /** What is counted ("journeys"). */
  unit: string;
  total: number;
  /** Where to write; defaults to process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Injected clock (milliseconds) for tests. */
  now?: () => number;
}

const BAR_WIDTH = 28;
const TTY_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 5_000;

/** A reporter that writes nothing (for tests and library callers). */
export const silentProgress: ProgressReporter = { update() {}, finish() {} };

/** Creates a progress reporter for `total` units. */
export function createProgressBar(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const started = now();
  let lastDraw = -Infinity;
  let last = 0;

  const render = (done: number): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const share = options.total > 0 ? Math.min(1, done / options.total) : 1;
    const eta = rate > 0 ? (options.total - done) / rate : NaN;
    const text = `${done.toLocaleString('en-GB')}/${options.total.toLocaleString('en-GB')} ${options.unit}` +
      `  ${Math.round(rate).toLocaleString('en-GB')}/s  ETA ${formatSeconds(eta)}  (${(share * 100).toFixed(1)}%)`;
    if (!tty) return text;
    const filled = Math.round(share * BAR_WIDTH);
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${text}`;
  };

  return {
    update(done) {
      last = done;
      const t = now();
      if (t - lastDraw < (tty ? TTY_INTERVAL_MS : LINE_INTERVAL_MS)) return;
      lastDraw = t;
      stream.write(tty ? `\r${render(done)}\x1b[K` : `${render(done)}\n`);
    },
    finish() {
      const elapsed = (now() - started) / 1000;
      const line = `${last.toLocaleString('en-GB')} ${options.unit} in ${formatSeconds(elapsed)}`;
      stream.write(tty ? `\r${render(last)}\x1b[K\n${line}\n` : `${line}\n`);
    },
  };
}

/** `83` → `1m23s`; NaN → `--`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
