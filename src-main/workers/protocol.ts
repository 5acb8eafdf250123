/**
 * Messages between the engine (main thread) and its worker threads, validated on both ends.
 * Control messages carry the run id so a stale message cannot act on another run.
 */
import { z } from 'zod';
import { RunConfig } from '../../src-shared/config/run-config.js';
import { BackendChoice } from '../../src-shared/config/run-config.js';
import { BackendInfo, MetricLine, RunEvent, RunStatus, TrainSpeed } from '../../src-shared/types.js';

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
  }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('evaluate') }),
  z.object({ type: z.literal('set-speed'), speed: TrainSpeed }),
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
]);
export type FromWorker = z.infer<typeof FromWorker>;
