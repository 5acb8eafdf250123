/** Experience-replay settings; the implementations live in src-main/rl/replay/. */
import { z } from 'zod';

/** Plain uniform replay (the default), optionally with n-step returns. */
export const UniformReplayConfig = z.object({
  type: z.literal('uniform'),
  // Optional (absent = 1) so configs and checkpoints written before it still resume unchanged.
  nStep: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "n-step returns (D4PG; Barth-Maron et al. 2018): each sample sums up to n discounted rewards of the following steps of its episode and bootstraps from the observation after them with gamma^n (stopping at the episode's end). Absent = 1, the one-step TD target of TD3/DDPG.",
    ),
});

/**
 * Prioritized experience replay (Schaul et al. 2016, proportional variant): transition i is
 * sampled with probability P(i) = p_i^alpha / sum_k p_k^alpha, p_i = |its last TD error| + eps
 * (new transitions get the largest priority seen so far), and weighs the loss by the importance
 * weight w_i = (N P(i))^-beta / max_k w_k, beta annealed linearly from beta0 to 1 over the run's
 * env steps. Defaults: alpha 0.6, beta0 0.4 (the paper's proportional variant; Rainbow uses
 * alpha 0.5). n-step returns as with uniform replay.
 */
export const PrioritizedReplayConfig = z.object({
  type: z.literal('prioritized'),
  alpha: z.number().min(0).max(1).default(0.6).describe('Priority exponent alpha: 0 = uniform sampling, 1 = fully proportional to |TD error|.'),
  beta0: z
    .number()
    .min(0)
    .max(1)
    .default(0.4)
    .describe('Importance-sampling exponent at the start; annealed linearly to 1 by the end of the run (1 = full correction of the sampling bias).'),
  eps: z.number().positive().max(1).default(1e-6).describe('Added to |TD error| so that no transition gets priority 0.'),
  nStep: z.number().int().min(1).max(100).default(1).describe('n-step returns, as with uniform replay (Rainbow: 3).'),
});

/**
 * Hindsight experience replay (Andrychowicz et al. 2017), as Stable-Baselines3's
 * HerReplayBuffer: transitions are kept per episode, and at sample time a fraction
 * k / (k + 1) of each batch gets a new goal, an achieved goal of the same episode, with the
 * reward recomputed by the env's computeReward. Needs a goal-conditioned env (arm-reach, arm-push).
 */
export const HerReplayConfig = z.object({
  type: z.literal('her'),
  nSampledGoal: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(4)
    .describe('Relabelled goals per real transition (k, SB3 n_sampled_goal): a fraction k / (k + 1) of every batch is relabelled.'),
  strategy: z
    .enum(['future', 'final', 'episode'])
    .default('future')
    .describe(
      'Where relabelled goals come from: "future" = an achieved goal later in the same episode (the paper\'s best), "final" = the episode\'s last, "episode" = any step of the episode.',
    ),
});

export const ReplayConfig = z.discriminatedUnion('type', [UniformReplayConfig, PrioritizedReplayConfig, HerReplayConfig]);
export type ReplayConfig = z.infer<typeof ReplayConfig>;
export type HerReplayConfig = z.infer<typeof HerReplayConfig>;
export type PrioritizedReplayConfig = z.infer<typeof PrioritizedReplayConfig>;
