/**
 * File names and the saved stage state of a drive pipeline run, without the pipeline's heavy
 * imports (TF.js, the trainer): the engine's main process reads them to answer `runs.drive`.
 */
import { join } from 'node:path';
import type { DriveStageId } from '../../../src-shared/config/drive.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { readJsonIfExists } from '../../core/durable-write.js';

/** Files of the VAE stage inside the run's vae/ folder. */
export const VAE_FILES = { model: 'model', checkpoints: 'checkpoints', reconstructions: 'reconstructions.png' } as const;

export const DRIVE_FILES = {
  state: 'drive.json',
  frames: 'frames',
  collected: 'frames/collected',
  /** The collected frames rendered in the plain world (VAE target "canonical"), frame for frame. */
  canonical: 'frames-canonical/collected',
  vae: 'vae',
  pixels: 'pixels',
  report: 'report.json',
  reportMd: 'report.md',
} as const;

export type StageStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface StageState {
  status: StageStatus;
  /** Wall-clock seconds spent in the stage (all attempts). */
  seconds: number;
  startedAt?: string;
  finishedAt?: string;
  /** What the stage produced (counts, paths, outcome). */
  detail?: Record<string, unknown>;
  /** Why the stage ended, in words ("clean after 4 episodes", "episode budget (35) reached", "6 epochs done"). */
  stopReason?: string;
  /** While running: estimated seconds left in the stage (an upper bound for the RL stages: a clean evaluation ends them sooner). */
  etaS?: number;
}

export interface DriveState {
  version: 1;
  stages: Record<DriveStageId, StageState>;
  /** Sizes of metrics.jsonl and events.jsonl when the rl stage first started (a fresh rl start cuts back to them). */
  rlLogOffsets?: { metrics: number; events: number };
}

export function readDriveState(runDir: string): DriveState | undefined {
  return readJsonIfExists<DriveState>(join(runDir, DRIVE_FILES.state));
}

/** One evaluation after a training episode (the "drive_eval" metric line). */
export interface DriveEvalLine extends MetricLine {
  kind: 'drive_eval';
  agent: 'vae' | 'pixels';
  episode: number;
  routes: number;
  distance: number;
  disengagements: number;
  mpd: number;
  clean_routes: number;
  mean_abs_offset: number;
  train_episodes: number;
  /** Metres driven in training episodes so far. */
  train_distance: number;
  /** Env steps of training so far. */
  train_steps: number;
  /** Wall-clock seconds of this agent's RL stage so far, and of the pipeline (collect + vae + rl). */
  rl_s: number;
  pipeline_s: number;
  eval_s: number;
}
