/** Adapters of the classic-control simulators (see ../adapter.ts): generic evaluation, a 2D live view. */
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import { TRACK_COLUMNS } from '../../../src-shared/live.js';
import type { EnvAdapter } from '../adapter.js';
import type { Env } from '../env.js';
import { MountainCarEnv } from './mountain-car.js';
import { PendulumEnv } from './pendulum.js';

export const pendulumAdapter: EnvAdapter<Extract<EnvConfig, { id: 'pendulum' }>> = {
  make: (c) => new PendulumEnv(c),
  view(env: Env) {
    if (!(env instanceof PendulumEnv)) return undefined;
    return {
      kind: 'pendulum',
      columns: [...TRACK_COLUMNS.pendulum],
      dt: env.controlDtS,
      seed: (s) => s,
      writeRow(out, off, t, action) {
        out[off] = t;
        out[off + 1] = env.angle;
        out[off + 2] = env.angularVelocity;
        out[off + 3] = action.length > 0 ? action[0]! : 0;
      },
      pose: () => ({ kind: 'pendulum', theta: env.angle, omega: env.angularVelocity }),
      camera: () => undefined,
    };
  },
};

export const mountainCarAdapter: EnvAdapter<Extract<EnvConfig, { id: 'mountaincar' }>> = {
  make: (c) => new MountainCarEnv(c),
  view(env: Env) {
    if (!(env instanceof MountainCarEnv)) return undefined;
    return {
      kind: 'mountaincar',
      columns: [...TRACK_COLUMNS.mountaincar],
      dt: 1 / 30,
      seed: (s) => s,
      writeRow(out, off, t, action) {
        out[off] = t;
        out[off + 1] = env.carPosition;
        out[off + 2] = env.carVelocity;
        out[off + 3] = action.length > 0 ? action[0]! : 0;
      },
      pose: () => ({ kind: 'mountaincar', position: env.carPosition, velocity: env.carVelocity }),
      camera: () => undefined,
    };
  },
};
