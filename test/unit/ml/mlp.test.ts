/**
 * Mlp keeps its API and math with the fast paths: apply() and its gradients equal the plain
 * tfjs composition on cpu, and polyakFrom is exactly tau * online + (1 - tau) * target.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { onBackend, randArray, relErr, TOL } from './kernel-cases.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerProjectKernels('wasm');
});

describe('Mlp on the fast paths', () => {
  it('apply() and its gradients equal matMul + add + relu/tanh on cpu', async () => {
    const spec = { inputDim: 6, hidden: [32, 16], outputDim: 2, outputActivation: 'tanh' as const };
    const mlp = new Mlp(spec, new Rng(5), 'mlp-check');
    const weights = mlp.getWeights();
    const xs = randArray(9 * 6, 70);
    const f = (useMlp: boolean) => () => {
      const x = tf.tensor2d(xs, [9, 6]);
      const vars = mlp.variables;
      const plain = (inp: tf.Tensor2D) => {
        let h: tf.Tensor2D = inp;
        for (let i = 0; i < 3; i++) {
          h = tf.add(tf.matMul(h, vars[2 * i] as tf.Tensor2D), vars[2 * i + 1]!) as tf.Tensor2D;
          h = i < 2 ? tf.relu(h) : tf.tanh(h);
        }
        return h;
      };
      const net = (inp: tf.Tensor2D) => (useMlp ? mlp.apply(inp) : plain(inp));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net(x))) as tf.Scalar, vars);
      const dx = tf.grad((inp: tf.Tensor) => tf.sum(net(inp as tf.Tensor2D)))(x);
      return [net(x), value, dx, ...vars.map((v) => grads[v.name]!)];
    };
    const got = await onBackend('wasm', f(true));
    mlp.setWeights(weights);
    const want = await onBackend('cpu', f(false));
    await tf.setBackend('wasm');
    got.forEach((g, k) => expect(relErr(g, want[k]!), `output ${k}`).toBeLessThan(TOL));
    mlp.dispose();
  });

  it('polyakFrom is tau * online + (1 - tau) * target for every weight', () => {
    const spec = { inputDim: 3, hidden: [8], outputDim: 1, outputActivation: 'linear' as const };
    const online = new Mlp(spec, new Rng(1), 'online');
    const target = new Mlp(spec, new Rng(2), 'target');
    const a = online.getWeights();
    const b = target.getWeights();
    // Each weight owns its memory, so on wasm the averaging is written in place.
    const backend = tf.backend() as unknown as { refCount(id: object): number };
    for (const v of target.variables) expect(backend.refCount(v.dataId)).toBe(1);
    target.polyakFrom(online, 0.25);
    target.getWeights().forEach((w, i) => {
      const want = Float32Array.from(b[i]!, (t, j) => 0.25 * a[i]![j]! + 0.75 * t);
      expect(relErr(w, want)).toBeLessThan(1e-6);
    });
    online.dispose();
    target.dispose();
  });
});
