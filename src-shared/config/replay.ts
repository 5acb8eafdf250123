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

export const ReplayConfig = z.discriminatedUnion('type', [UniformReplayConfig, HerReplayConfig]);
export type ReplayConfig = z.infer<typeof ReplayConfig>;
export type HerReplayConfig = z.infer<typeof HerReplayConfig>;
