/** Builds the exploration noise a run's config asks for. */
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import type { NoiseConfig } from '../../../src-shared/config/noise.js';
import type { Mlp } from '../../ml/mlp.js';
import { scriptedController } from '../../sim/registry.js';
import { GaussianNoise, NoNoise } from './gaussian.js';
import { OrnsteinUhlenbeckNoise } from './ou.js';
import { ParameterNoise } from './param.js';
import { ScriptedMixNoise } from './scripted.js';
import type { ExplorationNoise } from './types.js';

export type { ExplorationNoise } from './types.js';
export { GaussianNoise, NoNoise, OrnsteinUhlenbeckNoise, ParameterNoise, ScriptedMixNoise };

export interface NoiseContext {
  numEnvs: number;
  actDim: number;
  seed: number;
  /** The online actor (parameter noise perturbs a copy of it). */
  actor: Mlp;
  /** Unique name prefix for tensors this noise creates. */
  name: string;
  /** The env (scripted exploration asks its adapter for its scripted controller). */
  env?: EnvConfig;
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
    case 'scripted': {
      const controller = ctx.env && scriptedController(ctx.env);
      if (!controller)
        throw new Error(
          `noise "scripted" needs an env with a scripted controller on its observation (${ctx.env?.id ?? 'no env'} here has none: camera observations have none); set td3.noise to gaussian`,
        );
      return new ScriptedMixNoise(ctx.numEnvs, ctx.actDim, config.fraction, config.sigma, controller, ctx.seed);
    }
  }
}
