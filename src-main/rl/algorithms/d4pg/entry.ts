/** D4PG in the algorithm registry, read from the run's `d4pg` block. */
import { D4pgConfig } from '../../../../src-shared/config/d4pg.js';
import type { RunConfig } from '../../../../src-shared/config/run-config.js';
import { replayLoop, type AlgoEntry } from '../learner.js';
import { D4pg } from './d4pg.js';

const d4pgConfig = (config: RunConfig): D4pgConfig => config.d4pg ?? D4pgConfig.parse({});

export const d4pgEntry: AlgoEntry = {
  make(init) {
    if (init.encoder) throw new Error('d4pg: a trainable image encoder is not supported; use state observations or a frozen VAE encoder');
    return new D4pg(init.spaces, d4pgConfig(init.config), init.seeds, init.name);
  },
  loop: (config) => {
    const c = d4pgConfig(config);
    return replayLoop(c, c.noise);
  },

  actions: ['box'],
  actorHidden: (c) => ({ field: 'd4pg.actorHidden', hidden: d4pgConfig(c).actorHidden }),
};
