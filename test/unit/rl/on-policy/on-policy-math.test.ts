import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import {
  gae,
  normalizeInPlace,
  STEP_CONTINUES as C,
  STEP_TERMINATED as TERM,
  STEP_TRUNCATED as TRUNC,
} from '../../../../src-main/rl/algorithms/on-policy/gae.js';
import {
  categoricalEntropy,
  categoricalLogProb,
  clippedSurrogateLoss,
  gaussianEntropy,
  gaussianLogProb,
  policyGradientLoss,
  sampleCategorical,
} from '../../../../src-main/rl/algorithms/on-policy/distributions.js';
import { ActorCritic } from '../../../../src-main/rl/algorithms/on-policy/actor-critic.js';
import { settingsOf } from '../../../../src-main/rl/algorithms/on-policy/settings.js';
import { buildRunConfig } from '../../../../src-shared/config/run-config.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const run = (ends: number[], lastValue = 0) => {
  const adv = new Float32Array(3);
  const ret = new Float32Array(3);
  const values = [0.5, 1, 1.5];
  gae({ rewards: [1, 2, 3], values, ends, bootValues: [0, 0, 2], lastValue, gamma: 0.9, lambda: 0.5 }, 3, adv, ret);
  return { adv: [...adv], ret: [...ret] };
};

describe('GAE (gamma 0.9, lambda 0.5, rewards 1 2 3, V 0.5 1 1.5)', () => {
  it('bootstraps from V(final obs) = 2 when the last step is truncated', () => {
    // delta2 = 3 + 0.9 * 2 - 1.5 = 3.3; delta1 = 2 + 0.9 * 1.5 - 1 = 2.35; delta0 = 1 + 0.9 * 1 - 0.5 = 1.4
    const { adv, ret } = run([C, C, TRUNC]);
    expect(adv[2]).toBeCloseTo(3.3, 5);
    expect(adv[1]).toBeCloseTo(2.35 + 0.45 * 3.3, 5);
    expect(adv[0]).toBeCloseTo(1.4 + 0.45 * (2.35 + 0.45 * 3.3), 5);
    expect(ret[0]).toBeCloseTo(adv[0]! + 0.5, 5);
  });

  it('does not bootstrap when the last step terminated', () => {
    const { adv } = run([C, C, TERM]);
    expect(adv[2]).toBeCloseTo(1.5, 5);
    expect(adv[1]).toBeCloseTo(2.35 + 0.45 * 1.5, 5);
    expect(adv[0]).toBeCloseTo(1.4 + 0.45 * 3.025, 5);
  });

  it('cuts the trace at an episode end inside the rollout and bootstraps the rollout end from lastValue', () => {
    const { adv } = run([TERM, C, C], 4);
    expect(adv[2]).toBeCloseTo(3 + 0.9 * 4 - 1.5, 5);
    expect(adv[1]).toBeCloseTo(2.35 + 0.45 * 5.1, 5);
    expect(adv[0]).toBeCloseTo(0.5, 5); // 1 - 0.5, nothing from the next episode
  });

  it('with lambda 1 gives Monte Carlo returns (REINFORCE)', () => {
    const adv = new Float32Array(3);
    const ret = new Float32Array(3);
    gae({ rewards: [1, 2, 3], values: [0.5, 1, 1.5], ends: [C, C, TERM], bootValues: [0, 0, 0], lastValue: 0, gamma: 0.9, lambda: 1 }, 3, adv, ret);
    expect(ret[0]).toBeCloseTo(1 + 0.9 * 2 + 0.81 * 3, 5);
    expect(ret[1]).toBeCloseTo(2 + 0.9 * 3, 5);
    expect(adv[0]).toBeCloseTo(ret[0]! - 0.5, 5);
  });

  it('normalizes with the unbiased std, as SB3', () => {
    const a = Float32Array.from([1, 2, 3]);
    normalizeInPlace(a);
    expect([...a].map((x) => +x.toFixed(5))).toEqual([-1, 0, 1]);
  });
});

describe('policy distributions and losses', () => {
  const read = (t: tf.Tensor) => [...(t.dataSync() as Float32Array)];

  it('Gaussian log-probability and entropy', () => {
    tf.tidy(() => {
      const lp = gaussianLogProb(tf.tensor2d([[0.5, -1]]), tf.tensor2d([[0, 0]]), tf.tensor1d([0, Math.log(2)]));
      // -0.125 - 0 - 0.5 ln 2pi  +  -0.125 - ln 2 - 0.5 ln 2pi
      expect(read(lp)[0]).toBeCloseTo(-0.25 - Math.log(2) - Math.log(2 * Math.PI), 5);
      expect(read(gaussianEntropy(tf.tensor1d([0, Math.log(2)])))[0]).toBeCloseTo(1 + Math.log(2 * Math.PI) + Math.log(2), 5);
    });
  });

  it('categorical log-probability, entropy and sampling', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[0, Math.log(3)]]); // p = [0.25, 0.75]
      expect(read(categoricalLogProb(logits, tf.tensor1d([1], 'int32')))[0]).toBeCloseTo(Math.log(0.75), 5);
      expect(read(categoricalEntropy(logits))[0]).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 5);
    });
    expect(sampleCategorical([0, Math.log(3)], 0, 2, 0.2)).toEqual({ index: 0, logProb: expect.closeTo(Math.log(0.25), 6) });
    expect(sampleCategorical([0, Math.log(3)], 0, 2, 0.3).index).toBe(1);
  });

  it("PPO's clipped surrogate: min(r A, clip(r) A), ratios 1.5 / 0.5 / 1.1, advantages 1 / -1 / 2, clip 0.2", () => {
    tf.tidy(() => {
      const logp = tf.tensor1d([Math.log(1.5), Math.log(0.5), Math.log(1.1)]);
      const loss = clippedSurrogateLoss(logp, tf.zeros([3]) as tf.Tensor1D, tf.tensor1d([1, -1, 2]), 0.2);
      expect(read(loss)[0]).toBeCloseTo(-(1.2 - 0.8 + 2.2) / 3, 5);
      expect(read(policyGradientLoss(tf.tensor1d([-1, -2]), tf.tensor1d([1, 3])))[0]).toBeCloseTo((1 + 6) / 2, 5);
    });
  });
});

describe('the actor-critic learner', () => {
  for (const discreteN of [undefined, 3]) {
    it(`samples with log-probabilities the loss recomputes (${discreteN ? 'categorical' : 'Gaussian'})`, () => {
      const cfg = buildRunConfig({ algo: 'ppo', ppo: { actorHidden: [8], criticHidden: [8], logStdInit: -0.5 } });
      const actDim = discreteN ? 1 : 2;
      const l = new ActorCritic({ obsDim: 3, actDim, ...(discreteN ? { discreteN } : {}) }, settingsOf(cfg, 'ppo'), { networks: 1, learner: 2 });
      const obs = Float32Array.from([0.1, -0.2, 0.3, 1, 0.5, -1]);
      const actions = new Float32Array(2 * actDim);
      const logp = new Float32Array(2);
      const values = new Float32Array(2);
      l.sample(obs, 2, actions, logp, values);
      expect([...values]).toEqual([...l.values(obs, 2)]);
      const again = tf.tidy(() => {
        const out = l.actor.apply(tf.tensor2d(obs, [2, 3]));
        const lp = discreteN
          ? categoricalLogProb(out, tf.tensor1d(Int32Array.from(actions), 'int32'))
          : gaussianLogProb(tf.tensor2d(actions, [2, actDim]), out, l.logStd as tf.Tensor1D);
        return [...(lp.dataSync() as Float32Array)];
      });
      for (let i = 0; i < 2; i++) expect(again[i]).toBeCloseTo(logp[i]!, 4);
      if (discreteN) for (const a of actions) expect([0, 1, 2]).toContain(a);
      const det = l.act(obs, 2);
      expect(det).toHaveLength(2 * actDim);
      if (!discreteN) for (const a of det) expect(Math.abs(a)).toBeLessThanOrEqual(1);
      l.dispose();
    });
  }
});

describe("REINFORCE's gradient is the lecture's estimator", () => {
  // Levine, CS W182: grad J ~ (1/N) sum_i sum_t grad log pi(a_t|s_t) (Q_hat_t - V(s_t)); here the
  // loss is averaged over the batch's T steps. For a categorical policy with logits z = W h + b,
  // d log pi(a|s) / d b = onehot(a) - softmax(z), so the loss -mean_t(log pi(a_t|s_t) A_t) has
  // d/d b = -(1/T) sum_t (onehot(a_t) - p_t) A_t: the advantages enter as they are, or normalized.
  for (const normalizeAdvantage of [false, true]) {
    it(`the policy's output-bias gradient is -(1/T) sum_t (onehot(a_t) - p_t) A_t (advantages ${normalizeAdvantage ? 'normalized' : 'as they are'})`, () => {
      const cfg = buildRunConfig({ algo: 'reinforce', env: { id: 'cartpole' }, reinforce: { actorHidden: [4], criticHidden: [4], normalizeAdvantage } });
      const l = new ActorCritic({ obsDim: 2, actDim: 1, discreteN: 2 }, settingsOf(cfg, 'reinforce'), { networks: 3, learner: 4 });
      const obs = Float32Array.from([0.5, -1, 1, 0.2, -0.3, 0.8]);
      const actions = Float32Array.from([0, 1, 1]);
      const advantages = Float32Array.from([2, -1, 0.5]);
      const batch = { size: 3, obs, actions, logProbs: new Float32Array(3), values: new Float32Array(3), advantages, returns: Float32Array.from([1, 2, 3]) };
      const grad = l.gradient(batch);
      // A normalized: mean 0.5, unbiased std sqrt(((1.5)^2 + (-1.5)^2 + 0^2) / 2) = 1.5 -> 1, -1, 0.
      const a = normalizeAdvantage ? [1, -1, 0] : [2, -1, 0.5];
      const logits = tf.tidy(() => l.actor.apply(tf.tensor2d(obs, [3, 2])).arraySync() as number[][]);
      const expected = [0, 0];
      for (let t = 0; t < 3; t++) {
        const z = logits[t]!;
        const m = Math.max(z[0]!, z[1]!);
        const e = z.map((v) => Math.exp(v - m));
        const p = e.map((v) => v / (e[0]! + e[1]!));
        for (let k = 0; k < 2; k++) expected[k]! -= (((actions[t] === k ? 1 : 0) - p[k]!) * a[t]!) / 3;
      }
      const actorSizes = l.actor.variables.map((v) => v.size);
      const biasAt = actorSizes.slice(0, -1).reduce((x, y) => x + y, 0);
      expect(actorSizes.at(-1)).toBe(2);
      expect(grad[biasAt]).toBeCloseTo(expected[0]!, 5);
      expect(grad[biasAt + 1]).toBeCloseTo(expected[1]!, 5);
      l.dispose();
    });
  }
});
