/**
 * PPO, A2C and REINFORCE as settings of the one on-policy learner (./actor-critic.ts), read from
 * each algorithm's config block (src-shared/config/on-policy.ts):
 *   PPO:       rollouts of nSteps per env (or of episodesPerRollout finished episodes), GAE(lambda),
 *              nEpochs over minibatches, clipped surrogate, Adam.
 *   A2C:       rollouts of nSteps per env, GAE(lambda) (1: n-step returns), one step on the whole
 *              rollout, vanilla policy gradient, RMSprop (or Adam).
 *   REINFORCE: finished episodes, Monte Carlo returns G_t (GAE with lambda 1), advantage
 *              G_t - V(s_t) with V the learned baseline, one step on the batch, Adam. With
 *              several envs, an episode still running at an update goes into the next batch
 *              (its first steps then come from the previous policy); one env is exact.
 */
import type { RunConfig } from '../../../../src-shared/config/run-config.js';
import type { OnPolicyAlgo } from '../../../../src-shared/config/on-policy.js';
import type { RolloutSchedule } from '../on-policy-learner.js';

export interface ActorCriticSettings {
  algo: OnPolicyAlgo;
  lr: number;
  lrSchedule: 'constant' | 'linear';
  optimizer: 'adam' | 'rmsprop';
  schedule: RolloutSchedule;
  gamma: number;
  gaeLambda: number;
  entCoef: number;
  vfCoef: number;
  maxGradNorm: number;
  actorHidden: readonly number[];
  criticHidden: readonly number[];
  logStdInit: number;
  normalizeAdvantage: boolean;
  nEpochs: number;
  /** Minibatch size; absent = the whole rollout in one step. */
  batchSize?: number;
  /** PPO's clip range; absent = the vanilla policy-gradient loss. */
  clipRange?: number;
  clipSchedule: 'constant' | 'linear';
}

function block<K extends OnPolicyAlgo>(config: RunConfig, algo: K): NonNullable<RunConfig[K]> {
  const b = config[algo];
  if (!b) throw new Error(`config.${algo}: missing (build the config with buildRunConfig, which fills the chosen algorithm's block)`);
  return b as NonNullable<RunConfig[K]>;
}

export function settingsOf(config: RunConfig, algo: OnPolicyAlgo): ActorCriticSettings {
  if (algo === 'ppo') {
    const c = block(config, 'ppo');
    const schedule: RolloutSchedule = c.episodesPerRollout ? { mode: 'episodes', episodes: c.episodesPerRollout } : { mode: 'steps', nSteps: c.nSteps };
    return { algo, ...c, optimizer: 'adam', schedule, batchSize: c.batchSize, clipRange: c.clipRange };
  }
  if (algo === 'a2c') {
    const c = block(config, 'a2c');
    return { algo, ...c, schedule: { mode: 'steps', nSteps: c.nSteps }, nEpochs: 1, clipSchedule: 'constant' };
  }
  const c = block(config, 'reinforce');
  return { algo, ...c, optimizer: 'adam', schedule: { mode: 'episodes', episodes: c.episodesPerUpdate }, gaeLambda: 1, nEpochs: 1, clipSchedule: 'constant' };
}
