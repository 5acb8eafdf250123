/** Value types shared by the engine and every front door (schemas + inferred types). */
import { z } from 'zod';
import { RunConfig } from './config/run-config.js';

export const BackendName = z.enum(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendName>;

/** Which ML backend the engine uses and why (shown in the status bar, CLI and run config). */
export const BackendInfo = z.object({
  name: BackendName,
  /** One line: why this backend ("fastest that loaded", "--backend wasm", …). */
  reason: z.string(),
  /** What was tried and what happened to each, in order. */
  tried: z.array(z.object({ name: BackendName, ok: z.boolean(), detail: z.string() })),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

export const EngineStatus = z.object({
  app: z.string(),
  version: z.string(),
  backend: BackendInfo,
  runsDir: z.string(),
  platform: z.string(),
  nodeVersion: z.string(),
  cpus: z.number().int(),
  uptimeS: z.number(),
  /** Runs currently training in worker threads. */
  activeRuns: z.number().int(),
  /** Resident memory of the engine's process, bytes. */
  rssBytes: z.number(),
  /** The machine's physical memory, bytes (for the status bar). */
  systemMemory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

/**
 * How fast a training run steps its envs: `realtime` sleeps to match the env's control rate
 * (for watching), `fast` runs as fast as the machine allows (the view is sampled).
 */
export const TrainSpeed = z.enum(['realtime', 'fast']);
export type TrainSpeed = z.infer<typeof TrainSpeed>;

/**
 * `interrupted`: the process training the run died (crash, kill, power loss); it resumes from its
 * last complete checkpoint. `damaged`: run.json or config.json cannot be read (only ever in a
 * listing, with `damage` saying which file and why; `runs repair` rebuilds what it can).
 */
export const RunStatus = z.enum(['created', 'running', 'paused', 'stopped', 'interrupted', 'finished', 'failed', 'damaged']);
export type RunStatus = z.infer<typeof RunStatus>;

/** A run id is the name of its folder: safe characters only, never a path. */
export const RunId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a run id has letters, digits, ".", "_" and "-" only');
export type RunId = z.infer<typeof RunId>;

export const RunSummary = z.object({
  id: RunId,
  name: z.string(),
  env: z.string(),
  algo: z.string(),
  status: RunStatus,
  step: z.number().int(),
  totalSteps: z.number().int(),
  /**
   * Present when the run is a pipeline of stages: "drive" = the drive-in-a-day pipeline (config.drive);
   * its step is then the agent's env steps and totalSteps only a cap the pipeline does not aim for.
   */
  pipeline: z.enum(['drive']).optional(),
  /** Best deterministic evaluation mean return so far, null before the first evaluation. */
  bestEval: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Why a `damaged` run cannot be opened: the file and what is wrong with it. */
  damage: z.object({ file: z.string(), reason: z.string() }).optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunDetail = RunSummary.extend({ config: RunConfig, dir: z.string() });
export type RunDetail = z.infer<typeof RunDetail>;

/** One line of metrics.jsonl. `kind` says which; the other fields depend on it. */
export const MetricLine = z.looseObject({ kind: z.string().min(1), step: z.number() });
export type MetricLine = z.infer<typeof MetricLine>;

/** One line of events.jsonl (disengagements, divergence roll-backs, pauses, …). */
export const RunEvent = z.looseObject({ kind: z.string().min(1), step: z.number(), t: z.number() });
export type RunEvent = z.infer<typeof RunEvent>;

/**
 * A pipeline run's stage update (the drive pipeline: collect -> vae -> rl -> pixels -> report),
 * streamed as the run.stage event; stage changes are also "stage" lines in events.jsonl.
 */
export const RunStageUpdate = z.object({
  stage: z.string().min(1),
  status: z.enum(['pending', 'running', 'done', 'skipped', 'failed']),
  /** 0..1 within the stage. */
  progress: z.number().min(0).max(1),
  message: z.string(),
  /** Stage-specific numbers (frames, epoch, losses, episode, disengagements, ...). */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type RunStageUpdate = z.infer<typeof RunStageUpdate>;
