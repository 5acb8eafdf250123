import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { ARM_OBS, type ArmEnv, type ArmEnvState } from '../../../../src-main/sim/arm/arm-env.js';
import { ScriptedPush } from '../../../../src-main/sim/arm/scripted.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

/** Plays `steps` steps of random actions (seeded) mixed with a scripted push, recording everything. */
function trajectory(env: ArmEnv, actionSeed: number, steps: number, scriptedShare = 10): number[] {
  const rng = new Rng(actionSeed);
  const push = new ScriptedPush(env.config.control);
  const a = new Float32Array(env.actionSpace.shape[0]!);
  const out: number[] = [];
  let obs = env.step(a).obs;
  for (let t = 0; t < steps; t++) {
    if (t % 20 < scriptedShare) push.act(obs, a);
    else for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
    const r = env.step(a);
    obs = r.obs;
    out.push(...obs, r.reward, r.terminated ? 1 : 0, r.truncated ? 1 : 0);
    if (r.truncated) obs = env.reset().obs;
  }
  return out;
}

const make = (id: 'arm-reach' | 'arm-push', control: 'position' | 'velocity' = 'position') => makeEnv(EnvConfig.parse({ id, control })) as ArmEnv;

describe('arm determinism', () => {
  it('same seed and actions give bitwise-identical trajectories (separate envs)', () => {
    for (const id of ['arm-reach', 'arm-push'] as const) {
      const a = make(id, 'velocity');
      const b = make(id, 'velocity');
      a.reset(7);
      b.reset(7);
      const ta = trajectory(a, 1, 60);
      const tb = trajectory(b, 1, 60);
      expect(ta.length).toBe(tb.length);
      expect(Float64Array.from(ta)).toEqual(Float64Array.from(tb));
      // ...and a different seed gives a different episode.
      b.reset(8);
      expect(Float64Array.from(trajectory(b, 1, 20))).not.toEqual(Float64Array.from(ta.slice(0, 20 * (ta.length / 60))));
    }
  });

  it('reset(seed) replays an episode exactly in the same env after other episodes', () => {
    const env = make('arm-push');
    env.reset(3);
    const first = trajectory(env, 5, 60);
    env.reset(11);
    trajectory(env, 9, 77);
    env.reset(3);
    expect(Float64Array.from(trajectory(env, 5, 60))).toEqual(Float64Array.from(first));
  });

  it('restores a mid-episode snapshot (through JSON) and continues bit for bit', () => {
    for (const id of ['arm-reach', 'arm-push'] as const) {
      const env = make(id);
      env.reset(4);
      trajectory(env, 2, 14, 20); // mid-episode: the paddle is about to push the cube
      const snap: ArmEnvState = JSON.parse(JSON.stringify(env.snapshot()));
      const cont = trajectory(env, 6, 50, 16);
      if (id === 'arm-push') {
        // The continuation includes contact: within the episode the paddle moves the cube.
        const stride = env.observationSpace.shape[0]! + 3;
        const cubeAt = (t: number) => cont.slice(t * stride + ARM_OBS.cube, t * stride + ARM_OBS.cube + 2);
        const [x0, y0] = cubeAt(0);
        const [x1, y1] = cubeAt(20);
        expect(Math.hypot(x1! - x0!, y1! - y0!)).toBeGreaterThan(0.005);
      }
      // Restore into the same env and into a fresh one.
      env.restore(snap);
      expect(Float64Array.from(trajectory(env, 6, 50, 16))).toEqual(Float64Array.from(cont));
      const fresh = make(id);
      fresh.reset(99);
      fresh.restore(snap);
      expect(Float64Array.from(trajectory(fresh, 6, 50, 16))).toEqual(Float64Array.from(cont));
    }
  });

  it('refuses a snapshot of the other task', () => {
    const reach = make('arm-reach');
    const push = make('arm-push');
    push.reset(0);
    expect(() => reach.restore(push.snapshot())).toThrow(/arm-push/);
  });
});
