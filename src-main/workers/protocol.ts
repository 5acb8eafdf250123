/**
 * Messages between the engine (main thread) and its worker threads, validated on both ends.
 * Control messages carry the run id so a stale message cannot act on another run.
 */
import { z } from 'zod';
import { RunConfig } from '../../src-shared/config/run-config.js';
import { BackendChoice } from '../../src-shared/config/run-config.js';
import { BackendInfo, MetricLine, RunEvent, RunStatus, TrainSpeed } from '../../src-shared/types.js';
import { DriveInput, LiveFrame, RunManual, TakeoverOptions } from '../../src-shared/live.js';

/** Main -> worker. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('probe-backend'), backend: BackendChoice }),
  z.object({
    type: z.literal('train'),
    runId: z.string(),
    runDir: z.string(),
    config: RunConfig,
    /** Continue from the last complete checkpoint if there is one. */
    resume: z.boolean(),
    /** Start again from step 0 when no checkpoint loads (empties metrics and events); else refuse. */
    restart: z.boolean().optional(),
  }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('evaluate') }),
  z.object({ type: z.literal('set-speed'), speed: TrainSpeed }),
  /** Stream live frames (the app holds a watch lease) or stop. */
  z.object({ type: z.literal('watch'), on: z.boolean() }),
  /** Manual driving on (with its options) or off. */
  z.object({ type: z.literal('takeover'), on: z.boolean(), options: TakeoverOptions }),
  /** The user's steering and throttle. */
  z.object({ type: z.literal('drive') }).extend(DriveInput.shape),
  /** Export a run's policy (exportRun) in this thread. */
  z.object({
    type: z.literal('export'),
    runDir: z.string(),
    checkpoint: z.union([z.enum(['best', 'last']), z.number().int().min(0)]),
    formats: z.array(z.enum(['tfjs', 'onnx'])).min(1),
    backend: BackendChoice,
  }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** Worker -> main. */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('backend'), backend: BackendInfo }),
  z.object({ type: z.literal('status'), status: RunStatus, step: z.number().int(), message: z.string().optional() }),
  z.object({
    type: z.literal('progress'),
    step: z.number().int(),
    totalSteps: z.number().int(),
    episodes: z.number().int(),
    envStepsPerS: z.number(),
    updatesPerS: z.number(),
  }),
  z.object({ type: z.literal('metric'), line: MetricLine }),
  z.object({ type: z.literal('event'), event: RunEvent }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.object({ type: z.literal('error'), message: z.string(), stack: z.string().optional() }),
  z.object({ type: z.literal('frame'), frame: LiveFrame }),
  z.object({ type: z.literal('manual'), state: RunManual.omit({ id: true }) }),
  z.object({ type: z.literal('export-progress'), stage: z.string() }),
  z.object({
    type: z.literal('export-done'),
    result: z.object({
      dir: z.string(),
      files: z.array(z.string()),
      samples: z.number().int(),
      tolerance: z.number(),
      maxAbsDiff: z.object({ onnx: z.number().optional(), tfjs: z.number().optional(), actor: z.number().optional() }),
    }),
  }),
  z.object({ type: z.literal('export-failed'), code: z.string(), message: z.string() }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
