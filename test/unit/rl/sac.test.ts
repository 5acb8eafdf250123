import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { SacConfig } from '../../../src-shared/config/sac.js';
import { buildRunConfig, type RunConfigInput } from '../../../src-shared/config/run-config.js';
import { formatIssues } from '../../../src-shared/protocol.js';
import { Rng } from '../../../src-main/core/rng.js';
import { Sac } from '../../../src-main/rl/algorithms/sac/sac.js';
import { squashedSample } from '../../../src-main/rl/algorithms/sac/squashed-gaussian.js';
import { loopOf, makeLearner } from '../../../src-main/rl/algorithms/registry.js';
import type { ReplayBatch } from '../../../src-main/rl/replay/replay-buffer.js';
import { selectBackend } from '../../../src-main/ml/backend.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function randomBatch(n: number, seed: number, obsDim = 3, actDim = 2): ReplayBatch {
  const r = new Rng(seed);
  const f = (len: number, g: () => number) => Float32Array.from({ length: len }, g);
  return {
    size: n,
    obsDim,
    actDim,
    obs: f(n * obsDim, () => r.normal()),
    actions: f(n * actDim, () => r.uniform(-1, 1)),
    rewards: f(n, () => r.normal()),
    nextObs: f(n * obsDim, () => r.normal()),
    terminated: f(n, () => (r.next() < 0.3 ? 1 : 0)),
    truncated: new Float32Array(n),
  };
}

const small = (over: Record<string, unknown> = {}) => SacConfig.parse({ actorHidden: [16], criticHidden: [16], ...over });
const seeds = { networks: 1, learner: 2 };

/** log N(u; mu, std) - log |d tanh(u)/du| in float64, the Jacobian by central differences. */
function referenceLogProb(mu: number, logStd: number, eps: number): number {
  const std = Math.exp(logStd);
  const u = mu + std * eps;
  const logNormal = -0.5 * eps * eps - logStd - 0.5 * Math.log(2 * Math.PI);
  const h = 1e-5;
  const jac = (Math.tanh(u + h) - Math.tanh(u - h)) / (2 * h);
  return logNormal - Math.log(jac);
}

describe('squashed Gaussian', () => {
  it('gives tanh(mu + std eps) and the log-density of the squashed action (numeric change of variables)', () => {
    const cases = [
      [0, 0, 0],
      [0.3, -0.5, 1.2],
      [-1.1, 0.4, -0.7],
      [2, -1, 0.5],
      [0.5, 1.5, -2], // far in the tail of tanh
    ];
    const mu = cases.map((c) => [c[0]!]);
    const logStd = cases.map((c) => [c[1]!]);
    const eps = cases.map((c) => [c[2]!]);
    const [action, logProb] = tf.tidy(() => {
      const s = squashedSample(tf.tensor2d(mu), tf.tensor2d(logStd), tf.tensor2d(eps));
      return [s.action.dataSync(), s.logProb.dataSync()];
    });
    cases.forEach(([m, l, e], i) => {
      expect(action![i]).toBeCloseTo(Math.tanh(m! + Math.exp(l!) * e!), 5);
      expect(logProb![i]).toBeCloseTo(referenceLogProb(m!, l!, e!), 3);
    });
  });

  it('sums over action dimensions, and its density integrates to 1 over (-1, 1)', () => {
    // Two dims: the log-prob is the sum of the per-dimension ones.
    const lp = tf.tidy(() => squashedSample(tf.tensor2d([[0.3, -1.1]]), tf.tensor2d([[-0.5, 0.4]]), tf.tensor2d([[1.2, -0.7]])).logProb.dataSync());
    expect(lp[0]).toBeCloseTo(referenceLogProb(0.3, -0.5, 1.2) + referenceLogProb(-1.1, 0.4, -0.7), 3);
    // One dim, mu 0.4, std 0.8: integrate p(a) over a grid of actions (eps solved from a).
    const mu = 0.4;
    const logStd = Math.log(0.8);
    const n = 4000;
    const a = Array.from({ length: n }, (_, i) => -1 + (2 * (i + 0.5)) / n);
    const e = a.map((x) => (Math.atanh(x) - mu) / 0.8);
    const dens = tf.tidy(() =>
      tf.exp(squashedSample(tf.fill([n, 1], mu) as tf.Tensor2D, tf.fill([n, 1], logStd) as tf.Tensor2D, tf.tensor2d(e, [n, 1])).logProb).dataSync(),
    );
    let total = 0;
    for (let i = 0; i < n; i++) total += dens[i]! * (2 / n);
    expect(total).toBeCloseTo(1, 2);
  });
});

describe('SAC', () => {
  it('acts with tanh(mu) deterministically and explores with samples in [-1, 1]', () => {
    const sac = new Sac({ obsDim: 3, actDim: 2 }, small(), seeds);
    const obs = Float32Array.from([0.1, -0.2, 0.3, 1, 0.5, -1]);
    const a = sac.act(obs, 2);
    expect(sac.act(obs, 2)).toEqual(a);
    const mean = tf.tidy(() => tf.tanh(sac.distribution(tf.tensor2d(obs, [2, 3])).mu).dataSync());
    for (let i = 0; i < 4; i++) expect(a[i]).toBeCloseTo(mean[i]!, 6);
    const out = new Float32Array(4);
    sac.explore(obs, 2, out);
    expect(out.every((x) => x >= -1 && x <= 1)).toBe(true);
    expect(Array.from(out)).not.toEqual(Array.from(a));
    sac.dispose();
  });

  it('raises the entropy coefficient when the policy entropy is below the target, and lowers it when above', () => {
    // A squashed Gaussian on one dimension has entropy below log 2 < 1; every policy is below +1, above -50.
    const up = new Sac({ obsDim: 3, actDim: 1 }, small({ targetEntropy: 1, learningRate: 0.01 }), seeds);
    const down = new Sac({ obsDim: 3, actDim: 1 }, small({ targetEntropy: -50, learningRate: 0.01 }), seeds);
    const fixed = new Sac({ obsDim: 3, actDim: 1 }, small({ autoEntropy: false, entCoefInit: 0.2 }), seeds);
    expect(up.entCoef).toBeCloseTo(1, 6);
    const step = (i: number) => {
      for (const s of [up, down, fixed]) s.train(randomBatch(32, 10 + i, 3, 1));
    };
    // Adam's first step moves log alpha by lr against the gradient's sign: d L_alpha / d log alpha
    // = -mean(log pi + targetEntropy), negative when the entropy -mean(log pi) is below the target.
    step(0);
    expect(Math.log(up.entCoef)).toBeCloseTo(0.01, 5);
    expect(Math.log(down.entCoef)).toBeCloseTo(-0.01, 5);
    step(1);
    step(2);
    expect(Math.log(up.entCoef)).toBeGreaterThan(0.02);
    expect(Math.log(down.entCoef)).toBeLessThan(-0.02);
    expect(fixed.entCoef).toBeCloseTo(0.2, 6);
    expect(up.targetEntropy).toBe(1);
    expect(new Sac({ obsDim: 3, actDim: 2 }, small(), seeds).targetEntropy).toBe(-2); // SB3 "auto": -actDim
    for (const s of [up, down, fixed]) s.dispose();
  });

  it('trains with finite losses and moves the critics towards the soft target', () => {
    const sac = new Sac({ obsDim: 3, actDim: 2 }, small({ learningRate: 3e-3 }), seeds);
    const before = sac.critics[0]!.getWeights()[0]!.slice();
    for (let i = 0; i < 20; i++) sac.train(randomBatch(32, i));
    const stats = sac.takeStats();
    expect(stats).toMatchObject({ updates: 20, actorUpdates: 20, finite: true });
    expect(Number.isFinite(stats.criticLoss) && Number.isFinite(stats.actorLoss!)).toBe(true);
    expect(sac.healthy()).toBe(true);
    expect(sac.critics[0]!.getWeights()[0]).not.toEqual(before);
    sac.dispose();
  });

  it('continues bit-exactly from a snapshot (weights, optimizers, alpha, noise stream)', () => {
    const a = new Sac({ obsDim: 3, actDim: 2 }, small(), seeds);
    for (let i = 0; i < 5; i++) a.train(randomBatch(16, i));
    const snap = a.snapshot();
    const b = new Sac({ obsDim: 3, actDim: 2 }, small(), { networks: 99, learner: 98 });
    b.restore(snap);
    for (let i = 5; i < 10; i++) {
      a.train(randomBatch(16, i));
      b.train(randomBatch(16, i));
    }
    const obs = Float32Array.from([0.3, 0.2, -0.1]);
    const oa = new Float32Array(2);
    const ob = new Float32Array(2);
    a.explore(obs, 1, oa);
    b.explore(obs, 1, ob);
    expect(ob).toEqual(oa);
    const sa = a.snapshot();
    const sb = b.snapshot();
    expect(sb.json).toEqual(sa.json);
    for (const k of Object.keys(sa.arrays)) expect(sb.arrays[k], k).toEqual(sa.arrays[k]);
    a.dispose();
    b.dispose();
  });

  it('is built by the registry from the run config, with the pendulum preset (rl-zoo lr 1e-3) and no added noise', () => {
    const config = buildRunConfig({ algo: 'sac', env: { id: 'pendulum' } });
    expect(config.sac).toMatchObject({ learningRate: 1e-3, gamma: 0.99, batchSize: 256, autoEntropy: true });
    expect(buildRunConfig({ algo: 'td3' }).sac).toBeUndefined(); // other algorithms' configs (and digests) are unchanged
    expect(loopOf(config)).toMatchObject({ learningStarts: 100, noise: { type: 'none' }, gamma: 0.99 });
    const learner = makeLearner({ spaces: { obsDim: 3, actDim: 1 }, config, seeds: { networks: 1, learner: 2 } });
    expect(learner).toBeInstanceOf(Sac);
    expect(learner.actor.spec).toMatchObject({ inputDim: 3, hidden: [64, 64], outputDim: 1, outputActivation: 'tanh' });
    learner.dispose();
  });

  it('refuses bad hyperparameters with one line naming the field', () => {
    const refuse = (input: RunConfigInput, field: string) => {
      let err: unknown;
      try {
        buildRunConfig(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(z.ZodError);
      const lines = formatIssues(err as z.ZodError);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    };
    refuse({ algo: 'sac', sac: { learningRate: -1e-3 } }, 'sac.learningRate');
    refuse({ algo: 'sac', sac: { gamma: 1.5 } }, 'sac.gamma');
    refuse({ algo: 'sac', sac: { entCoefInit: 0 } }, 'sac.entCoefInit');
    refuse({ algo: 'sac', sac: { batchSize: 0 } }, 'sac.batchSize');
  });
});
