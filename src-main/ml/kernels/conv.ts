/**
 * Convolution layers as single taped ops with their own gradients (like dense.ts):
 *
 *   conv2dLayer:          y = act(conv2d(x, W, stride, 'same') + b),          W [k, k, in, out]
 *   conv2dTransposeLayer: y = act(conv2dTranspose(x, W, stride, 'same') + b), W [k, k, out, in]
 *
 * The gradient computes dz = dy * act'(y) once, then dx, dW and db lazily, only for the inputs
 * the tape asks for (a first layer never computes its image gradient). The bias gradient is a
 * column sum of dz viewed as [pixels, channels] (tfjs-wasm's Sum over the outer axes transposes
 * first). The math is exactly tfjs's conv2d / conv2dTranspose with bias and activation.
 */
import * as tf from '@tensorflow/tfjs';
import { actGrad, biasGrad, runWithGradient, type GradActivation } from './custom-ops.js';
import { CONV2D_TRANSPOSE_BIAS_ACT } from './native-wasm.js';

export type ConvActivation = 'linear' | 'relu' | 'sigmoid';

function conv2DBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[], stride: number): tf.Tensor4D {
  return tf
    .engine()
    .runKernel('Conv2DBackpropInput', { dy, filter }, { inputShape, strides: [stride, stride], pad: 'same', dataFormat: 'NHWC' }) as tf.Tensor4D;
}

function conv2DBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride: number): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [stride, stride], pad: 'same', dataFormat: 'NHWC', filterShape }) as tf.Tensor4D;
}

function channelSums(dz: tf.Tensor4D): tf.Tensor1D {
  const c = dz.shape[3];
  return tf.tidy(() => biasGrad(tf.reshape(dz, [-1, c]) as tf.Tensor2D));
}

function activate<T extends tf.Tensor>(z: T, activation: ConvActivation): T {
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'sigmoid') return tf.sigmoid(z);
  return z;
}

/** y = act(conv2d(x, w, stride, 'same') + b); x NHWC, w [k, k, in, out], b [out]. */
export function conv2dLayer(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, stride: number, activation: ConvActivation): tf.Tensor4D {
  return runWithGradient({
    inputs: { x, w, b },
    forwardFunc: (_backend, save) => {
      const fusedAct = activation === 'sigmoid' ? 'linear' : activation;
      let y = tf.fused.conv2d({ x, filter: w, strides: stride, pad: 'same', bias: b, activation: fusedAct }) as tf.Tensor4D;
      if (activation === 'sigmoid') y = tf.sigmoid(y);
      // A variable outlives the backward pass: a reference, not a saved copy (as in dense.ts).
      save(w instanceof tf.Variable ? [x, y] : [x, y, w]);
      return y;
    },
    backwardsFunc: (dy, saved) => {
      const [sx, sy, savedW] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D | undefined];
      const sw = savedW ?? w;
      const dz = actGrad(dy as tf.Tensor4D, sy, activation as GradActivation);
      return {
        x: () => conv2DBackpropInput(dz, sw, sx.shape, stride),
        w: () => conv2DBackpropFilter(sx, dz, sw.shape, stride),
        b: () => channelSums(dz),
      };
    },
  }) as tf.Tensor4D;
}

/** y = act(conv2dTranspose(x, w, stride, 'same') + b); x NHWC [n, h, w, in], w [k, k, out, in], y [n, h*stride, w*stride, out]. */
export function conv2dTransposeLayer(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, stride: number, activation: ConvActivation): tf.Tensor4D {
  const outShape = [x.shape[0], x.shape[1] * stride, x.shape[2] * stride, w.shape[2]];
  return runWithGradient({
    inputs: { x, w, b },
    forwardFunc: (_backend, save) => {
      const y = (
        tf.getKernel(CONV2D_TRANSPOSE_BIAS_ACT, tf.getBackend())
          ? tf.engine().runKernel(CONV2D_TRANSPOSE_BIAS_ACT, { x, filter: w, bias: b }, { outputShape: outShape, strides: stride, activation })
          : tf.tidy(() => activate(tf.add(conv2DBackpropInput(x, w, outShape, stride), b), activation))
      ) as tf.Tensor4D;
      save(w instanceof tf.Variable ? [x, y] : [x, y, w]);
      return y;
    },
    backwardsFunc: (dy, saved) => {
      const [sx, sy, savedW] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D | undefined];
      const sw = savedW ?? w;
      const dz = actGrad(dy as tf.Tensor4D, sy, activation as GradActivation);
      return {
        // The transpose of conv^T is the conv itself; its filter gradient swaps the roles of x and dy.
        x: () => tf.conv2d(dz, sw, stride, 'same'),
        w: () => conv2DBackpropFilter(dz, sx, sw.shape, stride),
        b: () => channelSums(dz),
      };
    },
  }) as tf.Tensor4D;
}
