import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmPushEnvConfig } from '../../../src-shared/config/envs/arm.js';
import { makeNoise, ScriptedMixNoise } from '../../../src-main/rl/noise';
import { Rng } from '../../../src-main/core/rng.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { ArmEnv } from '../../../src-main/sim/arm/arm-env.js';
import { scriptedPolicy } from '../../../src-main/sim/arm/scripted.js';
import { runTraining } from '../../../src-main/workers/run-training.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeJob, tinyConfig } from './fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

describe('scripted exploration (demonstrations mixed into training episodes)', () => {
  it('acts with the scripted controller in about `fraction` of the episodes and with the actor in the others', () => {
    const controller = (obs: Float32Array, out: Float32Array) => out.fill(obs[0]!);
    const n = new ScriptedMixNoise(2, 3, 0.3, 0, controller, 11);
    const obs = new Float32Array([0.5, 9, -0.25, 9]);
    const clean = new Float32Array([0.1, 0.2, 0.3, 0, 0, 0]);
    const out = new Float32Array(3);
    let scripted = 0;
    const episodes = 4000;
    for (let ep = 0; ep < episodes; ep++) {
      n.prepare(obs, clean);
      for (let e = 0; e < 2; e++) {
        n.sample(e, out);
        const action = Array.from(out, (v, k) => v + clean[e * 3 + k]!);
        if (n.isScripted(e)) for (const a of action) expect(a).toBeCloseTo(obs[e * 2]!, 6);
        else expect(Array.from(out)).toEqual([0, 0, 0]);
        scripted += n.isScripted(e) ? 1 : 0;
        n.reset(e);
      }
    }
    expect(scripted / (2 * episodes)).toBeGreaterThan(0.27);
    expect(scripted / (2 * episodes)).toBeLessThan(0.33);
  });

  it("drives arm-push with the env's scripted push; restores from a snapshot and continues identically", () => {
    const config = ArmPushEnvConfig.parse({ id: 'arm-push' });
    const actor = new Mlp({ inputDim: 32, hidden: [4], outputDim: 5, outputActivation: 'tanh' }, new Rng(1), 'scripted-noise-actor');
    const mk = () => makeNoise({ type: 'scripted', fraction: 1, sigma: 0 }, { numEnvs: 1, actDim: 5, seed: 3, actor, name: 'sn', env: config });
    const a = mk();
    const env = new ArmEnv(config);
    const { obs } = env.reset(7);
    const clean = new Float32Array(5).fill(0.2);
    const out = new Float32Array(5);
    a.prepare(obs, clean);
    a.sample(0, out);
    const expected = scriptedPolicy('arm-push', 'velocity').act(obs, new Float32Array(5));
    // Equal up to float32 rounding of (scripted - actor) + actor.
    for (let k = 0; k < 5; k++) expect(out[k]! + clean[k]!).toBeCloseTo(expected[k]!, 6);

    const g = makeNoise({ type: 'scripted', fraction: 0.5, sigma: 0.2 }, { numEnvs: 1, actDim: 5, seed: 3, actor, name: 'sn2', env: config });
    for (let t = 0; t < 5; t++) {
      g.prepare(obs, clean);
      g.sample(0, out);
      g.reset(0);
    }
    const b = makeNoise({ type: 'scripted', fraction: 0.5, sigma: 0.2 }, { numEnvs: 1, actDim: 5, seed: 99, actor, name: 'sn3', env: config });
    b.restore(structuredClone(g.snapshot()));
    const outB = new Float32Array(5);
    for (let t = 0; t < 6; t++) {
      g.prepare(obs, clean);
      g.sample(0, out);
      b.prepare(obs, clean);
      b.sample(0, outB);
      expect(Array.from(outB)).toEqual(Array.from(out));
      g.reset(0);
      b.reset(0);
    }
    expect(() =>
      makeNoise({ type: 'scripted', fraction: 0.5, sigma: 0.1 }, { numEnvs: 1, actDim: 1, seed: 1, actor, name: 'x', env: { id: 'pendulum' } as never }),
    ).toThrow(/scripted controller/);
    actor.dispose();
  });

  it('trains arm-push through the loop with scripted episodes (sparse reward, HER): the scripted ones move the cube', async () => {
    const f = fakeJob(
      tmp.dir,
      tinyConfig({
        env: { id: 'arm-push', maxEpisodeSteps: 30 },
        totalSteps: 240,
        evalEvery: 240,
        evalEpisodes: 2,
        td3: { learningStarts: 30, noise: { type: 'scripted', fraction: 1, sigma: 0 }, replay: { type: 'her', nSampledGoal: 4, strategy: 'future' } },
      }),
    );
    try {
      await runTraining(f.job);
    } finally {
      f.close();
    }
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 240 });
    const episodes = f.metrics().filter((l) => l.kind === 'episode');
    expect(episodes).toHaveLength(8);
    // Sparse reward: every step pays 0 or -1.
    for (const l of episodes) expect(Number.isInteger(l.return)).toBe(true);
    // After the first (random) episode every episode is the scripted push: most reach the goal in 30 steps.
    expect(episodes.slice(1).filter((l) => l.is_success === 1).length).toBeGreaterThanOrEqual(3);
  });
});
