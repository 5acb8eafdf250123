/**
 * Wall-clock rates of a training loop (never part of the numbers a run computes): env steps and
 * updates per second over the current `train` metric window, and over the last progress message.
 */

/** Progress messages per second (at most). */
export const PROGRESS_INTERVAL_MS = 250;

/** Counts since a start time; rates over the time since. */
class RateWindow {
  start = performance.now();
  envSteps = 0;
  updates = 0;

  reset(now = performance.now()): void {
    this.start = now;
    this.envSteps = 0;
    this.updates = 0;
  }

  rates(now = performance.now()): { envStepsPerS: number; updatesPerS: number } {
    const seconds = Math.max(1e-9, (now - this.start) / 1000);
    return { envStepsPerS: this.envSteps / seconds, updatesPerS: this.updates / seconds };
  }
}

export class Throughput {
  /** Since the last `train` metric line (reset when a run pauses, resumes or rolls back). */
  readonly window = new RateWindow();
  /** Since the last progress message. */
  private readonly progress = new RateWindow();
  private lastProgress = 0;

  addEnvSteps(n: number): void {
    this.window.envSteps += n;
    this.progress.envSteps += n;
  }

  addUpdate(): void {
    this.window.updates++;
    this.progress.updates++;
  }

  /** The progress rates when a message is due (at most every PROGRESS_INTERVAL_MS), else undefined. */
  progressDue(): { envStepsPerS: number; updatesPerS: number } | undefined {
    const now = performance.now();
    if (now - this.lastProgress < PROGRESS_INTERVAL_MS) return undefined;
    const rates = this.progress.rates(now);
    this.lastProgress = now;
    this.progress.reset(now);
    return rates;
  }
}
