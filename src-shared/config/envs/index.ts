/**
 * Every env's options, as one discriminated union on `id`. To add an env: write its
 * schema in a file beside this one and list it here (and register its implementation
 * in src-main/sim/registry.ts).
 */
import { z } from 'zod';
import { ArmPushEnvConfig, ArmReachEnvConfig } from './arm.js';
import { CartPoleEnvConfig, MountainCarDiscreteEnvConfig, MountainCarEnvConfig, PendulumEnvConfig } from './classic.js';
import { LaneEnvConfig } from './lane.js';

export const EnvConfig = z.discriminatedUnion('id', [
  PendulumEnvConfig,
  MountainCarEnvConfig,
  CartPoleEnvConfig,
  MountainCarDiscreteEnvConfig,
  LaneEnvConfig,
  ArmReachEnvConfig,
  ArmPushEnvConfig,
]);
export type EnvConfig = z.infer<typeof EnvConfig>;
export type EnvConfigInput = z.input<typeof EnvConfig>;
export type EnvId = EnvConfig['id'];

/** Env ids in the order the UI lists them. */
export const ENV_IDS = EnvConfig.options.map((o) => o.shape.id.value) as EnvId[];

/** A human label per env id for menus. */
export const ENV_LABELS: Record<EnvId, string> = {
  pendulum: 'Pendulum (Gymnasium Pendulum-v1)',
  mountaincar: 'Mountain car (MountainCarContinuous-v0)',
  cartpole: 'Cart-pole, discrete (Gymnasium CartPole-v1)',
  'mountaincar-discrete': 'Mountain car, discrete (Gymnasium MountainCar-v0)',
  lane: 'Lane following (procedural roads, driver camera)',
  'arm-reach': 'Robot arm: reach a target (panda-gym Reach)',
  'arm-push': 'Robot arm: push a cube to a target (panda-gym Push)',
};
