/**
 * The fixed computations the webgpu backend is checked on against the cpu backend (the unit
 * test and `bench gpu`), each deterministic given its seeds on any backend:
 *
 * - td3-update: one Td3.train on a fixed batch (obs 8, act 2, hidden [32, 32], batch 32);
 * - vae-step:   one ConvVae Adam step (ml/optim.ts, the optimizer vae-train uses) on a fixed
 *               image batch (16x16x3, filters [8, 16], latent 4, batch 4);
 * - pendulum-100: 100 TD3 updates of a small pendulum learner (hidden [16, 16], batch 32) on
 *               batches drawn from 2000 random-action Pendulum transitions (the default
 *               [256, 256] x 256 takes minutes per hundred updates on a software driver).
 *
 * - software-kernels: matrix products (transposed, batched, broadcast over the batch, with bias and
 *               each fused activation, row lengths with and without a multiple of 4), sums over
 *               adjacent and other axes, and broadcast adds: on a software adapter these are the
 *               loops of ml/kernels/webgpu-software.ts, elsewhere tfjs-webgpu's own kernels.
 * - fused-ops: the project's fused ops (kernels/custom-ops.ts: activation gradients, Adam steps,
 *               Polyak averaging) on fixed inputs: WGSL shaders on webgpu, tfjs ops on cpu.
 *
 * Every case ends with all its weights (networks and targets), read asynchronously: WebGPU in
 * Node has no synchronous read (see README, "GPU"), so nothing here calls dataSync.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src-main/core/rng.js';
import { actGrad, adamSteps, lerps } from '../../src-main/ml/kernels/custom-ops.js';
import { ConvVae } from '../../src-main/ml/vae.js';
import { Td3 } from '../../src-main/rl/algorithms/td3/td3.js';
import type { ReplayBatch } from '../../src-main/rl/replay/replay-buffer.js';
import { PendulumEnv } from '../../src-main/sim/classic/pendulum.js';
import { Td3Config } from '../../src-shared/config/algo.js';

export const PARITY_CASES = ['fused-ops', 'software-kernels', 'td3-update', 'vae-step', 'pendulum-100'] as const;
export type ParityCase = (typeof PARITY_CASES)[number];

export interface CaseResult {
  /** Every weight of the case's networks, in a fixed order. */
  weights: Float32Array[];
  /** Wall time of the computation (after a warm-up run of the same case on the same backend where noted). */
  ms: number;
}

function randomBatch(n: number, obsDim: number, actDim: number, seed: number): ReplayBatch {
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
    terminated: f(n, () => (r.next() < 0.2 ? 1 : 0)),
    truncated: new Float32Array(n),
  };
}

async function readAll(vars: readonly tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from((await v.data()) as Float32Array)));
}

function td3Variables(td3: Td3): tf.Variable[] {
  return [td3.actor, td3.actorTarget, ...td3.critics, ...td3.criticTargets].flatMap((n) => n.variables);
}

/** Random-action Pendulum transitions (seeded) and a sampler of batches from them. */
function pendulumBatches(transitions: number, batch: number, seed: number): () => ReplayBatch {
  const env = new PendulumEnv({ id: 'pendulum', maxEpisodeSteps: 200 });
  const r = new Rng(seed);
  const obs = new Float32Array(transitions * 3);
  const next = new Float32Array(transitions * 3);
  const act = new Float32Array(transitions);
  const rew = new Float32Array(transitions);
  let o = Float32Array.from(env.reset(seed).obs);
  for (let i = 0; i < transitions; i++) {
    const a = Float32Array.of(r.uniform(-1, 1));
    const s = env.step(a);
    obs.set(o, i * 3);
    next.set(s.obs, i * 3);
    act[i] = a[0]!;
    rew[i] = s.reward;
    o = Float32Array.from(s.truncated ? env.reset().obs : s.obs);
  }
  return () => {
    const b: ReplayBatch = {
      size: batch,
      obsDim: 3,
      actDim: 1,
      obs: new Float32Array(batch * 3),
      actions: new Float32Array(batch),
      rewards: new Float32Array(batch),
      nextObs: new Float32Array(batch * 3),
      terminated: new Float32Array(batch),
      truncated: new Float32Array(batch),
    };
    for (let j = 0; j < batch; j++) {
      const i = Math.floor(r.next() * transitions);
      b.obs.set(obs.subarray(i * 3, i * 3 + 3), j * 3);
      b.nextObs.set(next.subarray(i * 3, i * 3 + 3), j * 3);
      b.actions[j] = act[i]!;
      b.rewards[j] = rew[i]!;
    }
    return b;
  };
}

/** Runs one case on the active backend. */
export async function runCase(name: ParityCase): Promise<CaseResult> {
  switch (name) {
    case 'fused-ops': {
      const r = new Rng(21);
      const t = (shape: number[], f: () => number = () => r.normal()) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f), shape);
      const dy = t([33, 17]);
      const y = t([33, 17], () => r.uniform(-1, 1));
      const vars = [t([5, 7]), t([300]), t([2, 3, 4])].map((value) => ({
        value,
        m: t(value.shape),
        v: t(value.shape, () => r.uniform(0, 2)),
        grad: t(value.shape),
      }));
      const t0 = performance.now();
      const outs = [
        actGrad(dy, y, 'relu'),
        actGrad(dy, y, 'tanh'),
        actGrad(dy, tf.sigmoid(y), 'sigmoid'),
        ...adamSteps(vars, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.999 ** 3 }).flat(),
        ...lerps(
          vars.map((x) => x.value),
          vars.map((x) => x.m),
          0.005,
        ),
      ];
      const weights = await Promise.all(outs.map(async (o) => Float32Array.from((await o.data()) as Float32Array)));
      const ms = performance.now() - t0;
      tf.dispose([dy, y, ...outs, ...vars.flatMap((x) => [x.value, x.m, x.v, x.grad])]);
      return { weights, ms };
    }
    case 'software-kernels': {
      const r = new Rng(23);
      const t = (shape: number[]) =>
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal()),
          shape,
        );
      const t0 = performance.now();
      const outs = tf.tidy(() => {
        const a = t([2, 5, 7]);
        const b = t([2, 7, 8]);
        const b1 = t([1, 7, 6]);
        const x = t([6, 5, 4]);
        return [
          tf.matMul(t([9, 7]), t([7, 8])),
          tf.matMul(t([7, 9]), t([7, 6]), true, false),
          tf.matMul(t([9, 7]), t([5, 7]), false, true),
          tf.matMul(t([7, 9]), t([8, 7]), true, true),
          tf.matMul(a, b),
          tf.matMul(a, b1),
          tf.matMul(t([1, 7, 5]), b, true, false),
          ...(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const).map((activation) =>
            tf.fused.matMul({ a: t([9, 7]), b: t([7, 8]), bias: t([8]), activation }),
          ),
          tf.fused.matMul({ a: t([9, 7]), b: t([7, 5]), bias: t([9, 1]), activation: 'relu' }),
          tf.sum(x),
          tf.sum(x, 0),
          tf.sum(x, [1, 2]),
          tf.sum(x, 1, true),
          tf.sum(x, [0, 2]),
          tf.add(x, t([4])),
          tf.add(t([5, 1]), x),
          tf.add(x, tf.scalar(0.5)),
        ];
      });
      const weights = await Promise.all(outs.map(async (o) => Float32Array.from((await o.data()) as Float32Array)));
      const ms = performance.now() - t0;
      tf.dispose(outs);
      return { weights, ms };
    }
    case 'td3-update': {
      const td3 = new Td3(
        { obsDim: 8, actDim: 2 },
        Td3Config.parse({ actorHidden: [32, 32], criticHidden: [32, 32], policyDelay: 1 }),
        { networks: 3, targetNoise: 4 },
        'parity-td3',
      );
      const batch = randomBatch(32, 8, 2, 5);
      const t0 = performance.now();
      td3.train(batch);
      const weights = await readAll(td3Variables(td3));
      const ms = performance.now() - t0;
      td3.dispose();
      return { weights, ms };
    }
    case 'vae-step': {
      const vae = new ConvVae({ height: 16, width: 16, latentDim: 4, filters: [8, 16] }, new Rng(7), 'parity-vae');
      const x = tf.tidy(() => tf.randomUniform([4, 16, 16, 3], 0, 1, 'float32', 11)) as tf.Tensor4D;
      const t0 = performance.now();
      const loss = vae.optimizer.minimize(() => vae.lossTensors(x, 13).loss, true, vae.variables)!;
      const weights = await readAll(vae.variables);
      const ms = performance.now() - t0;
      const lossValue = (await loss.data())[0]!;
      tf.dispose([loss, x]);
      vae.dispose();
      return { weights: [...weights, Float32Array.of(lossValue)], ms };
    }
    case 'pendulum-100': {
      const td3 = new Td3(
        { obsDim: 3, actDim: 1 },
        Td3Config.parse({ actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 32 }),
        { networks: 1, targetNoise: 2 },
        'parity-pendulum',
      );
      const next = pendulumBatches(2000, 32, 9);
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) td3.train(next());
      const weights = await readAll(td3Variables(td3));
      const ms = performance.now() - t0;
      td3.dispose();
      return { weights, ms };
    }
  }
}

/** Largest |a - b| over all weights; Infinity if the shapes differ or a value is not finite. */
export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return Infinity;
    for (let j = 0; j < x.length; j++) {
      const d = Math.abs(x[j]! - y[j]!);
      if (!(d <= worst)) worst = Number.isFinite(d) ? d : Infinity;
    }
  }
  return worst;
}
