/** Builds the replay buffer a run's config asks for: uniform, prioritized, or hindsight experience replay. */
import type { ReplayConfig } from '../../../src-shared/config/replay.js';
import type { Env } from '../../sim/env.js';
import { isGoalEnv } from '../../sim/goal-env.js';
import { HerReplayBuffer } from './her-buffer.js';
import { PrioritizedReplayBuffer } from './prioritized.js';
import { ReplayBuffer, type Replay } from './replay-buffer.js';

export type { Replay, ReplayBatch } from './replay-buffer.js';
export { HerReplayBuffer, PrioritizedReplayBuffer, ReplayBuffer };

export interface ReplayContext {
  capacity: number;
  obsDim: number;
  actDim: number;
  numEnvs: number;
  seed: number;
  /** An env of the run (HER reads its goal layout and computeReward, which must be pure). */
  env: Env;
  /** Leading observation values stored as bytes (camera images with a trainable encoder); 0 = none. */
  imageDim?: number;
  /** Discount of the learner (n-step returns sum rewards with it; required for nStep > 1). */
  gamma?: number;
  /** The run's env steps (prioritized replay anneals beta to 1 over them). */
  totalSteps?: number;
}

export function makeReplay(config: ReplayConfig, ctx: ReplayContext): Replay {
  const { capacity, obsDim, actDim, numEnvs, seed, env, imageDim = 0, gamma } = ctx;
  switch (config.type) {
    case 'uniform':
      return new ReplayBuffer({ capacity, obsDim, actDim, numEnvs, seed, imageDim, nStep: config.nStep ?? 1, gamma });
    case 'prioritized': {
      const { alpha, beta0, eps, nStep } = config;
      return new PrioritizedReplayBuffer({
        capacity,
        obsDim,
        actDim,
        numEnvs,
        seed,
        imageDim,
        nStep,
        gamma,
        alpha,
        beta0,
        eps,
        annealSteps: ctx.totalSteps ?? capacity,
      });
    }
    case 'her': {
      if (imageDim > 0)
        throw new Error(
          'hindsight experience replay works on vector observations; it does not store camera images (use uniform replay with a trainable image encoder)',
        );
      if (!isGoalEnv(env)) {
        throw new Error(
          `hindsight experience replay needs a goal-conditioned env (one with computeReward and goals in its observation, e.g. arm-reach, arm-push); "${env.id}" is not one`,
        );
      }
      return new HerReplayBuffer({
        capacity,
        obsDim,
        actDim,
        numEnvs,
        seed,
        goal: env.goal,
        computeReward: (achieved, desired) => env.computeReward(achieved, desired),
        nSampledGoal: config.nSampledGoal,
        strategy: config.strategy,
      });
    }
  }
}
