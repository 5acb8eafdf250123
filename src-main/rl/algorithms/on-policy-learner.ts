/**
 * The on-policy seam. An on-policy learner (PPO, A2C, REINFORCE: rl/algorithms/on-policy/) is a
 * `Learner` (acting, statistics, snapshots, the actor Mlp that evaluation, policy snapshots and
 * export read) that learns from rollouts of its own stochastic policy instead of replay batches.
 * The trainer sees `isOnPolicy(learner)` and steps the envs through rl/train/rollout-loop.ts,
 * which records what `sample` returns, computes GAE(lambda) advantages with Gymnasium semantics
 * (bootstrap from V(final obs) on truncation, not on termination) and calls `update` when the
 * schedule says a rollout is complete. Everything else (checkpoints, evaluation, controls,
 * roll-backs, live view) is the trainer's, shared with the off-policy algorithms.
 */
import type { Learner } from './learner.js';

/** When a rollout is complete. */
export type RolloutSchedule =
  /** Every env has taken nSteps steps (PPO, A2C): a fixed-size rollout of nSteps x numEnvs. */
  | { mode: 'steps'; nSteps: number }
  /** At least `episodes` episodes have finished (REINFORCE): only finished episodes are used. */
  | { mode: 'episodes'; episodes: number };

export interface OnPolicyRollout {
  schedule: RolloutSchedule;
  gamma: number;
  /** GAE lambda; 1 gives Monte Carlo returns (REINFORCE's G_t - V(s_t)). */
  gaeLambda: number;
}

/** One complete rollout, flattened (rows in any order: the update treats them as a set). */
export interface RolloutBatch {
  size: number;
  /** [size * obsDim] observations. */
  obs: Float32Array;
  /** [size * actDim] actions as sampled (before the env's clip to [-1, 1]; a discrete index). */
  actions: Float32Array;
  /** [size] log-probabilities of the actions under the policy that collected them. */
  logProbs: Float32Array;
  /** [size] V(s) when collected. */
  values: Float32Array;
  /** [size] GAE advantages. */
  advantages: Float32Array;
  /** [size] value targets: advantages + values. */
  returns: Float32Array;
}

export interface OnPolicyLearner extends Learner {
  readonly onPolicy: OnPolicyRollout;
  /** True for a categorical policy over a DiscreteSpace (the action is one index). */
  readonly discrete: boolean;
  /**
   * Draws actions from the stochastic policy with the learner's own seeded stream: raw samples
   * into `actions` [n * actDim] (unclipped), their log-probabilities and V(s) into `logProbs`,
   * `values` [n].
   */
  sample(obs: Float32Array, n: number, actions: Float32Array, logProbs: Float32Array, values: Float32Array): void;
  /** V(s) for n observations (bootstrapping at truncations and at the rollout's end). */
  values(obs: Float32Array, n: number): Float32Array;
  /** Learns from one complete rollout; `progressRemaining` = 1 - step / totalSteps (schedules). */
  update(batch: RolloutBatch, progressRemaining: number): void;
}

export function isOnPolicy(learner: Learner): learner is OnPolicyLearner {
  return (learner as Partial<OnPolicyLearner>).onPolicy !== undefined;
}
