/**
 * The DQN family's hyperparameters (block `dqn` of a run's config, present only when the run's
 * algorithm is dqn or rainbow). One learner, combinable flags (Hessel et al. 2018, "Rainbow"):
 * double (van Hasselt et al. 2016), dueling (Wang et al. 2016), prioritized replay and n-step
 * returns (replay: Schaul et al. 2016; Sutton 1988), distributional C51 (Bellemare et al. 2017)
 * and noisy nets (Fortunato et al. 2018). Defaults are Stable-Baselines3's DQN (plain DQN with a
 * Huber loss and gradient clipping at 10); the `rainbow` algorithm is RAINBOW_PRESET under them.
 */
import { z } from 'zod';
import { ReplayConfig } from './replay.js';

export const DqnConfig = z
  .object({
    lr: z.number().positive().max(1).default(1e-4).describe('Learning rate (Adam, PyTorch formula, eps adamEps). SB3 DQN: 1e-4.'),
    adamEps: z.number().positive().max(1).default(1e-8).describe('Adam epsilon (PyTorch default 1e-8; Rainbow on Atari: 1.5e-4).'),
    gamma: z.number().min(0).max(1).default(0.99).describe('Discount factor gamma.'),
    batchSize: z.number().int().min(1).max(65536).default(32).describe('Minibatch size sampled from the replay buffer.'),
    bufferSize: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(1_000_000)
      .describe('Replay buffer capacity in transitions (never allocated beyond totalSteps).'),
    learningStarts: z.number().int().min(0).default(100).describe('Env steps of uniform random actions before the Q network acts and learning starts.'),
    trainFreq: z.number().int().min(1).default(4).describe('Env steps (per env) between training phases.'),
    gradientSteps: z.number().int().min(-1).default(1).describe('Gradient steps per training phase; -1 = as many as env steps collected.'),
    targetUpdateInterval: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Env steps between target-network updates (SB3 target_update_interval); the update is a copy when tau = 1.'),
    tau: z.number().min(0).max(1).default(1).describe('Target update factor: target <- tau * online + (1 - tau) * target at each update (1 = hard copy).'),
    explorationFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Fraction of the run over which epsilon falls linearly from explorationInitialEps to explorationFinalEps.'),
    explorationInitialEps: z.number().min(0).max(1).default(1).describe('Epsilon of epsilon-greedy at step 0.'),
    explorationFinalEps: z.number().min(0).max(1).default(0.05).describe('Epsilon after the exploration fraction (kept to the end).'),
    maxGradNorm: z.number().positive().optional().default(10).describe('Clip gradients to this global norm (SB3 DQN: 10).'),
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([64, 64]).describe('Hidden layer sizes of the Q network (ReLU). SB3: 64-64.'),
    loss: z
      .enum(['huber', 'mse'])
      .default('huber')
      .describe('TD loss of non-distributional heads: Huber (smooth L1, SB3) or squared error (CleanRL). C51 uses cross-entropy.'),
    double: z.boolean().default(false).describe('Double DQN: the online network picks the next action, the target network values it.'),
    dueling: z.boolean().default(false).describe('Dueling heads: Q(s, a) = V(s) + A(s, a) - mean_a A(s, a), both heads linear on the shared hidden features.'),
    noisy: z.boolean().default(false).describe('Noisy nets (factorised Gaussian) in every layer; exploration comes from the noise, so set the epsilons to 0.'),
    noisySigma0: z.number().positive().max(10).default(0.5).describe('Initial noise scale sigma_0 of noisy layers (sigma = sigma_0 / sqrt(fan_in)).'),
    distributional: z
      .boolean()
      .default(false)
      .describe('C51: a categorical return distribution on `atoms` atoms between vMin and vMax, trained by cross-entropy to the projected target.'),
    atoms: z.number().int().min(2).max(1001).default(51).describe('Atoms of the C51 support.'),
    vMin: z.number().default(-10).describe('Smallest value of the C51 support.'),
    vMax: z.number().default(10).describe('Largest value of the C51 support.'),
    replay: ReplayConfig.default({ type: 'uniform' }).describe('Experience replay: "uniform" or "prioritized" (PER), both with optional n-step returns.'),
  })
  .refine((c) => c.vMin < c.vMax, { message: 'vMin must be below vMax', path: ['vMin'] })
  .refine((c) => c.replay.type !== 'her', { message: 'the DQN family replays uniformly or by priority, not with HER', path: ['replay'] });
export type DqnConfig = z.infer<typeof DqnConfig>;
export type DqnConfigInput = z.input<typeof DqnConfig>;

/**
 * Rainbow (Hessel et al. 2018, Table 1): double, dueling, prioritized replay (alpha 0.5,
 * beta 0.4 -> 1), 3-step returns, C51 (51 atoms on [-10, 10]) and noisy nets (sigma_0 0.5) with no
 * epsilon-greedy. The Atari learning rate (6.25e-5) and target period are left to the env preset.
 */
export const RAINBOW_PRESET = {
  double: true,
  dueling: true,
  noisy: true,
  noisySigma0: 0.5,
  distributional: true,
  atoms: 51,
  vMin: -10,
  vMax: 10,
  explorationInitialEps: 0,
  explorationFinalEps: 0,
  replay: { type: 'prioritized', alpha: 0.5, beta0: 0.4, eps: 1e-6, nStep: 3 },
} as const satisfies DqnConfigInput;

/** Per-env DQN settings, applied under the user's; `rainbow` adds its own on top of `dqn`. */
export interface DqnEnvPreset {
  doc: string;
  dqn: DqnConfigInput;
  rainbow?: DqnConfigInput;
  totalSteps: number;
}

export const DQN_ENV_PRESETS: Record<string, DqnEnvPreset> = {
  cartpole: {
    doc:
      'rl-zoo dqn.yml CartPole-v1: lr 2.3e-3, batch 64, buffer 100k, learning_starts 1000, gamma 0.99, target_update_interval 10, ' +
      'train_freq 256, gradient_steps 128, exploration_fraction 0.16, final eps 0.04, 256-256 network, 50k steps. Rainbow: the same ' +
      'loop with the Rainbow structure, the C51 support on [0, 100] (CartPole returns 1 per step, gamma 0.99) and lr 1e-3 (chosen here).',
    dqn: {
      lr: 2.3e-3,
      batchSize: 64,
      bufferSize: 100_000,
      learningStarts: 1000,
      gamma: 0.99,
      targetUpdateInterval: 10,
      trainFreq: 256,
      gradientSteps: 128,
      explorationFraction: 0.16,
      explorationFinalEps: 0.04,
      hidden: [256, 256],
    },
    rainbow: { vMin: 0, vMax: 100, lr: 1e-3 },
    totalSteps: 50_000,
  },
  'mountaincar-discrete': {
    doc:
      'rl-zoo dqn.yml MountainCar-v0: lr 4e-3, batch 128, buffer 10k, learning_starts 1000, gamma 0.98, target_update_interval 600, ' +
      'train_freq 16, gradient_steps 8, exploration_fraction 0.2, final eps 0.07, 256-256 network, 120k steps. Rainbow: C51 support ' +
      'on [-50, 0] (returns of -1 per step with gamma 0.98).',
    dqn: {
      lr: 4e-3,
      batchSize: 128,
      bufferSize: 10_000,
      learningStarts: 1000,
      gamma: 0.98,
      targetUpdateInterval: 600,
      trainFreq: 16,
      gradientSteps: 8,
      explorationFraction: 0.2,
      explorationFinalEps: 0.07,
      hidden: [256, 256],
    },
    rainbow: { vMin: -50, vMax: 0 },
    totalSteps: 120_000,
  },
};

/** The algorithms of this family. */
export const DQN_ALGOS = ['dqn', 'rainbow'] as const;

/**
 * The `dqn` block of a run before validation: schema defaults < rainbow preset < env preset <
 * the user's fields (RunConfig.parse validates it, so errors name "dqn.<field>").
 */
export function dqnConfigInput(algo: 'dqn' | 'rainbow', envId: string, user: DqnConfigInput | undefined): DqnConfigInput {
  const env = DQN_ENV_PRESETS[envId];
  return {
    ...(algo === 'rainbow' ? RAINBOW_PRESET : {}),
    ...(env?.dqn ?? {}),
    ...(algo === 'rainbow' ? (env?.rainbow ?? {}) : {}),
    ...(user ?? {}),
  };
}
