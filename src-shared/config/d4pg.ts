/**
 * D4PG hyperparameters (Barth-Maron et al. 2018, "Distributed Distributional Deterministic
 * Policy Gradients"): DDPG's deterministic actor with a categorical (C51) critic over `atoms`
 * evenly spaced returns in [vMin, vMax], n-step returns and Gaussian exploration noise.
 * Defaults: the paper's (learning rates 1e-4, N = 5, 51 atoms, batch 256) and DeepMind Acme's
 * D4PG (vMin -150, vMax 150, exploration sigma 0.3); targets follow the online networks by
 * Polyak averaging (tau, as TD3 here) instead of the paper's periodic copies. Per-env settings
 * are in D4PG_ENV_PRESETS below.
 */
import { z } from 'zod';
import { NoiseConfig } from './noise.js';
import { ReplayConfig } from './replay.js';

const hidden = (what: string) =>
  z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([256, 256]).describe(`Hidden layer sizes of the ${what} MLP (ReLU).`);

export const D4pgConfig = z
  .object({
    actorLr: z.number().positive().max(1).default(1e-4).describe('Actor learning rate (Adam; paper: 1e-4).'),
    criticLr: z.number().positive().max(1).default(1e-4).describe('Critic learning rate (Adam; paper: 1e-4).'),
    gamma: z.number().min(0).max(1).default(0.99).describe('Discount factor gamma.'),
    tau: z.number().min(0).max(1).default(0.005).describe('Polyak averaging factor of the target actor and critic.'),
    batchSize: z.number().int().min(1).max(65536).default(256).describe('Minibatch size sampled from the replay buffer (paper: 256).'),
    bufferSize: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(1_000_000)
      .describe('Replay buffer capacity in transitions (never allocated beyond totalSteps).'),
    learningStarts: z.number().int().min(0).default(100).describe('Env steps collected with uniform random actions before the actor acts and learning starts.'),
    trainFreq: z.number().int().min(1).default(1).describe('Env steps (per env) between training phases.'),
    gradientSteps: z.number().int().min(-1).default(1).describe('Gradient steps per training phase; -1 = as many as env steps collected.'),
    trainSchedule: z
      .enum(['steps', 'episodes'])
      .optional()
      .describe(
        'When training phases happen: "steps" (absent): every trainFreq env steps; "episodes": gradientSteps updates after every finished episode (the drive pipeline\'s schedule).',
      ),
    atoms: z.number().int().min(2).max(1001).default(51).describe('Atoms of the categorical return distribution (C51: 51).'),
    vMin: z.number().min(-1e6).max(1e6).default(-150).describe('Smallest return of the support (Acme: -150); returns below are projected onto it.'),
    vMax: z.number().min(-1e6).max(1e6).default(150).describe('Largest return of the support (Acme: 150); must be above vMin.'),
    actorHidden: hidden('actor'),
    criticHidden: hidden('critic'),
    noise: NoiseConfig.default({ type: 'gaussian', sigma: 0.3 }).describe(
      'Exploration noise added to the actor output while collecting (Acme: Gaussian, sigma 0.3).',
    ),
    maxGradNorm: z.number().positive().optional().describe('Clip gradients to this global norm, per network (off by default).'),
    replay: ReplayConfig.default({ type: 'uniform', nStep: 5 }).describe('Experience replay; D4PG learns from n-step returns (paper: N = 5).'),
  })
  .refine((c) => c.vMin < c.vMax, { message: 'must be above vMin', path: ['vMax'] });
export type D4pgConfig = z.infer<typeof D4pgConfig>;
export type D4pgConfigInput = z.input<typeof D4pgConfig>;

/**
 * Per-env D4PG settings, applied under the user's explicit fields. Pendulum: the TD3 pendulum
 * preset's settings (rl-zoo Pendulum-v1: gamma 0.98, lr 1e-3, batch 256, 64-64 networks here,
 * learning_starts 5000) with the support fitted to its returns (rewards in [-16.3, 0], so
 * discounted returns lie in [-816, 0] at gamma 0.98) and Gaussian noise 0.1 as TD3's.
 */
export const D4PG_ENV_PRESETS: Partial<Record<string, D4pgConfigInput>> = {
  pendulum: {
    gamma: 0.98,
    actorLr: 1e-3,
    criticLr: 1e-3,
    learningStarts: 5_000,
    actorHidden: [64, 64],
    criticHidden: [64, 64],
    vMin: -800,
    vMax: 0,
    noise: { type: 'gaussian', sigma: 0.1 },
  },
};
