/**
 * Metric lines in the format the learner writes (metrics.jsonl: episode, train and eval
 * lines), appended to a run folder with the engine's own JsonlAppender, and the matching
 * run.metric events emitted on the engine's bus. The values follow the shape of a TD3
 * Pendulum run (returns from about -1400 to -150 over 20k steps); they are generated, not
 * learned, since these tests exercise the app, not the learner.
 */
import { join } from 'node:path';
import type { Engine } from '../../../src-main/services/engine.js';
import { Rng } from '../../../src-main/core/rng.js';
import { JsonlAppender } from '../../../src-main/core/durable-write.js';
import { RUN_FILES } from '../../../src-main/store/run-store.js';
import type { MetricLine } from '../../../src-shared/types.js';

export interface CurveOptions {
  totalSteps?: number;
  episodeLength?: number;
  logEvery?: number;
  evalEvery?: number;
  seed?: number;
  /** Extra numeric fields on episode lines (as an env would add), from the episode's return. */
  episodeExtras?: (ret: number, rng: Rng) => Record<string, number>;
}

/** A learning-curve-shaped sequence of metric lines, ordered by step as a learner writes them. */
export function learningCurve(o: CurveOptions = {}): MetricLine[] {
  const total = o.totalSteps ?? 20_000;
  const epLen = o.episodeLength ?? 200;
  const logEvery = o.logEvery ?? 1_000;
  const evalEvery = o.evalEvery ?? 5_000;
  const rng = new Rng(o.seed ?? 1);
  const progress = (step: number) => 1 - Math.exp(-step / (total / 4));
  const lines: MetricLine[] = [];
  for (let step = 1; step <= total; step++) {
    if (step % epLen === 0) {
      const ret = -1400 + 1250 * progress(step) + 120 * rng.normal();
      lines.push({ kind: 'episode', step, return: ret, length: epLen, ...(o.episodeExtras?.(ret, rng) ?? {}) });
    }
    if (step % logEvery === 0) {
      const q = -10 - 90 * progress(step) + 3 * rng.normal();
      lines.push({
        kind: 'train',
        step,
        critic_loss: 40 * Math.exp(-step / 4000) + 0.5 + 0.2 * Math.abs(rng.normal()),
        actor_loss: -q,
        q_mean: q,
        updates_per_s: 380 + 20 * rng.normal(),
        env_steps_per_s: 410 + 25 * rng.normal(),
      });
    }
    if (step % evalEvery === 0) {
      lines.push({ kind: 'eval', step, mean_return: -1300 + 1150 * progress(step), std_return: 180 * (1 - progress(step)) + 40, episodes: 10 });
    }
  }
  return lines;
}

/** Appends lines to the run's metrics.jsonl the way the training worker does. */
export function appendMetrics(engine: Engine, runId: string, lines: readonly MetricLine[]): void {
  const out = new JsonlAppender(join(engine.store.dir(runId), RUN_FILES.metrics));
  try {
    for (const l of lines) out.append(l);
  } finally {
    out.close();
  }
}

/** As the worker does for live metrics: the line goes to the file first, then out as a run.metric event. */
export function streamMetrics(engine: Engine, runId: string, lines: readonly MetricLine[]): void {
  appendMetrics(engine, runId, lines);
  for (const line of lines) engine.bus.emit('run.metric', { id: runId, line });
}
