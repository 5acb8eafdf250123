/** An in-process TrainJob for tests: controls you can flip, outputs written like the worker's. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildRunConfig, type RunConfigInput } from '../../../src-shared/config/run-config.js';
import type { MetricLine, RunEvent, RunStatus, TrainSpeed } from '../../../src-shared/types.js';
import type { TrainJob } from '../../../src-main/rl/train/types.js';
import { runTraining, type TrainHooks } from '../../../src-main/workers/run-training.js';
import { JsonlAppender, readJsonlLines } from '../../../src-main/core/durable-write.js';
import { RUN_FILES } from '../../../src-main/store/run-store.js';

export interface FakeJob {
  job: TrainJob;
  statuses: Array<{ status: RunStatus; step: number; message?: string }>;
  logs: Array<{ level: string; message: string }>;
  events: RunEvent[];
  progress: number;
  stop(): void;
  pause(): void;
  resume(): void;
  requestEvaluate(): void;
  setSpeed(speed: TrainSpeed): void;
  close(): void;
  metrics(): MetricLine[];
}

/** A small, fast pendulum config (tiny nets) for tests. */
export function tinyConfig(over: RunConfigInput = {}): RunConfigInput {
  return {
    env: { id: 'pendulum', maxEpisodeSteps: 50 },
    totalSteps: 400,
    evalEvery: 200,
    evalEpisodes: 2,
    checkpointEvery: 200,
    logEvery: 100,
    backend: 'wasm',
    ...over,
    td3: { actorHidden: [8], criticHidden: [8], batchSize: 16, learningStarts: 60, bufferSize: 10_000, ...(over.td3 ?? {}) },
  };
}

export function fakeJob(runDir: string, input: RunConfigInput, resume = false): FakeJob {
  mkdirSync(join(runDir, RUN_FILES.checkpoints), { recursive: true });
  const metrics = new JsonlAppender(join(runDir, RUN_FILES.metrics));
  const events = new JsonlAppender(join(runDir, RUN_FILES.events));
  let stopRequested = false;
  let paused = false;
  let evaluate = false;
  let speed: TrainSpeed = 'fast';
  let wake: (() => void) | undefined;
  const f: FakeJob = {
    statuses: [],
    logs: [],
    events: [],
    progress: 0,
    stop() {
      stopRequested = true;
      wake?.();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      wake?.();
    },
    requestEvaluate() {
      evaluate = true;
    },
    setSpeed(s) {
      speed = s;
    },
    close() {
      metrics.close();
      events.close();
    },
    metrics() {
      return readJsonlLines(join(runDir, RUN_FILES.metrics)).lines as MetricLine[];
    },
    job: {
      runId: 'test',
      runDir,
      config: buildRunConfig(input),
      resume,
      backend: { name: 'wasm', reason: 'test', tried: [] },
      controls: {
        get stopRequested() {
          return stopRequested;
        },
        get paused() {
          return paused;
        },
        get speed() {
          return speed;
        },
        waitWhilePaused() {
          if (!paused || stopRequested) return Promise.resolve();
          return new Promise<void>((r) => (wake = r));
        },
        takeEvaluateRequest() {
          const r = evaluate;
          evaluate = false;
          return r;
        },
      },
      out: {
        metric(line) {
          metrics.append(line);
        },
        event(e) {
          events.append(e);
          f.events.push(e);
        },
        progress() {
          f.progress++;
        },
        status(status, step, message) {
          f.statuses.push(message === undefined ? { status, step } : { status, step, message });
        },
        log(level, message) {
          f.logs.push({ level, message });
        },
      },
    },
  };
  return f;
}

/** Trains a run through the worker's entry (runTraining) on a fake job, closing its logs after. */
export async function train(runDir: string, input: RunConfigInput, opts: { resume?: boolean; hooks?: (f: FakeJob) => TrainHooks } = {}): Promise<FakeJob> {
  const f = fakeJob(runDir, input, opts.resume ?? false);
  try {
    await runTraining(f.job, opts.hooks?.(f) ?? {});
  } finally {
    f.close();
  }
  return f;
}
