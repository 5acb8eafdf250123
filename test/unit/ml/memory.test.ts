/**
 * Memory discipline: no tensor survives an update. 1,000 TD3-style updates (twin critics,
 * actor, Polyak, the project's Adam) and 1,000 VAE steps on tiny inputs leave tf.memory()
 * exactly where it was after the first update (which creates the optimizer state).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeTd3Batch, disposeTd3Nets, makeTd3Nets, randomTd3Batch, td3Update, TD3_BENCH_HYPER } from '../../../bench/ml/td3-update.js';
import { Rng } from '../../../src-main/core/rng.js';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { ConvVae } from '../../../src-main/ml/vae.js';

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
  // The project's Adam over 1,000 updates; tf.train.adam (tfjs's own code around our kernels) over 200.
  for (const [optimizer, updates] of [['fused', 1000], ['tfjs', 200]] as const) {
    it(`TD3 update (${optimizer === 'fused' ? "project's Adam" : 'tf.train.adam'}) keeps tf.memory() flat over ${updates} updates`, () => {
      const sizes = { obsDim: 3, actDim: 1, hidden: [16, 16], nCritics: 2 };
      const rng = new Rng(3);
      const nets = makeTd3Nets(sizes, TD3_BENCH_HYPER, rng, optimizer);
      const batch = randomTd3Batch(sizes, 8, rng);
      const step = (i: number) => {
        const l = td3Update(nets, batch, TD3_BENCH_HYPER, i % 2 === 0, i);
        tf.dispose([l.criticLoss, l.actorLoss ?? []].flat());
      };
      step(0);
      step(1);
      const after = snapshot();
      for (let i = 2; i < updates + 2; i++) step(i);
      expect(snapshot()).toEqual(after);
      const l = td3Update(nets, batch, TD3_BENCH_HYPER, true, 5000);
      expect(Number.isFinite(l.criticLoss.dataSync()[0])).toBe(true);
      tf.dispose([l.criticLoss, l.actorLoss!]);
      disposeTd3Nets(nets);
      disposeTd3Batch(batch);
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
