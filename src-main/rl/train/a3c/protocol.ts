/**
 * A3C's worker init and messages (rl/train/a3c/worker.ts). The parameters and the shared RMSprop
 * statistics live in SharedArrayBuffers every worker writes to without locks (Hogwild!, as in
 * Mnih et al. 2016); `counter` holds [env steps done by all workers, updates, workers ready].
 */
import { z } from 'zod';

export const A3cWorkerInit = z.object({
  /** A RunConfig (algo "a2c": A3C reads the A2C block). */
  config: z.unknown(),
  index: z.number().int().min(0),
  /** Seed of this worker's envs and sampling. */
  seed: z.number().int().min(0),
  /** Seed the networks were initialized from (the worker's local copy takes the shared values anyway). */
  networkSeed: z.number().int().min(0),
  envs: z.number().int().min(1).max(64),
  /** How many workers the run has: each waits for all of them to be ready before its first step. */
  workers: z.number().int().min(1),
  totalSteps: z.number().int().min(1),
  buffers: z.object({
    params: z.instanceof(SharedArrayBuffer),
    rms: z.instanceof(SharedArrayBuffer),
    counter: z.instanceof(SharedArrayBuffer),
  }),
});
export type A3cWorkerInit = z.infer<typeof A3cWorkerInit>;

export const A3cWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('episode'), worker: z.number().int(), return: z.number(), length: z.number().int() }),
  z.object({ type: z.literal('done'), worker: z.number().int(), steps: z.number().int(), updates: z.number().int() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type A3cWorkerMessage = z.infer<typeof A3cWorkerMessage>;

/** counter slots */
export const COUNTER_STEPS = 0;
export const COUNTER_UPDATES = 1;
export const COUNTER_READY = 2;
