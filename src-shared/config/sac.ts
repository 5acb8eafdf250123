/**
 * SAC hyperparameters (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications":
 * automatic entropy tuning). Defaults are Stable-Baselines3's SAC defaults; per-env settings
 * (rl-baselines3-zoo hyperparams/sac.yml) are in SAC_ENV_PRESETS below.
 */
import { z } from 'zod';
import { ReplayConfig } from './replay.js';

const hidden = (what: string) =>
  z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([256, 256]).describe(`Hidden layer sizes of the ${what} MLP (ReLU; SB3: 256-256).`);

export const SacConfig = z.object({
  learningRate: z.number().positive().max(1).default(3e-4).describe('Adam learning rate of the actor, the critics and the entropy coefficient (SB3: 3e-4).'),
  gamma: z.number().min(0).max(1).default(0.99).describe('Discount factor gamma.'),
  tau: z.number().min(0).max(1).default(0.005).describe('Polyak averaging factor of the target critics: target <- tau * online + (1 - tau) * target.'),
  batchSize: z.number().int().min(1).max(65536).default(256).describe('Minibatch size sampled from the replay buffer.'),
  bufferSize: z.number().int().min(1).max(10_000_000).default(1_000_000).describe('Replay buffer capacity in transitions (never allocated beyond totalSteps).'),
  learningStarts: z.number().int().min(0).default(100).describe('Env steps collected with uniform random actions before the policy acts and learning starts.'),
  trainFreq: z.number().int().min(1).default(1).describe('Env steps (per env) between training phases.'),
  gradientSteps: z.number().int().min(-1).default(1).describe('Gradient steps per training phase; -1 = as many as env steps collected.'),
  trainSchedule: z
    .enum(['steps', 'episodes'])
    .optional()
    .describe(
      'When training phases happen: "steps" (absent): every trainFreq env steps; "episodes": gradientSteps updates after every finished episode (the drive pipeline\'s schedule).',
    ),
  nCritics: z.number().int().min(1).max(10).default(2).describe('Number of critics; targets and the actor loss take the min over them (clipped double Q).'),
  autoEntropy: z
    .boolean()
    .default(true)
    .describe("Tune the entropy coefficient alpha automatically (SB3 ent_coef 'auto'): log alpha is learned so the policy's entropy tracks targetEntropy."),
  entCoefInit: z
    .number()
    .positive()
    .max(100)
    .default(1)
    .describe("Entropy coefficient alpha at the start (SB3 'auto': 1.0); with autoEntropy off, alpha stays at this value."),
  targetEntropy: z.number().min(-1000).max(1000).optional().describe('Target entropy of the automatic tuning; absent = -actDim (SB3 "auto").'),
  targetUpdateInterval: z.number().int().min(1).max(1000).default(1).describe('Gradient steps between target-critic updates (SB3: 1).'),
  actorHidden: hidden('actor'),
  criticHidden: hidden('critic'),
  maxGradNorm: z.number().positive().optional().describe('Clip gradients to this global norm, per network (off by default, as in SB3 SAC).'),
  replay: ReplayConfig.default({ type: 'uniform' }).describe(
    'Experience replay: "uniform" (default), optionally with n-step returns, or "her" for goal-conditioned envs.',
  ),
});
export type SacConfig = z.infer<typeof SacConfig>;
export type SacConfigInput = z.input<typeof SacConfig>;

/**
 * Per-env SAC settings, applied under the user's explicit fields. Pendulum: rl-baselines3-zoo
 * hyperparams/sac.yml Pendulum-v1 (n_timesteps 20000, learning_rate 1e-3, everything else SB3's
 * default). Changed: 64-64 networks instead of 256-256 (speed on the WebAssembly backend, as the
 * TD3 pendulum preset; bench/RESULTS.md "SAC and D4PG on pendulum" shows whether it still reaches
 * >= -200).
 */
export const SAC_ENV_PRESETS: Partial<Record<string, SacConfigInput>> = {
  pendulum: { learningRate: 1e-3, actorHidden: [64, 64], criticHidden: [64, 64] },
};
