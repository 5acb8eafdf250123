import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { projectDistribution, support } from '../../../src-main/rl/algorithms/dqn/c51.js';
import { Dqn, epsilonAt } from '../../../src-main/rl/algorithms/dqn/dqn.js';
import { QNetwork } from '../../../src-main/rl/algorithms/dqn/q-network.js';
import { makeLearner } from '../../../src-main/rl/algorithms/registry.js';
import { policyFromWeights } from '../../../src-main/rl/policy/policy.js';
import type { ReplayBatch } from '../../../src-main/rl/replay/replay-buffer.js';
import { discreteSpace, unitActionSpace } from '../../../src-main/sim/env.js';
import { DqnConfig, type DqnConfigInput } from '../../../src-shared/config/dqn.js';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';
import { greedyActions } from '../../../src-shared/policy-head.js';
import { formatIssues } from '../../../src-shared/protocol.js';
import type { z } from 'zod';

beforeAll(async () => {
  await selectBackend('wasm');
});

const tiny = (over: DqnConfigInput = {}) => DqnConfig.parse({ hidden: [8], batchSize: 4, lr: 1e-2, ...over });

/** A hand-made batch of 4 transitions of a 3-value observation, 2 actions. */
function batch(over: Partial<ReplayBatch> = {}): ReplayBatch {
  const rng = new Rng(9);
  const obs = Float32Array.from({ length: 12 }, () => rng.uniform(-1, 1));
  const nextObs = Float32Array.from({ length: 12 }, () => rng.uniform(-1, 1));
  return {
    size: 4,
    obsDim: 3,
    actDim: 1,
    obs,
    nextObs,
    actions: Float32Array.of(0, 1, 1, 0),
    rewards: Float32Array.of(1, -0.5, 0, 2),
    terminated: Float32Array.of(0, 0, 1, 0),
    truncated: Float32Array.of(0, 1, 0, 0),
    ...over,
  };
}

describe('C51 projection', () => {
  it('splits shifted atoms between their neighbours (hand case, 3 atoms on [0, 2])', () => {
    expect(Array.from(support(3, 0, 2))).toEqual([0, 1, 2]);
    // p = [0.2, 0.5, 0.3]; r = 0.5, discount 0.5: Tz = [0.5, 1, 1.5] -> b = [0.5, 1, 1.5].
    // atom 0 -> 0.1 to z0 and 0.1 to z1; atom 1 -> 0.5 to z1; atom 2 -> 0.15 to z1, 0.15 to z2.
    const out = new Float32Array(6);
    projectDistribution([0.2, 0.5, 0.3, 0.2, 0.5, 0.3], [0.5, 3], [0.5, 0], 2, 3, 0, 2, out);
    const m = Array.from(out);
    [0.1, 0.75, 0.15].forEach((v, j) => expect(m[j]).toBeCloseTo(v, 6));
    // Terminal (discount 0) with r = 3 beyond vMax: everything on the last atom.
    expect(m.slice(3)).toEqual([0, 0, 1]);
  });

  it('keeps the mass and clips below vMin', () => {
    const out = new Float32Array(5);
    projectDistribution([0.1, 0.2, 0.3, 0.2, 0.2], [-7], [0.9], 1, 5, -2, 2, out);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 0]);
    projectDistribution([0.1, 0.2, 0.3, 0.2, 0.2], [0.3], [0.7], 1, 5, -2, 2, out);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe('Q network', () => {
  it('a plain network starts exactly as an Mlp of the same spec and seed', () => {
    const q = new QNetwork({ obsDim: 3, actions: 2, atoms: 1, hidden: [5], dueling: false, noisy: false, noisySigma0: 0.5 }, new Rng(4), 'qa');
    const mlp = new Mlp(q.policySpec(), new Rng(4), 'qa-mlp');
    expect(q.policyWeights()).toEqual(mlp.getWeights());
    q.dispose();
    mlp.dispose();
  });

  it('folds dueling heads into one linear layer that computes V + A - mean A, and back', () => {
    const spec = { obsDim: 3, actions: 3, atoms: 4, hidden: [6, 5], dueling: true, noisy: true, noisySigma0: 0.5 };
    const q = new QNetwork(spec, new Rng(2), 'qd');
    const mlp = new Mlp(q.policySpec(), new Rng(0), 'qd-mlp');
    mlp.setWeights(q.policyWeights());
    const x = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i));
    const [a, b] = tf.tidy(() => [q.apply(tf.tensor2d(x, [5, 3])).dataSync(), mlp.apply(tf.tensor2d(x, [5, 3])).dataSync()]);
    for (let i = 0; i < a!.length; i++) expect(b![i]).toBeCloseTo(a![i]!, 5);
    // The way back: a second dueling network set from the folded weights computes the same.
    const q2 = new QNetwork(spec, new Rng(7), 'qd2');
    q2.setPolicyWeights(q.policyWeights());
    const c = tf.tidy(() => q2.apply(tf.tensor2d(x, [5, 3])).dataSync());
    for (let i = 0; i < a!.length; i++) expect(c[i]).toBeCloseTo(a![i]!, 5);
    // Noise changes the outputs; the mean weights are what `apply` without noise uses.
    const noisy = tf.tidy(() => q.apply(tf.tensor2d(x, [5, 3]), q.sampleNoise(new Rng(1))).dataSync());
    expect(Array.from(noisy)).not.toEqual(Array.from(a!));
    for (const n of [q, q2, mlp]) n.dispose();
  });
});

describe('DQN learner', () => {
  it('follows SB3 linear epsilon schedule', () => {
    const cfg = { explorationInitialEps: 1, explorationFinalEps: 0.05, explorationFraction: 0.1 };
    expect(epsilonAt(cfg, 0, 1000)).toBe(1);
    expect(epsilonAt(cfg, 50, 1000)).toBeCloseTo(0.525, 12);
    expect(epsilonAt(cfg, 100, 1000)).toBeCloseTo(0.05, 12);
    expect(epsilonAt(cfg, 900, 1000)).toBeCloseTo(0.05, 12);
  });

  it("computes TD targets r + gamma^k (1 - terminated) Q_target(s', a*), a* by the target (DQN) or the online net (double)", () => {
    for (const double of [false, true]) {
      const d = new Dqn({ obsDim: 3, actions: 2 }, tiny({ double, gamma: 0.9 }), 100, { networks: 1, learner: 2 });
      // Make online and target differ.
      d.q.setWeights(d.q.getWeights().map((w) => w.map((v) => v * 1.7 - 0.1)));
      const b = batch({ steps: Float32Array.of(1, 2, 1, 3) });
      const y = d.tdTargets(b);
      const [qt, qo] = tf.tidy(() => [d.target.apply(tf.tensor2d(b.nextObs, [4, 3])).dataSync(), d.q.apply(tf.tensor2d(b.nextObs, [4, 3])).dataSync()]);
      for (let i = 0; i < 4; i++) {
        const pick = double ? qo! : qt!;
        const star = pick[2 * i + 1]! > pick[2 * i]! ? 1 : 0;
        const k = b.steps![i]!;
        expect(y[i]).toBeCloseTo(b.rewards[i]! + 0.9 ** k * (1 - b.terminated[i]!) * qt![2 * i + star]!, 5);
      }
      d.dispose();
    }
  });

  it('explores epsilon-greedily from its own stream: eps 1 uniform, eps 0 greedy', () => {
    const d = new Dqn({ obsDim: 3, actions: 3 }, tiny({ explorationInitialEps: 1, explorationFinalEps: 0, explorationFraction: 0.5 }), 1000, {
      networks: 1,
      learner: 2,
    });
    const obs = Float32Array.from({ length: 30 }, (_, i) => Math.cos(i));
    const out = new Float32Array(10);
    const counts = [0, 0, 0];
    for (let k = 0; k < 60; k++) {
      d.explore(obs, 10, out, 0);
      for (const a of out) counts[a]!++;
    }
    for (const c of counts) expect(c / 600).toBeGreaterThan(0.25);
    d.explore(obs, 10, out, 600); // past the schedule: epsilon 0
    expect(Array.from(out)).toEqual(Array.from(d.act(obs, 10)));
    expect(d.envSteps).toBe(610);
    d.dispose();
  });

  it('updates the target network every targetUpdateInterval env steps (copy at tau = 1)', () => {
    const d = new Dqn({ obsDim: 3, actions: 2 }, tiny({ targetUpdateInterval: 10 }), 100, { networks: 1, learner: 2 });
    const obs = new Float32Array(3);
    const out = new Float32Array(1);
    d.explore(obs, 1, out, 4); // env step 5: no update due
    d.train(batch());
    d.train(batch());
    expect(d.target.getWeights()).not.toEqual(d.q.getWeights());
    const before = d.q.getWeights();
    d.explore(obs, 1, out, 9); // env step 10: due
    d.train(batch());
    expect(d.target.getWeights()).toEqual(before);
    d.dispose();
  });

  it('returns per-sample priorities, weighs the loss by importance weights, and learns a one-step bandit', () => {
    const d = new Dqn({ obsDim: 3, actions: 2 }, tiny({ gamma: 0, loss: 'mse' }), 100, { networks: 3, learner: 4 });
    const b = batch({ weights: Float32Array.of(1, 0, 0, 0) });
    const y = d.tdTargets(b);
    const q0 = tf.tidy(() => d.q.apply(tf.tensor2d(b.obs, [4, 3])).dataSync());
    const p = d.train(b);
    for (let i = 0; i < 4; i++) expect(p[i]).toBeCloseTo(Math.abs(q0[2 * i + b.actions[i]!]! - y[i]!), 5);
    // gamma 0: Q(s, a) -> r. Train on the batch until the Q values match the rewards.
    const plain = batch();
    for (let k = 0; k < 300; k++) d.train(plain);
    const q = tf.tidy(() => d.q.apply(tf.tensor2d(plain.obs, [4, 3])).dataSync());
    for (let i = 0; i < 4; i++) expect(q[2 * i + plain.actions[i]!]).toBeCloseTo(plain.rewards[i]!, 1);
    const s = d.takeStats();
    expect(s.updates).toBe(301);
    expect(s.finite).toBe(true);
    d.dispose();
  });

  it('uses the Huber loss (smooth L1, delta 1) weighted by the importance weights', () => {
    const d = new Dqn({ obsDim: 3, actions: 2 }, tiny({ gamma: 0.9 }), 100, { networks: 5, learner: 6 });
    const b = batch({ rewards: Float32Array.of(3, -0.5, 0.2, -2), weights: Float32Array.of(1, 0.5, 0.25, 2) });
    const y = d.tdTargets(b);
    const q0 = tf.tidy(() => d.q.apply(tf.tensor2d(b.obs, [4, 3])).dataSync());
    d.train(b);
    const huber = (x: number) => (Math.abs(x) < 1 ? 0.5 * x * x : Math.abs(x) - 0.5);
    const want = [0, 1, 2, 3].reduce((acc, i) => acc + b.weights![i]! * huber(q0[2 * i + b.actions[i]!]! - y[i]!), 0) / 4;
    expect(d.takeStats().criticLoss).toBeCloseTo(want, 5);
    d.dispose();
  });

  it('C51 + dueling + noisy + double: learns the bandit distribution, and its policy head matches act', () => {
    const cfg = tiny({ gamma: 0, distributional: true, atoms: 11, vMin: -1, vMax: 3, dueling: true, noisy: true, double: true });
    const d = new Dqn({ obsDim: 3, actions: 2 }, cfg, 100, { networks: 3, learner: 4 });
    const b = batch();
    for (let k = 0; k < 300; k++) d.train(b);
    for (let i = 0; i < 4; i++) expect(d.qValue(b.obs.subarray(3 * i, 3 * i + 3), Float32Array.of(b.actions[i]!))).toBeCloseTo(b.rewards[i]!, 1);
    const policy = policyFromWeights({ spec: d.actor.spec, weights: d.actor.getWeights(), head: d.policyHead });
    expect(Array.from(policy.act(b.obs, 4))).toEqual(Array.from(d.act(b.obs, 4)));
    const logits = tf.tidy(() => d.q.apply(tf.tensor2d(b.obs, [4, 3])).dataSync());
    expect(Array.from(greedyActions(d.policyHead, logits, 4))).toEqual(Array.from(d.act(b.obs, 4)));
    policy.dispose();
    d.dispose();
  });

  it('restores a snapshot exactly: the copy then trains and explores as the original', () => {
    const cfg = tiny({ noisy: true, dueling: true, double: true, targetUpdateInterval: 3 });
    const a = new Dqn({ obsDim: 3, actions: 2 }, cfg, 100, { networks: 1, learner: 2 });
    const obs = Float32Array.from({ length: 6 }, (_, i) => i / 7);
    const out = new Float32Array(2);
    a.explore(obs, 2, out, 10);
    a.train(batch());
    const b = new Dqn({ obsDim: 3, actions: 2 }, cfg, 100, { networks: 5, learner: 6 });
    b.restore(a.snapshot());
    for (const l of [a, b]) {
      l.explore(obs, 2, out, 12);
      l.train(batch());
    }
    expect(b.snapshot()).toEqual(a.snapshot());
    a.dispose();
    b.dispose();
  });
});

describe('refusals', () => {
  it('refuses bad hyperparameters with one line naming the field', () => {
    // As the engine and the CLI report them: one "config.<field>: message" line per problem.
    const err = (dqn: DqnConfigInput, algo: 'dqn' | 'rainbow' = 'dqn') => {
      try {
        buildRunConfig({ algo, env: { id: 'cartpole' }, dqn });
      } catch (e) {
        return formatIssues(e as z.ZodError, 'config');
      }
      return [];
    };
    expect(err({ lr: -1 })).toEqual([expect.stringMatching(/^config\.dqn\.lr: /)]);
    expect(err({ atoms: 1 })).toEqual([expect.stringMatching(/^config\.dqn\.atoms: /)]);
    expect(err({ vMin: 5, vMax: 5 })).toEqual(['config.dqn.vMin: vMin must be below vMax']);
    expect(err({ vMin: 5, vMax: 1 }, 'rainbow')).toEqual(['config.dqn.vMin: vMin must be below vMax']);
    expect(err({ replay: { type: 'prioritized', alpha: 2 } })).toEqual([expect.stringMatching(/^config\.dqn\.replay\.alpha: /)]);
    for (const e of [...err({ lr: -1 }), ...err({ atoms: 1 })]) expect(e).not.toContain('\n');
  });

  it('refuses a discrete algorithm on a continuous env and a continuous one on a discrete env', () => {
    const init = (algo: 'dqn' | 'td3', env: 'pendulum' | 'cartpole') => {
      const config = buildRunConfig({ algo, env: { id: env } });
      const actionSpace = env === 'cartpole' ? discreteSpace(2) : unitActionSpace(1);
      return () => makeLearner({ spaces: { obsDim: env === 'cartpole' ? 4 : 3, actDim: 1 }, actionSpace, config, seeds: { networks: 0, learner: 0 } });
    };
    expect(init('dqn', 'pendulum')).toThrowError(/^algo: dqn needs discrete actions; env "pendulum" has continuous actions/);
    expect(init('td3', 'cartpole')).toThrowError(/^algo: td3 needs continuous actions; env "cartpole" has 2 discrete actions/);
    const ok = init('dqn', 'cartpole')();
    expect(ok.name).toMatch(/^dqn-/);
    ok.dispose();
  });
});
