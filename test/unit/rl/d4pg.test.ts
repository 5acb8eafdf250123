import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { D4pgConfig } from '../../../src-shared/config/d4pg.js';
import { buildRunConfig, type RunConfigInput } from '../../../src-shared/config/run-config.js';
import { formatIssues } from '../../../src-shared/protocol.js';
import { Rng } from '../../../src-main/core/rng.js';
import { D4pg } from '../../../src-main/rl/algorithms/d4pg/d4pg.js';
import { expectedValue, projectTarget, supportValues, type Support } from '../../../src-main/rl/algorithms/d4pg/categorical.js';
import { loopOf, makeLearner } from '../../../src-main/rl/algorithms/registry.js';
import type { ReplayBatch } from '../../../src-main/rl/replay/replay-buffer.js';
import { selectBackend } from '../../../src-main/ml/backend.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function randomBatch(n: number, seed: number): ReplayBatch {
  const r = new Rng(seed);
  const f = (len: number, g: () => number) => Float32Array.from({ length: len }, g);
  return {
    size: n,
    obsDim: 3,
    actDim: 2,
    obs: f(n * 3, () => r.normal()),
    actions: f(n * 2, () => r.uniform(-1, 1)),
    rewards: f(n, () => r.normal()),
    nextObs: f(n * 3, () => r.normal()),
    terminated: f(n, () => (r.next() < 0.3 ? 1 : 0)),
    truncated: new Float32Array(n),
  };
}

const project = (probs: number[][], rewards: number[], discounts: number[], support: Support) =>
  tf.tidy(() =>
    Array.from(projectTarget(tf.tensor2d(probs), tf.tensor2d(rewards, [rewards.length, 1]), tf.tensor2d(discounts, [discounts.length, 1]), support).dataSync()),
  );

/** C51's projection as written in Bellemare et al. 2017 (Algorithm 1), in float64. */
function referenceProjection(p: number[], r: number, d: number, { atoms, vMin, vMax }: Support): number[] {
  const dz = (vMax - vMin) / (atoms - 1);
  const m = new Array<number>(atoms).fill(0);
  for (let j = 0; j < atoms; j++) {
    const tz = Math.min(vMax, Math.max(vMin, r + d * (vMin + j * dz)));
    const b = (tz - vMin) / dz;
    const l = Math.floor(b);
    const u = Math.ceil(b);
    if (l === u) m[l]! += p[j]!;
    else {
      m[l]! += p[j]! * (u - b);
      m[u]! += p[j]! * (b - l);
    }
  }
  return m;
}

const small = (over: Record<string, unknown> = {}) => D4pgConfig.parse({ actorHidden: [16], criticHidden: [16], atoms: 11, vMin: -5, vMax: 5, ...over });

describe('categorical projection (C51)', () => {
  const three: Support = { atoms: 3, vMin: -1, vMax: 1 };

  it('splits each shifted atom between its neighbours on 3 atoms (hand-checked)', () => {
    const p = [0.2, 0.5, 0.3];
    // r 0.5, discount 0.5: Tz = [0, 0.5, 1] -> atom 1 gets 0.2 + 0.5/2, atom 2 gets 0.5/2 + 0.3.
    expect(project([p], [0.5], [0.5], three).map((x) => +x.toFixed(6))).toEqual([0, 0.45, 0.55]);
    // Terminal (discount 0), r -0.25: every atom lands at -0.25, 3/4 of the way to atom 1.
    expect(project([p], [-0.25], [0], three).map((x) => +x.toFixed(6))).toEqual([0.25, 0.75, 0]);
    // Returns beyond the support are clipped to its ends.
    expect(project([p, p], [5, -3], [0.9, 0.9], three).map((x) => +x.toFixed(6))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(supportValues(three))).toEqual([-1, 0, 1]);
  });

  it("matches C51's floor/ceil algorithm on random distributions, and keeps probabilities summing to 1", () => {
    const support: Support = { atoms: 21, vMin: -10, vMax: 4 };
    const r = new Rng(4);
    const probs: number[][] = [];
    const rewards: number[] = [];
    const discounts: number[] = [];
    for (let i = 0; i < 8; i++) {
      const raw = Array.from({ length: 21 }, () => r.next());
      const s = raw.reduce((a, b) => a + b, 0);
      probs.push(raw.map((x) => x / s));
      rewards.push(r.uniform(-4, 2));
      discounts.push(i === 3 ? 0 : Math.pow(0.9, 1 + (i % 3)));
    }
    const got = project(probs, rewards, discounts, support);
    for (let i = 0; i < 8; i++) {
      const want = referenceProjection(probs[i]!, rewards[i]!, discounts[i]!, support);
      const row = got.slice(i * 21, (i + 1) * 21);
      row.forEach((x, k) => expect(x).toBeCloseTo(want[k]!, 5));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('gives the expected return of logits', () => {
    const v = tf.tidy(() => expectedValue(tf.tensor2d([[0, 0, Math.log(2)]]), three).dataSync()[0]);
    expect(v).toBeCloseTo(0.5 * -1 * 0.5 + 0.5, 6); // probs [1/4, 1/4, 1/2]
  });
});

describe('D4PG', () => {
  it('projects with gamma^k for n-step samples and no bootstrap at terminal states', () => {
    const d = new D4pg({ obsDim: 3, actDim: 2 }, small({ gamma: 0.9 }), { networks: 1 });
    const batch = randomBatch(3, 1);
    batch.terminated.set([0, 1, 0]);
    batch.steps = Float32Array.from([3, 1, 1]);
    const m = d.targetDistribution(batch);
    const probs = tf.tidy(() => {
      const next = tf.tensor2d(batch.nextObs, [3, 3]);
      return tf.softmax(d.criticTarget.apply(tf.concat([next, d.actorTarget.apply(next)], 1))).arraySync() as number[][];
    });
    const discounts = [0.9 ** 3, 0, 0.9];
    for (let i = 0; i < 3; i++) {
      const want = referenceProjection(probs[i]!, batch.rewards[i]!, discounts[i]!, d.support);
      for (let k = 0; k < 11; k++) expect(m[i * 11 + k]).toBeCloseTo(want[k]!, 5);
    }
    d.dispose();
  });

  it('returns per-sample cross-entropies as priorities when the batch has slot indices, and weighs samples by importance weights', () => {
    const a = new D4pg({ obsDim: 3, actDim: 2 }, small(), { networks: 3 });
    const b = new D4pg({ obsDim: 3, actDim: 2 }, small(), { networks: 3 });
    const batch = randomBatch(4, 2);
    expect(a.train({ ...batch })).toBeUndefined(); // uniform replay: no priorities
    // Weights all 1 are the same as no weights.
    b.train({ ...batch, weights: Float32Array.from([1, 1, 1, 1]) });
    expect(b.critic.getWeights()).toEqual(a.critic.getWeights());
    // The cross-entropy each sample has before the step is its new priority.
    const next = randomBatch(4, 3);
    const m = a.targetDistribution(next);
    const ce = tf.tidy(() => {
      const logits = a.critic.apply(tf.concat([tf.tensor2d(next.obs, [4, 3]), tf.tensor2d(next.actions, [4, 2])], 1));
      return Array.from(tf.neg(tf.sum(tf.mul(tf.tensor2d(m, [4, 11]), tf.logSoftmax(logits)), 1)).dataSync());
    });
    const weights = Float32Array.from([1, 0, 0, 0]);
    const priorities = a.train({ ...next, indices: Int32Array.from([7, 8, 9, 10]), weights });
    expect(priorities).toBeInstanceOf(Float32Array);
    Array.from(priorities!).forEach((p, i) => expect(p).toBeCloseTo(ce[i]!, 4));
    // Weights 1, 0, 0, 0 fit the critic to the first sample alone: Adam's first-moment step on
    // mean(w * CE) = CE_0 / 4 matches a batch of that sample (Adam ignores the gradient's scale).
    const one: ReplayBatch = {
      ...next,
      size: 1,
      obs: next.obs.slice(0, 3),
      actions: next.actions.slice(0, 2),
      rewards: next.rewards.slice(0, 1),
      nextObs: next.nextObs.slice(0, 3),
      terminated: next.terminated.slice(0, 1),
      truncated: next.truncated.slice(0, 1),
    };
    const c = new D4pg({ obsDim: 3, actDim: 2 }, small(), { networks: 5 });
    const d = new D4pg({ obsDim: 3, actDim: 2 }, small(), { networks: 5 });
    c.train({ ...next, weights });
    d.train(one);
    const wa = c.critic.getWeights();
    const wb = d.critic.getWeights();
    wa.forEach((w, i) => w.forEach((x, k) => expect(x).toBeCloseTo(wb[i]![k]!, 4)));
    for (const l of [a, b, c, d]) l.dispose();
  });

  it('trains with finite losses and continues bit-exactly from a snapshot', () => {
    const a = new D4pg({ obsDim: 3, actDim: 2 }, small({ actorLr: 1e-3, criticLr: 1e-3 }), { networks: 1 });
    for (let i = 0; i < 5; i++) a.train(randomBatch(16, i));
    const b = new D4pg({ obsDim: 3, actDim: 2 }, small({ actorLr: 1e-3, criticLr: 1e-3 }), { networks: 9 });
    b.restore(a.snapshot());
    for (let i = 5; i < 10; i++) {
      a.train(randomBatch(16, i));
      b.train(randomBatch(16, i));
    }
    const sa = a.snapshot();
    const sb = b.snapshot();
    expect(sb.json).toEqual(sa.json);
    for (const k of Object.keys(sa.arrays)) expect(sb.arrays[k], k).toEqual(sa.arrays[k]);
    const stats = a.takeStats();
    expect(stats).toMatchObject({ updates: 10, finite: true });
    expect(stats.qMean).toBeGreaterThanOrEqual(-5);
    expect(stats.qMean).toBeLessThanOrEqual(5);
    const q = a.qValue(Float32Array.from([0.1, 0.2, 0.3]), Float32Array.from([0.5, -0.5]));
    expect(q).toBeGreaterThanOrEqual(-5);
    expect(q).toBeLessThanOrEqual(5);
    a.dispose();
    b.dispose();
  });

  it('is built by the registry with the pendulum preset, n-step replay and Gaussian noise', () => {
    const config = buildRunConfig({ algo: 'd4pg', env: { id: 'pendulum' } });
    expect(config.d4pg).toMatchObject({ atoms: 51, vMin: -800, vMax: 0, gamma: 0.98, replay: { type: 'uniform', nStep: 5 } });
    expect(loopOf(config)).toMatchObject({ noise: { type: 'gaussian', sigma: 0.1 }, replay: { nStep: 5 }, gamma: 0.98 });
    const learner = makeLearner({ spaces: { obsDim: 3, actDim: 1 }, config, seeds: { networks: 1, learner: 2 } });
    expect(learner).toBeInstanceOf(D4pg);
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
    refuse({ algo: 'd4pg', d4pg: { atoms: 1 } }, 'd4pg.atoms');
    refuse({ algo: 'd4pg', d4pg: { vMin: 10, vMax: 10 } }, 'd4pg.vMax');
    refuse({ algo: 'd4pg', env: { id: 'mountaincar' }, d4pg: { vMin: 0, vMax: -5 } }, 'd4pg.vMax');
    refuse({ algo: 'd4pg', d4pg: { actorLr: -1e-4 } }, 'd4pg.actorLr');
    refuse({ algo: 'd4pg', d4pg: { criticLr: 0 } }, 'd4pg.criticLr');
    expect(() => new D4pg({ obsDim: 3, actDim: 1 }, { ...small(), vMin: 1, vMax: 1 }, { networks: 1 })).toThrow(/vMax \(1\) must be above vMin \(1\)/);
  });
});
