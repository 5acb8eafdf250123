/**
 * The one Kendall lane loop drives routes one at a time (`parallel: 1`, what training and `eval`
 * use) or side by side with the policy batched over the routes (the drive pipeline): for a
 * camera policy (conv encoder + actor) both give the same routes, bit for bit, on this backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LaneEnvConfig, laneTestSeeds } from '../../../../src-shared/config/envs/lane.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { ConvEncoder } from '../../../../src-main/ml/conv-encoder.js';
import { Mlp } from '../../../../src-main/ml/mlp.js';
import { policyFromWeights } from '../../../../src-main/rl/policy/policy.js';
import { evaluateLaneBatch } from '../../../../src-main/sim/lane/evaluate.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('Kendall lane loop, one route at a time or batched', () => {
  it('gives identical routes for a conv-encoder policy', () => {
    const spec = { height: 16, width: 16, channels: 3, filters: [4, 8], kernelSize: 4, latentDim: 6 };
    const enc = new ConvEncoder(spec, new Rng(11), 'batch-eval-encoder', false);
    const actor = new Mlp({ inputDim: 8, hidden: [16], outputDim: 1, outputActivation: 'tanh' }, new Rng(12), 'batch-eval-actor');
    const policy = policyFromWeights({ spec: actor.spec, weights: actor.getWeights(), encoder: { spec, extraDim: 2, weights: enc.getWeights() } });
    enc.dispose();
    actor.dispose();
    try {
      const config = LaneEnvConfig.parse({ id: 'lane', obs: 'pixels', camera: { width: 16, height: 16 } });
      const options = { config, seeds: laneTestSeeds(3), routeLengthM: 40 };
      const act = (obs: Float32Array, n: number) => policy.act(obs, n);
      const one = evaluateLaneBatch(act, { ...options, parallel: 1 });
      const batched = evaluateLaneBatch(act, { ...options, parallel: 3 });
      expect(batched).toEqual(one);
    } finally {
      policy.dispose();
    }
  });
});
