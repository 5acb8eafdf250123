import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Td3Config } from '../../../src-shared/config/algo.js';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';
import { Rng } from '../../../src-main/core/rng.js';
import { FlatAdam } from '../../../src-main/ml/optim.js';
import { Td3 } from '../../../src-main/rl/algorithms/td3/td3.js';
import type { ReplayBatch } from '../../../src-main/rl/replay/replay-buffer.js';
import { selectBackend } from '../../../src-main/ml/backend.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spaces = { obsDim: 3, actDim: 2 };

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

const small = (over: Record<string, unknown> = {}) => Td3Config.parse({ actorHidden: [16], criticHidden: [16], ...over });

describe('Adam', () => {
  it('matches a float64 reference of PyTorch Adam, including bias correction', () => {
    const v = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'adam-test-v');
    const w = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      true,
      'adam-test-w',
    );
    const opt = new FlatAdam([v, w], { lr: 0.01 }, 'adam-test');
    const ref = [0.5, -1, 2, 1, 2, 3, 4];
    const m = new Array(7).fill(0);
    const s = new Array(7).fill(0);
    const r = new Rng(3);
    for (let t = 1; t <= 6; t++) {
      const g = Array.from({ length: 7 }, () => r.normal());
      tf.tidy(() => opt.apply([tf.tensor1d(g.slice(0, 3)), tf.tensor2d(g.slice(3), [2, 2])]));
      for (let i = 0; i < 7; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i]!;
        s[i] = 0.999 * s[i] + 0.001 * g[i]! ** 2;
        const denom = Math.sqrt(s[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
        ref[i] = ref[i]! - (0.01 / (1 - 0.9 ** t)) * (m[i] / denom);
      }
    }
    const got = [...v.dataSync(), ...w.dataSync()];
    got.forEach((x, i) => expect(x).toBeCloseTo(ref[i]!, 5));
    opt.dispose();
    v.dispose();
    w.dispose();
  });
});

describe('TD3 update', () => {
  it("regresses on y = r + gamma (1 - terminated) min_i Q_target_i(s', mu_target(s')): truncation bootstraps", () => {
    const td3 = new Td3(spaces, small({ gamma: 0.9 }), { networks: 1, targetNoise: 2 });
    const b = randomBatch(32, 5);
    b.truncated = b.terminated.map((x) => 1 - x); // every other transition is a time-limit cut
    const y = td3.tdTargets(b);
    const ref = tf.tidy(() => {
      const no = tf.tensor2d(b.nextObs, [32, 3]);
      const inp = tf.concat([no, td3.actorTarget.apply(no)], 1);
      return tf.minimum(td3.criticTargets[0]!.apply(inp), td3.criticTargets[1]!.apply(inp)).dataSync();
    });
    for (let i = 0; i < 32; i++) {
      if (b.terminated[i]) expect(y[i]).toBe(b.rewards[i]);
      else expect(y[i]).toBeCloseTo(b.rewards[i]! + 0.9 * ref[i]!, 5);
    }
    td3.dispose();
  });

  it('n-step samples (batch.steps = k) discount the bootstrap by gamma^k', () => {
    const td3 = new Td3(spaces, small({ gamma: 0.9 }), { networks: 1, targetNoise: 2 });
    const b = randomBatch(16, 7);
    b.terminated.fill(0);
    const one = td3.tdTargets(b);
    b.steps = Float32Array.from({ length: 16 }, (_, i) => 1 + (i % 4));
    const k = td3.tdTargets(b);
    for (let i = 0; i < 16; i++) expect(k[i]! - b.rewards[i]!).toBeCloseTo((one[i]! - b.rewards[i]!) * 0.9 ** (i % 4), 4);
    td3.dispose();
  });

  it('smooths the target policy with the given clipped noise, clipping actions to [-1, 1]', () => {
    const td3 = new Td3(spaces, small(), { networks: 1, targetNoise: 2 });
    const b = randomBatch(8, 6);
    b.terminated.fill(0);
    const big = new Float32Array(16).fill(5); // pushes every target action to +1
    const y = td3.tdTargets(b, big);
    const ref = tf.tidy(() => {
      const no = tf.tensor2d(b.nextObs, [8, 3]);
      const inp = tf.concat([no, tf.ones([8, 2]) as tf.Tensor2D], 1);
      return tf.minimum(td3.criticTargets[0]!.apply(inp), td3.criticTargets[1]!.apply(inp)).dataSync();
    });
    for (let i = 0; i < 8; i++) expect(y[i]).toBeCloseTo(b.rewards[i]! + 0.99 * ref[i]!, 5);
    td3.dispose();
  });

  it('TD3 delays the actor and targets; DDPG (the preset) has one critic and updates the actor every step', () => {
    const td3 = new Td3(spaces, small(), { networks: 1, targetNoise: 2 });
    expect(td3.critics).toHaveLength(2);
    const a0 = td3.actor.getWeights();
    const t0 = td3.actorTarget.getWeights();
    td3.train(randomBatch(16, 1));
    expect(td3.actor.getWeights()).toEqual(a0); // update 1: critics only
    expect(td3.actorTarget.getWeights()).toEqual(t0);
    td3.train(randomBatch(16, 2));
    expect(td3.actor.getWeights()).not.toEqual(a0);
    expect(td3.actorTarget.getWeights()).not.toEqual(t0);
    for (let i = 0; i < 4; i++) td3.train(randomBatch(16, 3 + i));
    expect([td3.updates, td3.actorUpdates]).toEqual([6, 3]);
    td3.dispose();

    const ddpgCfg = buildRunConfig({ algo: 'ddpg', td3: { actorHidden: [16], criticHidden: [16] } }).td3;
    const ddpg = new Td3(spaces, ddpgCfg, { networks: 1, targetNoise: 2 });
    expect(ddpg.critics).toHaveLength(1);
    for (let i = 0; i < 3; i++) ddpg.train(randomBatch(16, i));
    expect([ddpg.updates, ddpg.actorUpdates]).toEqual([3, 3]);
    ddpg.dispose();
  });

  it('fits a fixed batch (critic loss falls) and leaks no tensors', () => {
    const td3 = new Td3(spaces, small({ criticLr: 3e-3 }), { networks: 4, targetNoise: 5 });
    const b = randomBatch(64, 9);
    td3.train(b);
    const before = tf.memory().numTensors;
    const first = td3.takeStats().criticLoss;
    for (let i = 0; i < 60; i++) td3.train(b);
    const s = td3.takeStats();
    expect(s.updates).toBe(60);
    expect(s.actorUpdates).toBe(30);
    expect(s.finite).toBe(true);
    expect(s.criticLoss).toBeLessThan(first);
    expect(tf.memory().numTensors).toBe(before);
    td3.dispose();
  });

  it('actorPreActivationPenalty pulls an actor saturated at the tanh bound back toward its linear range', () => {
    const preMean = (td3: Td3, obs: Float32Array) =>
      tf.tidy(() => tf.mean(tf.abs(td3.actor.applyPreActivation(tf.tensor2d(obs, [obs.length / 3, 3])))).dataSync()[0]!);
    const run = (penalty: number | undefined) => {
      const td3 = new Td3(spaces, small({ policyDelay: 1, actorLr: 1e-2, ...(penalty === undefined ? {} : { actorPreActivationPenalty: penalty }) }), {
        networks: 1,
        targetNoise: 2,
      });
      // Saturate: a large output bias puts tanh's input near 8 (flat: gradient ~1e-7).
      const w = td3.actor.getWeights();
      w[w.length - 1]!.fill(8);
      td3.actor.setWeights(w);
      const b = randomBatch(64, 9);
      const before = preMean(td3, b.obs);
      for (let k = 0; k < 30; k++) td3.train(b);
      const after = preMean(td3, b.obs);
      td3.dispose();
      return { before, after };
    };
    const stuck = run(undefined);
    const pulled = run(1);
    expect(stuck.before).toBeGreaterThan(6);
    expect(pulled.before).toBeCloseTo(stuck.before, 5);
    // Same start, same batches: the penalty moves the pre-activation down ~2.6 in 30 Adam steps,
    // the critic's gradient through the flat tanh alone ~0.6 (Adam rescales even tiny gradients).
    expect(pulled.after).toBeLessThan(pulled.before - 2);
    expect(pulled.after).toBeLessThan(stuck.after - 1);
  });

  it('continues bit-exactly from a snapshot (weights, targets, Adam moments, noise RNG, stats)', () => {
    const a = new Td3(spaces, small(), { networks: 1, targetNoise: 2 });
    for (let i = 0; i < 5; i++) a.train(randomBatch(16, i));
    const b = new Td3(spaces, small(), { networks: 99, targetNoise: 98 });
    b.restore(structuredClone(a.snapshot()));
    for (let i = 5; i < 10; i++) {
      a.train(randomBatch(16, i));
      b.train(randomBatch(16, i));
    }
    const sa = a.snapshot();
    const sb = b.snapshot();
    expect(sb.json).toEqual(sa.json);
    for (const k of Object.keys(sa.arrays)) expect(Array.from(sb.arrays[k]!), k).toEqual(Array.from(sa.arrays[k]!));
    a.dispose();
    b.dispose();
  });
});
