/** SAC in the algorithm registry, read from the run's `sac` block. */
import { SacConfig } from '../../../../src-shared/config/sac.js';
import type { RunConfig } from '../../../../src-shared/config/run-config.js';
import { replayLoop, type AlgoEntry } from '../learner.js';
import { Sac } from './sac.js';

/** The run's SAC block (RunConfig.parse leaves it absent when the config did not come through buildRunConfig). */
const sacConfig = (config: RunConfig): SacConfig => config.sac ?? SacConfig.parse({});

export const sacEntry: AlgoEntry = {
  make(init) {
    if (init.encoder) throw new Error('sac: a trainable image encoder is not supported; use state observations or a frozen VAE encoder');
    return new Sac(init.spaces, sacConfig(init.config), init.seeds, init.name);
  },
  // SAC explores with its own stochastic policy (Learner.explore).
  loop: (config) => replayLoop(sacConfig(config), { type: 'none' }),

  actions: ['box'],
  actorHidden: (c) => ({ field: 'sac.actorHidden', hidden: sacConfig(c).actorHidden }),
};
