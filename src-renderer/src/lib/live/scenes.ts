/** Lane scenes for the 3D view and the road map: fetched once per (env config, road seed). */
import type { LaneScene } from '../../../../src-shared/scene/lane-scene';
import type { ArmScene } from '../../../../src-shared/scene/arm';
import type { UiClient } from '../engine-client';

const cache = new Map<string, Promise<LaneScene>>();
const CACHE_SIZE = 8;

export function loadLaneScene(client: UiClient, envConfig: Record<string, unknown>, seed: number): Promise<LaneScene> {
  const key = `${JSON.stringify(envConfig)}#${seed}`;
  let p = cache.get(key);
  if (p) {
    cache.delete(key);
    cache.set(key, p);
    return p;
  }
  p = client.request('scene.lane', { seed, config: envConfig });
  p.catch(() => cache.delete(key));
  cache.set(key, p);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return p;
}

const armCache = new Map<string, Promise<ArmScene>>();

/** The arm scene of an env (the same for every run of it: fetched once, for the 3D view and the joint names). */
export function loadArmScene(client: UiClient, env: 'arm-reach' | 'arm-push'): Promise<ArmScene> {
  let p = armCache.get(env);
  if (!p) {
    p = client.request('scene.arm', { env, seed: 0 });
    p.catch(() => armCache.delete(env));
    armCache.set(env, p);
  }
  return p;
}
