/**
 * Hyperparameters of the on-policy algorithms (rl/algorithms/on-policy/): PPO, A2C and
 * REINFORCE with a learned baseline. Each is its own optional block at RunConfig level, filled
 * by buildRunConfig only when that algorithm is chosen (so old runs' config digests are unchanged).
 *
 * Defaults: Stable-Baselines3's PPO and A2C (and their MlpPolicy: separate 64-64 policy and value
 * networks, Adam eps 1e-5 for PPO, RMSprop alpha 0.99 eps 1e-5 for A2C). The house's MLPs use
 * ReLU between layers where SB3 uses tanh. REINFORCE: Williams 1992 with a state-value baseline
 * (Sutton & Barto 13.4), one update per `episodesPerUpdate` finished episodes.
 */
import { z } from 'zod';

const hidden = (what: string) =>
  z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([64, 64]).describe(`Hidden layer sizes of the ${what} MLP (ReLU).`);

const lr = (def: number, optimizer: string) =>
  z.number().positive().max(1).default(def).describe(`Learning rate (${optimizer}) of the policy and value networks.`);

const schedule = z
  .enum(['constant', 'linear'])
  .default('constant')
  .describe('Learning-rate schedule: constant, or linear decay to 0 over totalSteps (RL Zoo "lin_" values).');

/** What PPO, A2C and REINFORCE share. */
const common = {
  gamma: z.number().min(0).max(1).default(0.99).describe('Discount factor gamma.'),
  entCoef: z.number().min(0).max(1).default(0).describe('Weight of the entropy bonus in the loss.'),
  vfCoef: z.number().min(0).max(10).default(0.5).describe('Weight of the value loss in the loss.'),
  maxGradNorm: z.number().positive().default(0.5).describe('Clip the global gradient norm of the policy and value networks to this value.'),
  actorHidden: hidden('policy'),
  criticHidden: hidden('value'),
  logStdInit: z
    .number()
    .min(-5)
    .max(2)
    .default(0)
    .describe('Initial log standard deviation of the Gaussian policy (continuous actions; state-independent, learned).'),
  lrSchedule: schedule,
};

export const PpoConfig = z.object({
  lr: lr(3e-4, 'Adam'),
  ...common,
  nSteps: z.number().int().min(1).max(100_000).default(2048).describe('Env steps per env in each rollout.'),
  // Optional (absent = nSteps rollouts) so the digests of PPO runs made before it are unchanged.
  episodesPerRollout: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      'Instead of nSteps per env: a rollout is complete when this many episodes have finished, and holds just those episodes (an update after each episode, as the drive recipe; for budgets of a few episodes). With several envs, an episode still running at an update goes into the next rollout.',
    ),
  batchSize: z.number().int().min(1).max(1_000_000).default(64).describe('Minibatch size of the update epochs.'),
  nEpochs: z.number().int().min(1).max(100).default(10).describe('Passes over each rollout.'),
  gaeLambda: z.number().min(0).max(1).default(0.95).describe('GAE lambda (1 = Monte Carlo advantages, 0 = one-step TD).'),
  clipRange: z.number().gt(0).max(10).default(0.2).describe('PPO clip range epsilon of the probability ratio.'),
  clipSchedule: schedule.describe('Clip-range schedule: constant, or linear decay to 0 over totalSteps (RL Zoo "lin_" values).'),
  normalizeAdvantage: z.boolean().default(true).describe('Normalize advantages per minibatch (mean 0, std 1).'),
});
export type PpoConfig = z.infer<typeof PpoConfig>;

export const A2cConfig = z.object({
  lr: lr(7e-4, 'RMSprop by default'),
  ...common,
  nSteps: z.number().int().min(1).max(100_000).default(5).describe('Env steps per env in each rollout (one update per rollout).'),
  gaeLambda: z.number().min(0).max(1).default(1).describe('GAE lambda (1 = n-step returns, as in the original A2C).'),
  normalizeAdvantage: z.boolean().default(false).describe('Normalize advantages over the rollout (mean 0, std 1).'),
  optimizer: z.enum(['rmsprop', 'adam']).default('rmsprop').describe('RMSprop (alpha 0.99, eps 1e-5, as SB3 and Mnih et al. 2016) or Adam (eps 1e-5).'),
});
export type A2cConfig = z.infer<typeof A2cConfig>;

export const ReinforceConfig = z.object({
  lr: lr(1e-3, 'Adam'),
  ...common,
  vfCoef: common.vfCoef.describe('Weight of the baseline (value) loss in the loss.'),
  episodesPerUpdate: z.number().int().min(1).max(1000).default(1).describe('Finished episodes per update (their Monte Carlo returns).'),
  normalizeAdvantage: z.boolean().default(false).describe('Normalize the advantages G - V(s) over the batch (mean 0, std 1).'),
});
export type ReinforceConfig = z.infer<typeof ReinforceConfig>;

/** The on-policy algorithms; each id's block is `config[id]`. */
export const ON_POLICY_ALGOS = ['ppo', 'a2c', 'reinforce'] as const;
export type OnPolicyAlgo = (typeof ON_POLICY_ALGOS)[number];

export const ON_POLICY_SCHEMAS = { ppo: PpoConfig, a2c: A2cConfig, reinforce: ReinforceConfig } as const;
