/** TD3, and DDPG as its preset (src-shared/config/algo.ts), in the algorithm registry. */
import type { RunConfig } from '../../../../src-shared/config/run-config.js';
import { replayLoop, type AlgoEntry, type LearnerInit, type OffPolicyLoop } from '../learner.js';
import { Td3 } from './td3.js';

/** Polyak factor of a trainable target encoder when td3.encoderTau is absent (SAC-AE). */
export const DEFAULT_ENCODER_TAU = 0.05;

function make(init: LearnerInit): Td3 {
  const { config, encoder } = init;
  const options = encoder ? { ...encoder, tau: config.td3.encoderTau ?? DEFAULT_ENCODER_TAU } : undefined;
  return new Td3(init.spaces, config.td3, { networks: init.seeds.networks, targetNoise: init.seeds.learner }, init.name, options);
}

function loop({ td3: c }: RunConfig): OffPolicyLoop {
  return replayLoop(c, c.noise);
}

export const td3Entry: AlgoEntry = {
  make,
  loop,
  actions: ['box'],
  actorHidden: (c) => ({ field: 'td3.actorHidden', hidden: c.td3.actorHidden }),
};
