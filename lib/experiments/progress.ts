/**
 * Text progress bars for long runs (training, analysis): one line rewritten in place on a
 * terminal, a line every 10% elsewhere (CI logs, files).
 *
 * @module
 */

/**
 * Formats seconds as `h:mm:ss` or `m:ss`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * formatDuration(3725); // "1:02:05"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, "0"), ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * One progress line: `[#####.....] 50,000/100,000 steps  4,210/s  ETA 0:12  <extra>`.
 *
 * @example
 * ```ts
 * import { formatProgressLine } from "./progress.ts";
 * formatProgressLine({ done: 5, total: 10, unit: "steps", rate: 2.5, extra: "return -300.1" });
 * ```
 */
export function formatProgressLine(p: {
  done: number;
  total: number;
  unit: string;
  rate: number;
  extra?: string;
  width?: number;
}): string {
  const width = p.width ?? 24;
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  const bar = "#".repeat(filled) + ".".repeat(width - filled);
  const eta = p.rate > 0 ? (p.total - p.done) / p.rate : Infinity;
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  return `[${bar}] ${n(p.done)}/${n(p.total)} ${p.unit}  ${n(p.rate)}/s  ETA ${
    formatDuration(eta)
  }${p.extra ? "  " + p.extra : ""}`;
}

/**
 * Writes progress lines to stderr: rewritten in place on a terminal (at most 10 per second),
 * otherwise one line per 10% of progress.
 *
 * @example
 * ```ts
 * import { ProgressPrinter } from "./progress.ts";
 * const bar = new ProgressPrinter();
 * bar.update(50, 100, "50/100 steps");
 * bar.finish("done");
 * ```
 */
export class ProgressPrinter {
  #tty: boolean;
  #lastWrite = 0;
  #lastDecile = -1;
  #encoder = new TextEncoder();

  constructor(tty?: boolean) {
    this.#tty = tty ?? Deno.stderr.isTerminal();
  }

  /** Shows `line` for progress `done/total`. */
  update(done: number, total: number, line: string): void {
    if (this.#tty) {
      const now = performance.now();
      if (now - this.#lastWrite < 100 && done < total) return;
      this.#lastWrite = now;
      Deno.stderr.writeSync(this.#encoder.encode(`\r\x1b[2K${line}`));
    } else {
      const decile = Math.floor((10 * done) / Math.max(total, 1));
      if (decile === this.#lastDecile) return;
      this.#lastDecile = decile;
      Deno.stderr.writeSync(this.#encoder.encode(line + "\n"));
    }
  }

  /** Ends the bar with a final line. */
  finish(line: string): void {
    Deno.stderr.writeSync(this.#encoder.encode((this.#tty ? "\r\x1b[2K" : "") + line + "\n"));
  }
}

/**
 * The progress line of a training run, e.g.
 * `[####....] 20,480/40,960 steps  35,120/s  ETA 0:01  return -812.3  eval -640.2`.
 *
 * @example
 * ```ts
 * import { formatTrainProgress } from "./progress.ts";
 * formatTrainProgress({ step: 5, totalSteps: 10, stepsPerSecond: 2, recentReturn: null, lastEval: -3 });
 * ```
 */
export function formatTrainProgress(
  p: {
    step: number;
    totalSteps: number;
    stepsPerSecond: number;
    recentReturn: number | null;
    lastEval: number | null;
  },
  returns = true,
): string {
  const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(1));
  return formatProgressLine({
    done: p.step,
    total: p.totalSteps,
    unit: "steps",
    rate: p.stepsPerSecond,
    extra: returns ? `return ${fmt(p.recentReturn)}  eval ${fmt(p.lastEval)}` : undefined,
  });
}
