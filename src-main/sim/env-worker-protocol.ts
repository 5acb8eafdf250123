/**
 * What crosses the thread boundary between WorkerVecEnv (worker-vec-env.ts) and its env workers
 * (env-worker.ts). Bulk data (actions, observations, rewards, flags, frames)
 * lives in SharedArrayBuffers; control goes through one Int32 slot per worker (Atomics), and
 * the rare infos (episode ends, events) through a MessagePort read synchronously with
 * receiveMessageOnPort. Every message object is validated on arrival.
 */
import { z } from 'zod';
import { EnvConfig } from '../../src-shared/config/envs/index.js';

/** Commands written into a worker's control slot (0 = idle / done). */
export const CMD_IDLE = 0;
export const CMD_STEP = 1;
export const CMD_RESET = 2;
export const CMD_CLOSE = 3;

/** Status slot values (per worker). */
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;

export const EnvWorkerInit = z.object({
  config: EnvConfig,
  /** Global index of this worker's first env, and how many it owns. */
  first: z.number().int().min(0),
  count: z.number().int().min(1),
  numEnvs: z.number().int().min(1),
  obsDim: z.number().int().min(1),
  actDim: z.number().int().min(1),
  /** Bytes per camera frame when frames are shared (0 = off). */
  frameBytes: z.number().int().min(0),
  /** Index of this worker's control and status slots. */
  worker: z.number().int().min(0),
  buffers: z.object({
    control: z.instanceof(SharedArrayBuffer),
    status: z.instanceof(SharedArrayBuffer),
    actions: z.instanceof(SharedArrayBuffer),
    obs: z.instanceof(SharedArrayBuffer),
    finalObs: z.instanceof(SharedArrayBuffer),
    rewards: z.instanceof(SharedArrayBuffer),
    flags: z.instanceof(SharedArrayBuffer),
    seeds: z.instanceof(SharedArrayBuffer),
    frames: z.instanceof(SharedArrayBuffer),
  }),
});
export type EnvWorkerInit = z.infer<typeof EnvWorkerInit>;

/** Worker -> main, on the side port. */
export const EnvWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), worker: z.number().int() }),
  /** Info of env `env` (global index) for the step just taken (only sent when non-empty). */
  z.object({ type: z.literal('info'), env: z.number().int(), info: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('error'), message: z.string(), stack: z.string().optional() }),
]);
export type EnvWorkerMessage = z.infer<typeof EnvWorkerMessage>;

/** Flag bits per env in the flags buffer. */
export const FLAG_TERMINATED = 1;
export const FLAG_TRUNCATED = 2;
