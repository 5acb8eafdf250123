/** The DQN family (dqn, and rainbow as its preset: src-shared/config/dqn.ts) in the algorithm registry. */
import { DqnConfig } from '../../../../src-shared/config/dqn.js';
import type { RunConfig } from '../../../../src-shared/config/run-config.js';
import { replayLoop, type AlgoEntry } from '../learner.js';
import { Dqn } from './dqn.js';

/** The run's DQN block (buildRunConfig fills it for dqn and rainbow; the schema's defaults otherwise). */
const dqnConfigOf = (config: RunConfig): DqnConfig => config.dqn ?? DqnConfig.parse({});

export const dqnEntry: AlgoEntry = {
  make(init) {
    if (init.encoder) throw new Error('algo: the DQN family here takes vector observations (no camera encoder)');
    const space = init.actionSpace;
    if (space?.kind !== 'discrete') throw new Error(`algo: ${init.config.algo} needs discrete actions`);
    const { config } = init;
    return new Dqn({ obsDim: init.spaces.obsDim, actions: space.n }, dqnConfigOf(config), config.totalSteps, init.seeds, init.name);
  },
  // DQN explores itself (epsilon-greedy or noisy nets); it trains every trainFreq steps.
  loop: (config) => replayLoop({ ...dqnConfigOf(config), trainSchedule: 'steps' }, { type: 'none' }),

  actions: ['discrete'],
  actorHidden: (c) => ({ field: 'dqn.hidden', hidden: dqnConfigOf(c).hidden }),
};
