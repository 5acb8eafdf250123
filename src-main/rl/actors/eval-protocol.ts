/**
 * What crosses between a learner's thread and its evaluation thread (./eval-worker.ts): the
 * policy's weights, the env and the episodes to run, then the result or an error. Validated on
 * arrival on both sides.
 */
import { z } from 'zod';
import { BackendChoice } from '../../../src-shared/config/run-config.js';
import { EnvConfig } from '../../../src-shared/config/envs/index.js';
import { PolicyHead } from '../../../src-shared/policy-head.js';
import { ActorInit } from './protocol.js';

const F32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });

export const EvalRequest = z.object({
  env: EnvConfig,
  episodes: z.number().int().min(1),
  /** Replaces the held-out evaluation seeds (validation episodes). */
  seeds: z.array(z.number().int().min(0)).optional(),
  actorSpec: ActorInit.shape.actorSpec,
  weights: z.array(F32),
  encoder: z.object({ spec: ActorInit.shape.encoder.unwrap().shape.spec, extraDim: z.number().int().min(0), weights: z.array(F32) }).optional(),
  head: PolicyHead.optional(),
  /** The CPU backend the evaluation runs on. */
  backend: BackendChoice,
});
export type EvalRequest = z.infer<typeof EvalRequest>;

const Num = z.number().or(z.nan());

export const EvalReply = z.union([
  z.object({
    type: z.literal('result'),
    result: z.object({
      episodes: z.number().int(),
      mean_return: Num,
      std_return: Num,
      returns: z.array(Num),
      lengths: z.array(z.number()),
      seeds: z.array(z.number()),
      episodeStats: z.record(z.string(), Num),
      protocol: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type EvalReply = z.infer<typeof EvalReply>;
