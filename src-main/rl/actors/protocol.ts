/**
 * What crosses between the learner's thread and its actor worker threads (in-process
 * transport). The actor's start parameters come as workerData; weights, acknowledgements and
 * the stop request as messages; transitions and heartbeats go back (schemas in
 * src-shared/actors.ts). Everything is validated on arrival.
 */
import { z } from 'zod';
import { ActorHeartbeat, ActorWeights, TransitionBatch } from '../../../src-shared/actors.js';
import { BackendChoice } from '../../../src-shared/config/run-config.js';
import { EnvConfig } from '../../../src-shared/config/envs/index.js';
import { NoiseConfig } from '../../../src-shared/config/noise.js';

const Seed = z.number().int().min(0).max(0xffffffff);

export const ActorInit = z.object({
  runId: z.string().min(1),
  digest: z.string().min(1),
  actor: z.string().min(1),
  slot: z.number().int().min(0),
  env: EnvConfig,
  numEnvs: z.number().int().min(1).max(64),
  seeds: z.object({ envs: Seed, noise: Seed, actions: Seed }),
  noise: NoiseConfig,
  actorSpec: z.object({
    inputDim: z.number().int().min(1),
    hidden: z.array(z.number().int().min(1)),
    outputDim: z.number().int().min(1),
    outputActivation: z.enum(['tanh', 'linear']),
  }),
  encoder: z
    .object({
      spec: z.object({
        height: z.number().int().min(1),
        width: z.number().int().min(1),
        channels: z.number().int().min(1),
        filters: z.array(z.number().int().min(1)),
        kernelSize: z.number().int().min(1),
        latentDim: z.number().int().min(1),
      }),
      extraDim: z.number().int().min(0),
    })
    .optional(),
  /** The ML backend the actor's network runs on (the learner's). */
  backend: BackendChoice,
  /** Batches an actor may have sent without an acknowledgement before it waits. */
  maxInFlight: z.number().int().min(1),
});
export type ActorInit = z.infer<typeof ActorInit>;

/** Learner -> actor. */
export const ToActor = z.union([
  ActorWeights,
  /** Batches taken (the actor may send that many more). */
  z.object({ type: z.literal('ack'), batches: z.number().int().min(1) }),
  z.object({ type: z.literal('stop') }),
]);
export type ToActor = z.infer<typeof ToActor>;

/** Actor -> learner. */
export const FromActor = z.union([TransitionBatch, ActorHeartbeat, z.object({ type: z.literal('error'), actor: z.string(), message: z.string() })]);
export type FromActor = z.infer<typeof FromActor>;
