/**
 * The TD3 update the `bench ml` command times, written over Mlp and tf.train.adam exactly as
 * issue 4 states it (the learner's real update lives in src-main/rl/algorithms/td3/; at merge the
 * bench may point at that one instead):
 *
 *   a' = clip(pi'(s') + clip(N(0, targetNoise), -noiseClip, noiseClip), -1, 1)
 *   y  = r + gamma (1 - terminated) min_i Q'_i(s', a')
 *   critic loss = sum_i mean((Q_i(s, a) - y)^2)          (one Adam over all critics)
 *   actor loss  = -mean(Q_1(s, pi(s)))                   (every `policyDelay`-th update)
 *   targets    <- tau * online + (1 - tau) * targets      (actor target and every critic target)
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp } from '../../src-main/ml/mlp.js';
import { adam } from '../../src-main/ml/optim.js';
import type { Rng } from '../../src-main/core/rng.js';

export interface Td3Sizes {
  obsDim: number;
  actDim: number;
  hidden: readonly number[];
  nCritics: number;
}

export interface Td3Hyper {
  gamma: number;
  tau: number;
  targetNoise: number;
  noiseClip: number;
  actorLr: number;
  criticLr: number;
}

export const TD3_BENCH_HYPER: Td3Hyper = { gamma: 0.99, tau: 0.005, targetNoise: 0.2, noiseClip: 0.5, actorLr: 1e-3, criticLr: 1e-3 };

export interface Td3Nets {
  actor: Mlp;
  actorTarget: Mlp;
  critics: Mlp[];
  criticTargets: Mlp[];
  actorOpt: tf.Optimizer;
  criticOpt: tf.Optimizer;
}

/** One replay batch; rewards and terminated are [batch]. */
export interface Td3Batch {
  obs: tf.Tensor2D;
  actions: tf.Tensor2D;
  rewards: tf.Tensor1D;
  nextObs: tf.Tensor2D;
  terminated: tf.Tensor1D;
}

/**
 * 'fused' is the project's Adam (src-main/ml/optim.ts: tf.train.adam's arithmetic, one kernel per
 * variable); 'tfjs' is tf.train.adam itself.
 */
export type OptimizerKind = 'fused' | 'tfjs';

/** `prefix` keeps variable names unique when several sets of nets live at once. */
export function makeTd3Nets(sizes: Td3Sizes, hyper: Td3Hyper, rng: Rng, optimizerKind: OptimizerKind = 'fused', prefix = ''): Td3Nets {
  const optimizer = (lr: number): tf.Optimizer => (optimizerKind === 'fused' ? adam(lr) : tf.train.adam(lr));
  const actorSpec = { inputDim: sizes.obsDim, hidden: sizes.hidden, outputDim: sizes.actDim, outputActivation: 'tanh' as const };
  const criticSpec = { inputDim: sizes.obsDim + sizes.actDim, hidden: sizes.hidden, outputDim: 1, outputActivation: 'linear' as const };
  const actor = new Mlp(actorSpec, rng, `${prefix}actor`);
  const actorTarget = new Mlp(actorSpec, rng, `${prefix}actor_target`);
  actorTarget.copyFrom(actor);
  const critics: Mlp[] = [];
  const criticTargets: Mlp[] = [];
  for (let i = 0; i < sizes.nCritics; i++) {
    const c = new Mlp(criticSpec, rng, `${prefix}critic${i}`);
    const t = new Mlp(criticSpec, rng, `${prefix}critic${i}_target`);
    t.copyFrom(c);
    critics.push(c);
    criticTargets.push(t);
  }
  return { actor, actorTarget, critics, criticTargets, actorOpt: optimizer(hyper.actorLr), criticOpt: optimizer(hyper.criticLr) };
}

export function disposeTd3Nets(n: Td3Nets): void {
  for (const m of [n.actor, n.actorTarget, ...n.critics, ...n.criticTargets]) m.dispose();
  n.actorOpt.dispose();
  n.criticOpt.dispose();
}

/** A random batch (obs in [-1, 1], actions in [-1, 1], rewards N(0,1), 10% terminated), from `rng`. */
export function randomTd3Batch(sizes: Td3Sizes, batchSize: number, rng: Rng): Td3Batch {
  const f = (n: number, g: () => number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = g();
    return a;
  };
  const u = () => rng.uniform(-1, 1);
  return {
    obs: tf.tensor2d(f(batchSize * sizes.obsDim, u), [batchSize, sizes.obsDim]),
    actions: tf.tensor2d(f(batchSize * sizes.actDim, u), [batchSize, sizes.actDim]),
    rewards: tf.tensor1d(f(batchSize, () => rng.normal())),
    nextObs: tf.tensor2d(f(batchSize * sizes.obsDim, u), [batchSize, sizes.obsDim]),
    terminated: tf.tensor1d(f(batchSize, () => (rng.next() < 0.1 ? 1 : 0))),
  };
}

export function disposeTd3Batch(b: Td3Batch): void {
  tf.dispose([b.obs, b.actions, b.rewards, b.nextObs, b.terminated]);
}

export interface Td3Losses {
  criticLoss: tf.Scalar;
  actorLoss: tf.Scalar | null;
}

/**
 * One TD3 update. Returns the losses as scalars (the caller disposes them, or reads them only
 * when it logs: reading forces a sync). `noiseSeed` seeds the target-policy smoothing noise.
 */
export function td3Update(n: Td3Nets, b: Td3Batch, hyper: Td3Hyper, updateActor: boolean, noiseSeed: number): Td3Losses {
  const y = tf.tidy(() => {
    const nextA = n.actorTarget.apply(b.nextObs);
    const noise = tf.clipByValue(tf.randomNormal(nextA.shape, 0, hyper.targetNoise, 'float32', noiseSeed), -hyper.noiseClip, hyper.noiseClip);
    const nextAction = tf.clipByValue(tf.add(nextA, noise), -1, 1);
    const nextIn = tf.concat([b.nextObs, nextAction], 1) as tf.Tensor2D;
    let minQ: tf.Tensor2D = n.criticTargets[0]!.apply(nextIn);
    for (let i = 1; i < n.criticTargets.length; i++) minQ = tf.minimum(minQ, n.criticTargets[i]!.apply(nextIn));
    const notDone = tf.sub(1, b.terminated);
    return tf.add(b.rewards, tf.mul(tf.mul(notDone, hyper.gamma), tf.reshape(minQ, [-1]))) as tf.Tensor1D;
  });
  const criticVars = n.critics.flatMap((c) => c.variables);
  const criticLoss = n.criticOpt.minimize(() => {
    const sa = tf.concat([b.obs, b.actions], 1) as tf.Tensor2D;
    let loss: tf.Scalar | undefined;
    for (const c of n.critics) {
      const q = tf.reshape(c.apply(sa), [-1]);
      const l = tf.mean(tf.square(tf.sub(q, y))) as tf.Scalar;
      loss = loss ? (tf.add(loss, l) as tf.Scalar) : l;
    }
    return loss!;
  }, true, criticVars)!;
  y.dispose();
  let actorLoss: tf.Scalar | null = null;
  if (updateActor) {
    actorLoss = n.actorOpt.minimize(() => {
      const sa = tf.concat([b.obs, n.actor.apply(b.obs)], 1) as tf.Tensor2D;
      return tf.neg(tf.mean(n.critics[0]!.apply(sa))) as tf.Scalar;
    }, true, n.actor.variables)!;
    n.actorTarget.polyakFrom(n.actor, hyper.tau);
    n.critics.forEach((c, i) => n.criticTargets[i]!.polyakFrom(c, hyper.tau));
  }
  return { criticLoss, actorLoss };
}
