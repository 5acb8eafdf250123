/**
 * Env ids -> implementations. The mapped type makes TypeScript insist that every env id in
 * src-shared/config/envs has a maker here, typed with that env's own options.
 */
import type { EnvConfig, EnvId } from '../../src-shared/config/envs/index.js';
import { ArmEnv } from './arm/arm-env.js';
import { MountainCarEnv } from './classic/mountain-car.js';
import { PendulumEnv } from './classic/pendulum.js';
import { LaneEnv } from './lane/lane-env.js';
import type { Env } from './env.js';

type Makers = { [K in EnvId]: (config: Extract<EnvConfig, { id: K }>) => Env };

const MAKERS: Makers = {
  pendulum: (c) => new PendulumEnv(c),
  mountaincar: (c) => new MountainCarEnv(c),
  'arm-reach': (c) => new ArmEnv(c),
  'arm-push': (c) => new ArmEnv(c),
  lane: (c) => new LaneEnv(c),
};

export function makeEnv(config: EnvConfig): Env {
  const maker = MAKERS[config.id] as (c: EnvConfig) => Env;
  if (!maker) throw new Error(`no env registered for id "${config.id}"`);
  return maker(config);
}
