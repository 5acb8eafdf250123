import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import { LaneEnv } from '../../../src-main/sim/lane/lane-env.js';
import { WorkerVecEnv } from '../../../src-main/sim/worker-vec-env.js';

// Small images and short episodes keep this quick; 3 envs over 2 workers (uneven split).
const config = LaneEnvConfig.parse({ id: 'lane', obs: 'pixels', camera: { width: 16, height: 12, jitterAngleDeg: 0.5 }, maxEpisodeSteps: 25 });

describe('WorkerVecEnv (lane envs in worker threads)', () => {
  let vec: WorkerVecEnv;
  beforeAll(async () => {
    vec = await WorkerVecEnv.create(config, { numEnvs: 3, workers: 2, seed: 10, frames: true });
  });
  afterAll(async () => {
    await vec?.close();
  });

  it('steps bitwise-identically to envs in the main thread, with autoreset', () => {
    const refs = [0, 1, 2].map(() => new LaneEnv(config));
    const obs = vec.reset();
    expect(vec.obsDim).toBe(16 * 12 * 3 + 2);
    refs.forEach((env, i) => expect(Array.from(obs.subarray(i * vec.obsDim, (i + 1) * vec.obsDim))).toEqual(Array.from(env.reset(10 + i).obs)));
    const actions = new Float32Array(3);
    let ends = 0;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < 3; i++) actions[i] = Math.sin(k / 5 + i);
      const r = vec.step(actions);
      refs.forEach((env, i) => {
        const ref = env.step(actions.subarray(i, i + 1));
        expect(r.rewards[i]).toBe(ref.reward);
        expect(r.terminated[i]).toBe(ref.terminated ? 1 : 0);
        expect(r.truncated[i]).toBe(ref.truncated ? 1 : 0);
        let expected = ref.obs;
        if (ref.terminated || ref.truncated) {
          ends++;
          expect(Array.from(vec.finalObs(i))).toEqual(Array.from(ref.obs));
          expect(r.infos[i]!.episode).toEqual(ref.info.episode);
          expected = env.reset().obs;
        }
        expect(Array.from(r.obs.subarray(i * vec.obsDim, (i + 1) * vec.obsDim))).toEqual(Array.from(expected));
        // The shared camera frame is the image in the observation.
        const frame = vec.frame(i);
        expect(frame.length).toBe(16 * 12 * 3);
        expect(Array.from(frame.subarray(0, 12), (b) => Math.fround(b / 255))).toEqual(Array.from(r.obs.subarray(i * vec.obsDim, i * vec.obsDim + 12)));
      });
    }
    expect(ends).toBeGreaterThan(3);
  });

  it('refuses a wrong number of actions', () => {
    expect(() => vec.step(new Float32Array(2))).toThrow(/expected 3 actions/);
  });
});
