/** Builds the exploration noise a run's config asks for. */
import type { NoiseConfig } from '../../../src-shared/config/noise.js';
import type { Mlp } from '../../ml/mlp.js';
import { GaussianNoise, NoNoise } from './gaussian.js';
import { OrnsteinUhlenbeckNoise } from './ou.js';
import { ParameterNoise } from './param.js';
import type { ExplorationNoise } from './types.js';

export type { ExplorationNoise } from './types.js';
export { GaussianNoise, NoNoise, OrnsteinUhlenbeckNoise, ParameterNoise };

export interface NoiseContext {
  numEnvs: number;
  actDim: number;
  seed: number;
  /** The online actor (parameter noise perturbs a copy of it). */
  actor: Mlp;
  /** Unique name prefix for tensors this noise creates. */
  name: string;
}

export function makeNoise(config: NoiseConfig, ctx: NoiseContext): ExplorationNoise {
  switch (config.type) {
    case 'gaussian':
      return new GaussianNoise(ctx.actDim, config.sigma, ctx.seed);
    case 'ou':
      return new OrnsteinUhlenbeckNoise(ctx.numEnvs, ctx.actDim, config, ctx.seed);
    case 'param':
      return new ParameterNoise(ctx.actor, ctx.numEnvs, ctx.actDim, config, ctx.seed, `${ctx.name}/perturbed-actor`);
    case 'none':
      return new NoNoise();
  }
}
