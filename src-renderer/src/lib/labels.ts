/** Display names for ids the engine uses (envs, algorithms), with a readable fallback. */
import { ENV_LABELS } from '../../../src-shared/config/envs/index';

const ALGO_LABELS: Record<string, string> = {
  td3: 'TD3',
  ddpg: 'DDPG',
  sac: 'SAC',
  d4pg: 'D4PG',
  dqn: 'DQN',
  rainbow: 'Rainbow',
  ppo: 'PPO',
  a2c: 'A2C',
  reinforce: 'REINFORCE',
};

export function algoLabel(algo: string): string {
  return ALGO_LABELS[algo] ?? algo.toUpperCase();
}

export function envLabel(env: string): string {
  return (ENV_LABELS as Record<string, string>)[env] ?? env;
}
