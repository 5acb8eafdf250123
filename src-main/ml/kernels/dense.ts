/**
 * A dense layer y = act(x W + b) as one taped op with its own gradient:
 *
 * - forward: one fused matMul (bias and ReLU folded in where the backend fuses them);
 * - gradient: dz = dy * act'(y) is computed once; dx = dz W^T, dW = x^T dz and db = sum(dz) are
 *   computed lazily, only for the inputs the tape asks for (the actor loss never asks for the
 *   critic's weight gradients, so they are never computed);
 * - on wasm the transposes are explicit (transpose then a plain matMul), because tfjs-wasm's
 *   matMul with a transpose flag falls back to a scalar loop.
 *
 * The math is exactly tf.relu(tf.add(tf.matMul(x, w), b)) (or tanh, or linear) and its gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { actGrad, biasGrad, runWithGradient } from './custom-ops.js';
import { explicitTransposes, fastPathState } from './fast-paths.js';

export type DenseActivation = 'linear' | 'relu' | 'tanh';

/** x^T b without a transpose flag on wasm. */
export function matMulTransA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return explicitTransposes() ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false);
}

/** a b^T without a transpose flag on wasm. */
export function matMulTransB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return explicitTransposes() ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}

/** y = act(x W + b) for x [batch, in], W [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  return runWithGradient({
    inputs: { x, w, b },
    forwardFunc: (_backend, save) => {
      let y: tf.Tensor2D;
      if (fastPathState.wasmNativeMatMul && tf.getBackend() === 'wasm') {
        // The native kernel takes 2-D operands as they are (tf.fused.matMul would add reshapes)
        // and fuses tanh too.
        y = tf.engine().runKernel('_FusedMatMul', { a: x, b: w, bias: b }, { transposeA: false, transposeB: false, activation }) as tf.Tensor2D;
      } else {
        y = tf.fused.matMul({ a: x, b: w, bias: b, activation: activation === 'relu' ? 'relu' : 'linear' }) as tf.Tensor2D;
        if (activation === 'tanh') y = tf.tanh(y) as tf.Tensor2D;
      }
      // A variable outlives the backward pass: keep a reference instead of a saved copy (each
      // saved tensor costs a clone kernel and a tape node).
      save(w instanceof tf.Variable ? [x, y] : [x, y, w]);
      return y;
    },
    backwardsFunc: (dy, saved) => {
      const [sx, sy, savedW] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D | undefined];
      const sw = savedW ?? w;
      const dz = actGrad(dy as tf.Tensor2D, sy, activation);
      return {
        x: () => matMulTransB(dz, sw),
        w: () => matMulTransA(sx, dz),
        b: () => biasGrad(dz),
      };
    },
  }) as tf.Tensor2D;
}
