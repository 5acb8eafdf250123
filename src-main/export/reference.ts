/**
 * The TF.js actor as plain tfjs ops (the same computation as src-main/ml/mlp.ts Mlp.apply, with
 * the encoder in front when there is one). Export verification compares every written format
 * against this forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureDesc } from './architecture.js';

function activate(x: tf.Tensor, a: 'relu' | 'tanh' | 'linear'): tf.Tensor {
  return a === 'relu' ? tf.relu(x) : a === 'tanh' ? tf.tanh(x) : x;
}

/**
 * Runs the policy on a batch. `inputs` holds one flat Float32Array per graph input (batch-major,
 * NHWC for images); returns the flat [batch, outputDim] actions.
 */
export function referenceForward(desc: ArchitectureDesc, weights: readonly Float32Array[], inputs: readonly Float32Array[], batch: number): Float32Array {
  return tf.tidy(() => {
    const tensors = desc.inputs.map((inp, i) => tf.tensor(inputs[i]!, [batch, ...inp.shape]));
    let h: tf.Tensor = tensors[0]!;
    let p = 0;
    for (const layer of desc.layers) {
      switch (layer.kind) {
        case 'conv2d': {
          const k = tf.tensor4d(weights[p]!, desc.params[p]!.shape as [number, number, number, number]);
          const b = tf.tensor1d(weights[p + 1]!);
          p += 2;
          // Explicit padding reproduces TF's 'same' exactly (and is 0 for 'valid').
          const [t, l, bo, r] = layer.pads;
          const padded =
            t || l || bo || r
              ? tf.pad(h as tf.Tensor4D, [
                  [0, 0],
                  [t, bo],
                  [l, r],
                  [0, 0],
                ])
              : h;
          h = activate(tf.add(tf.conv2d(padded as tf.Tensor4D, k, layer.stride, 'valid'), b), layer.activation);
          break;
        }
        case 'flatten':
          h = tf.reshape(h, [batch, layer.outDim]);
          break;
        case 'dense': {
          const w = tf.tensor2d(weights[p]!, [layer.inDim, layer.units]);
          const b = tf.tensor1d(weights[p + 1]!);
          p += 2;
          h = activate(tf.add(tf.matMul(h as tf.Tensor2D, w), b), layer.activation);
          break;
        }
        case 'concat':
          h = tf.concat([h as tf.Tensor2D, tensors[1] as tf.Tensor2D], 1);
          break;
      }
    }
    return Float32Array.from(h.dataSync() as Float32Array);
  });
}
