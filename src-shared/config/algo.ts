/**
 * TD3 hyperparameters; DDPG is a preset of the same schema (one critic, policy delay 1,
 * no target smoothing, OU noise), as Stable-Baselines3's DDPG subclasses TD3.
 * Defaults follow Fujimoto et al. 2018 / Stable-Baselines3's TD3 unless noted.
 */
import { z } from 'zod';
import { NoiseConfig } from './noise.js';
import { ReplayConfig } from './replay.js';

export const AlgoId = z.enum(['td3', 'ddpg', 'sac', 'd4pg', 'dqn', 'rainbow', 'ppo', 'a2c', 'reinforce']);
export type AlgoId = z.infer<typeof AlgoId>;

const hidden = (def: number[], what: string) =>
  z.array(z.number().int().min(1).max(4096)).min(1).max(8).default(def).describe(`Hidden layer sizes of the ${what} MLP (ReLU).`);

export const Td3Config = z.object({
  actorLr: z.number().positive().max(1).default(1e-3).describe('Actor learning rate (Adam).'),
  criticLr: z.number().positive().max(1).default(1e-3).describe('Critic learning rate (Adam).'),
  gamma: z.number().min(0).max(1).default(0.99).describe('Discount factor gamma.'),
  tau: z.number().min(0).max(1).default(0.005).describe('Polyak averaging factor: target <- tau * online + (1 - tau) * target.'),
  batchSize: z.number().int().min(1).max(65536).default(256).describe('Minibatch size sampled from the replay buffer.'),
  bufferSize: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .default(1_000_000)
    .describe('Replay buffer capacity in transitions; the oldest are overwritten first (never allocated beyond totalSteps).'),
  learningStarts: z.number().int().min(0).default(100).describe('Env steps collected with uniform random actions before the actor acts and learning starts.'),
  trainFreq: z.number().int().min(1).default(1).describe('Env steps (per env) between training phases.'),
  gradientSteps: z.number().int().min(-1).default(1).describe('Gradient steps per training phase; -1 = as many as env steps collected.'),
  nCritics: z.number().int().min(1).max(10).default(2).describe('Number of critics; the TD target takes the min over them (TD3: 2, DDPG: 1).'),
  policyDelay: z.number().int().min(1).max(100).default(2).describe('Critic updates per actor (and target) update (TD3: 2, DDPG: 1).'),
  targetNoise: z.number().min(0).max(2).default(0.2).describe('Std of the target-policy smoothing noise (TD3: 0.2, DDPG: 0).'),
  noiseClip: z.number().min(0).max(2).default(0.5).describe('Clip of the target-policy smoothing noise (TD3: 0.5).'),
  actorHidden: hidden([256, 256], 'actor'),
  criticHidden: hidden([256, 256], 'critic'),
  noise: NoiseConfig.default({ type: 'gaussian', sigma: 0.1 }).describe(
    'Exploration noise while collecting: added to the actor output (gaussian, ou), or a perturbed actor (param); actions are clipped to [-1, 1].',
  ),
  maxGradNorm: z.number().positive().optional().describe('Clip gradients to this global norm, per network (off by default, as in TD3).'),
  trainSchedule: z
    .enum(['steps', 'episodes'])
    .optional()
    .describe(
      'When training phases happen. "steps" (the default when absent): every trainFreq env steps, gradientSteps updates. "episodes": after every finished episode, gradientSteps updates (Kendall et al. 2018: 250 optimisation steps after each episode, the car standing still); trainFreq is not used. learningStarts applies to both.',
    ),
  actorPreActivationPenalty: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe(
      "Weight of a penalty on the actor's squared pre-tanh outputs added to the actor loss (mean over the batch): keeps the actor out of the flat ends of tanh, where its gradient vanishes and a policy stuck at full steering lock cannot recover. Absent = 0 (off, as in TD3/DDPG); the drive recipe uses 0.1.",
    ),
  encoderTau: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      'Polyak factor of the target conv encoder when the observation has a trainable encoder (lane obs "vae" in finetune/scratch mode); absent = 0.05 (SAC-AE, Yarats et al.).',
    ),
  // Added after runs existed: configDigest leaves it out at its default, so they still resume.
  replay: ReplayConfig.default({ type: 'uniform' }).describe(
    'Experience replay: "uniform" (default), or "her" = hindsight experience replay for goal-conditioned envs (arm-reach, arm-push): past transitions are replayed with goals the episode actually reached, so failures teach too (off by default).',
  ),
});
export type Td3Config = z.infer<typeof Td3Config>;
export type Td3ConfigInput = z.input<typeof Td3Config>;

/** The settings that make TD3 into DDPG (Lillicrap et al. 2016, as in Stable-Baselines3). */
export const DDPG_PRESET = {
  nCritics: 1,
  policyDelay: 1,
  targetNoise: 0,
  noiseClip: 0,
  noise: { type: 'ou', theta: 0.15, sigma: 0.2, dt: 0.01, mu: 0 },
} as const satisfies Partial<Td3ConfigInput>;
