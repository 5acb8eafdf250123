/**
 * Memory discipline: no tensor survives an update. 1,000 Td3 updates (twin critics, actor,
 * Polyak, FlatAdam), Adam minimize steps and 1,000 VAE steps on tiny inputs leave tf.memory()
 * exactly where it was after the first updates (which create the optimizer state).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { adam } from '../../../src-main/ml/optim.js';
import { ConvVae } from '../../../src-main/ml/vae.js';
import { Td3 } from '../../../src-main/rl/algorithms/td3/td3.js';
import { ReplayBuffer } from '../../../src-main/rl/replay/replay-buffer.js';
import { Td3Config } from '../../../src-shared/config/algo.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerProjectKernels('wasm');
});

function snapshot() {
  const m = tf.memory();
  return { numTensors: m.numTensors, numDataBuffers: m.numDataBuffers, numBytes: m.numBytes };
}

describe('memory over 1,000 updates', () => {
  it('Td3.train (twin critics, actor every 2nd update, Polyak, FlatAdam) keeps tf.memory() flat over 1,000 updates', () => {
    const spaces = { obsDim: 3, actDim: 1 };
    const td3 = new Td3(spaces, Td3Config.parse({ actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 8 }), { networks: 3, targetNoise: 4 }, 'mem-td3');
    const replay = new ReplayBuffer({ capacity: 64, ...spaces, numEnvs: 1, seed: 5 });
    const rng = new Rng(6);
    const obs = () => Float32Array.from({ length: 3 }, () => rng.uniform(-1, 1));
    for (let i = 0; i < 64; i++) replay.add(0, obs(), Float32Array.of(rng.uniform(-1, 1)), rng.normal(), obs(), rng.next() < 0.1, false);
    td3.train(replay.sample(8));
    td3.train(replay.sample(8));
    const after = snapshot();
    for (let i = 0; i < 1000; i++) td3.train(replay.sample(8));
    expect(snapshot()).toEqual(after);
    expect(Number.isFinite(td3.takeStats().criticLoss)).toBe(true);
    td3.dispose();
  });

  // The project's Adam (fused kernels) and tf.train.adam (tfjs's own code around our kernels).
  for (const [optimizer, updates] of [
    ['project', 1000],
    ['tfjs', 200],
  ] as const) {
    it(`minimize with ${optimizer === 'project' ? "the project's Adam" : 'tf.train.adam'} keeps tf.memory() flat over ${updates} updates`, () => {
      const net = new Mlp({ inputDim: 3, hidden: [16, 16], outputDim: 1, outputActivation: 'linear' }, new Rng(7), `mem-${optimizer}`);
      const opt = optimizer === 'project' ? adam(1e-3) : tf.train.adam(1e-3);
      const x = tf.randomUniform([8, 3], -1, 1, 'float32', 2) as tf.Tensor2D;
      const y = tf.randomUniform([8, 1], -1, 1, 'float32', 3) as tf.Tensor2D;
      const step = () => tf.dispose(opt.minimize(() => tf.mean(tf.square(tf.sub(net.apply(x), y))) as tf.Scalar, true, net.variables)!);
      step();
      const after = snapshot();
      for (let i = 0; i < updates; i++) step();
      expect(snapshot()).toEqual(after);
      opt.dispose();
      net.dispose();
      tf.dispose([x, y]);
    });
  }

  it('VAE train step keeps tf.memory() flat', () => {
    const vae = new ConvVae({ height: 8, width: 8, channels: 1, filters: [2, 4], latentDim: 2 }, new Rng(4), 'mem-vae');
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    vae.trainStep(x);
    const after = snapshot();
    for (let i = 0; i < 1000; i++) vae.trainStep(x);
    vae.evaluate(x);
    tf.tidy(() => {
      vae.reconstruct(x);
    });
    expect(snapshot()).toEqual(after);
    vae.dispose();
    x.dispose();
  });
});
