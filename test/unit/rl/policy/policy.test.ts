/**
 * Q values and actions on raw observations go through the encoder the learner trains (lane obs
 * "vae", modes scratch and finetune); an actor fed the wrong width refuses with a clear error.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Td3Config } from '../../../../src-shared/config/algo.js';
import { Td3 } from '../../../../src-main/rl/algorithms/td3/td3.js';
import { policyFromWeights, policyOfLearner } from '../../../../src-main/rl/policy/policy.js';
import { Mlp } from '../../../../src-main/ml/mlp.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spec = { height: 16, width: 16, channels: 3, filters: [4, 8], kernelSize: 4, latentDim: 5 };
const extraDim = 2;
const rawDim = 16 * 16 * 3 + extraDim;

function rawObs(seed: number, n = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * rawDim }, () => rng.uniform(0, 1));
}

describe('a learner with a trainable (scratch) encoder', () => {
  const cfg = Td3Config.parse({ actorHidden: [8], criticHidden: [8] });

  it('gives Q and actions on raw observations, the same through the policy', () => {
    const td3 = new Td3({ obsDim: rawDim, actDim: 2 }, cfg, { networks: 1, targetNoise: 2 }, 'scratch-td3', { spec, extraDim, tau: 0.05 });
    try {
      const obs = rawObs(3);
      const action = Float32Array.from([0.25, -0.5]);
      const q = td3.qValue(obs, action);
      expect(Number.isFinite(q)).toBe(true);
      // Q = critic([encoder features, action]).
      const expected = tf.tidy(() => {
        const feat = td3.encoder!.features(tf.tensor2d(obs, [1, rawDim]), extraDim);
        return td3.critics[0]!.apply(tf.concat([feat, tf.tensor2d(action, [1, 2])], 1)).dataSync()[0]!;
      });
      expect(q).toBe(expected);
      const policy = policyOfLearner(td3);
      expect(policy.obsDim).toBe(rawDim);
      expect(policy.qValue!(obs, action)).toBe(q);
      expect(Array.from(policy.act(obs, 1))).toEqual(Array.from(td3.act(obs, 1)));
      // The same weights as a standalone policy act the same.
      const standalone = policyFromWeights({
        spec: td3.actor.spec,
        weights: td3.actor.getWeights(),
        encoder: { spec, extraDim, weights: td3.encoder!.getWeights() },
      });
      const batch = rawObs(9, 3);
      expect(Array.from(standalone.act(batch, 3))).toEqual(Array.from(td3.act(batch, 3)));
      standalone.dispose();
    } finally {
      td3.dispose();
    }
  });

  it('refuses observations of the wrong width with a one-line error', () => {
    const td3 = new Td3({ obsDim: rawDim, actDim: 2 }, cfg, { networks: 1, targetNoise: 2 }, 'scratch-td3', { spec, extraDim, tau: 0.05 });
    try {
      // A latent-sized observation handed to the pixel learner, and the other way round.
      expect(() => td3.act(new Float32Array(7), 1)).toThrow(/scratch-td3: got 7 values per observation, but it takes 770/);
      expect(() => td3.qValue(new Float32Array(7), new Float32Array(2))).toThrow(/takes 770/);
    } finally {
      td3.dispose();
    }
    const plain = new Td3({ obsDim: 7, actDim: 2 }, cfg, { networks: 1, targetNoise: 2 }, 'latent-td3');
    try {
      expect(() => plain.act(rawObs(1), 1)).toThrow(/latent-td3: got 770 values per observation, but it takes 7/);
      expect(() => policyOfLearner(plain).act(rawObs(1, 2), 2)).toThrow(/takes 7/);
    } finally {
      plain.dispose();
    }
  });

  it('an Mlp refuses an input of the wrong width instead of failing inside tfjs', () => {
    const mlp = new Mlp({ inputDim: 3, hidden: [4], outputDim: 1, outputActivation: 'tanh' }, new Rng(0), 'tiny-actor');
    try {
      expect(() => tf.tidy(() => mlp.apply(tf.zeros([2, 5]) as tf.Tensor2D))).toThrow('tiny-actor: input rows have 5 values, expected 3');
      const policy = policyFromWeights({ spec: mlp.spec, weights: mlp.getWeights() }, 'tiny-policy');
      expect(() => policy.act(new Float32Array(5), 1)).toThrow('tiny-policy: got 5 values per observation, but it takes 3');
      policy.dispose();
    } finally {
      mlp.dispose();
    }
  });
});
