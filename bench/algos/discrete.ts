/**
 * `bench algos` entries of the DQN family on discrete actions (issue table): DQN and the Rainbow
 * preset on CartPole-v1 (50k steps, final deterministic evaluation >= 475) and DQN on
 * MountainCar-v0 (120k steps, >= -110), beside rl-baselines3-zoo's benchmark.md figures. Each run
 * uses the env's DQN presets (src-shared/config/dqn.ts).
 */
import type { AlgoBenchEntry } from './entry.js';

export const DISCRETE_ENTRIES: AlgoBenchEntry[] = [
  {
    id: 'cartpole-dqn',
    algo: 'dqn',
    config: { env: { id: 'cartpole' }, totalSteps: 50_000 },
    goal: 475,
    reference: 'rl-zoo DQN: 500.00 +- 0.00 at 50k steps',
  },
  {
    id: 'cartpole-rainbow',
    algo: 'rainbow',
    config: { env: { id: 'cartpole' }, totalSteps: 50_000 },
    goal: 475,
    reference: 'no Rainbow in rl-zoo (its DQN: 500 at 50k steps)',
  },
  {
    id: 'mountaincar-dqn',
    algo: 'dqn',
    config: { env: { id: 'mountaincar-discrete' }, totalSteps: 120_000 },
    goal: -110,
    reference: 'rl-zoo DQN: -103.40 +- 7.49 at 120k steps',
  },
];
