/** Adapters of the classic-control simulators (see ../adapter.ts): generic evaluation, a 2D live view. */
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import { TRACK_COLUMNS } from '../../../src-shared/live.js';
import type { EnvAdapter, EnvView } from '../adapter.js';
import type { Env } from '../env.js';
import { CartPoleEnv } from './cart-pole.js';
import { MountainCarDiscreteEnv } from './mountain-car-discrete.js';
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
  view: (env: Env) => mountainCarView(env),
};

/** MountainCar-v0 draws as the continuous one does; its action column is the index 0..2. */
export const mountainCarDiscreteAdapter: EnvAdapter<Extract<EnvConfig, { id: 'mountaincar-discrete' }>> = {
  make: (c) => new MountainCarDiscreteEnv(c),
  view: (env: Env) => mountainCarView(env),
};

/** CartPole-v1 has no 3D scene; its episodes are evaluated and recorded generically. */
export const cartPoleAdapter: EnvAdapter<Extract<EnvConfig, { id: 'cartpole' }>> = {
  make: (c) => new CartPoleEnv(c),
  view: () => undefined,
};

function mountainCarView(env: Env): EnvView | undefined {
  if (!(env instanceof MountainCarEnv || env instanceof MountainCarDiscreteEnv)) return undefined;
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
}
