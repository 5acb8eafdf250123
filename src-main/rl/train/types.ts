/** What a training job sees of the world: its run, its controls, and its outputs. */
import type { ActorsLine } from '../../../src-shared/actors.js';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { BackendInfo, MetricLine, RunEvent, RunStageUpdate, RunStatus, TrainSpeed } from '../../../src-shared/types.js';

export interface TrainControls {
  /** True once the user asked to stop; the job checkpoints and returns. */
  readonly stopRequested: boolean;
  /** True while paused; `waitWhilePaused` resolves when resumed or stopped. */
  readonly paused: boolean;
  waitWhilePaused(): Promise<void>;
  /** Consumes a pending "evaluate now" request (true once per request). */
  takeEvaluateRequest(): boolean;
  /**
   * Simulation speed asked for by the user: `realtime` means the loop sleeps so env steps
   * follow the env's control rate (seconds of sim time per step), `fast` means no sleeping.
   * May change at any time during training.
   */
  readonly speed: TrainSpeed;
}

export interface TrainOutputs {
  /** Appends to metrics.jsonl and streams to the UI. */
  metric(line: MetricLine): void;
  /** Appends to events.jsonl and streams to the UI. */
  event(event: RunEvent): void;
  progress(p: { step: number; totalSteps: number; episodes: number; envStepsPerS: number; updatesPerS: number }): void;
  status(status: RunStatus, step: number, message?: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** A pipeline run's stage update (drive pipeline: collect, vae, rl, pixels, report); streamed to the UI as run.stage. */
  stage?(update: RunStageUpdate): void;
  /** An async run's actors now (count, steps/s, version lag, last message), streamed to the app's actors panel; not kept. */
  actors?(line: ActorsLine): void;
}

export interface TrainJob {
  runId: string;
  runDir: string;
  config: RunConfig;
  resume: boolean;
  /** Start again from step 0 when no checkpoint loads (empties metrics and events); else refuse. */
  restart?: boolean;
  backend: BackendInfo;
  controls: TrainControls;
  out: TrainOutputs;
}
