/**
 * Env ids -> adapters (./adapter.ts). The mapped type makes TypeScript insist that every env id
 * in src-shared/config/envs has an adapter here, typed with that env's own options.
 */
import type { EnvConfig, EnvId } from '../../src-shared/config/envs/index.js';
import type { EncodedImageObs, EnvAdapter, EnvView, ScriptedController } from './adapter.js';
import { armPushAdapter, armReachAdapter } from './arm/adapter.js';
import { cartPoleAdapter, mountainCarAdapter, mountainCarDiscreteAdapter, pendulumAdapter } from './classic/adapter.js';
import type { Env } from './env.js';
import { laneAdapter } from './lane/adapter.js';

type Adapters = { [K in EnvId]: EnvAdapter<Extract<EnvConfig, { id: K }>> };

const ADAPTERS: Adapters = {
  pendulum: pendulumAdapter,
  mountaincar: mountainCarAdapter,
  cartpole: cartPoleAdapter,
  'mountaincar-discrete': mountainCarDiscreteAdapter,
  'arm-reach': armReachAdapter,
  'arm-push': armPushAdapter,
  lane: laneAdapter,
};

/** The adapter of an env id (typed for any config; pass it that id's config). */
export function envAdapter(id: string): EnvAdapter {
  const adapter = (ADAPTERS as Record<string, EnvAdapter>)[id];
  if (!adapter) throw new Error(`no env registered for id "${id}"`);
  return adapter;
}

export function makeEnv(config: EnvConfig): Env {
  return envAdapter(config.id).make(config);
}

/** The encoder-read camera observation an env config asks for, if any. */
export function encodedImageObs(config: EnvConfig): EncodedImageObs | undefined {
  return envAdapter(config.id).encodedImageObs?.(config);
}

/** The env's scripted controller on its raw observation, if it has one. */
export function scriptedController(config: EnvConfig): ScriptedController | undefined {
  return envAdapter(config.id).scripted?.(config);
}

/** The live view of an env as the trainer steps it (observation wrappers keep the simulator as `inner`). */
export function envViewOf(env: Env): EnvView | undefined {
  if ('inner' in env && env.inner && typeof env.inner === 'object') return envViewOf(env.inner as Env);
  return (ADAPTERS as Record<string, EnvAdapter>)[env.id]?.view(env);
}

/** The static 3D scene of episode `seed` of an env (the 3D view). */
export function sceneOf(id: string, seed: number, config: Record<string, unknown>): unknown {
  const scene = envAdapter(id).scene;
  if (!scene) throw new Error(`env "${id}" has no 3D scene`);
  return scene(seed, config);
}
