/**
 * `bench algos` entries of the continuous-action off-policy learners beside TD3: SAC and D4PG on
 * Pendulum-v1 (issue table: 20k steps, final deterministic evaluation >= -200 on every seed;
 * rl-baselines3-zoo's SAC reaches -157 at 20k). Each run uses the env's presets of its algorithm
 * (src-shared/config/sac.ts, d4pg.ts).
 */
import type { AlgoBenchEntry } from './entry.js';

export const CONTINUOUS_ENTRIES: AlgoBenchEntry[] = [
  {
    id: 'pendulum-sac',
    algo: 'sac',
    config: { env: { id: 'pendulum' }, totalSteps: 20_000 },
    goal: -200,
    reference: 'rl-zoo SAC: -157 at 20k steps',
  },
  {
    id: 'pendulum-d4pg',
    algo: 'd4pg',
    config: { env: { id: 'pendulum' }, totalSteps: 20_000 },
    goal: -200,
    reference: 'rl-zoo SAC: -157 at 20k steps (no D4PG entry in rl-zoo)',
  },
];
