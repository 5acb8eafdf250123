/**
 * The categorical return distribution of C51 (Bellemare et al. 2017) that D4PG's critic
 * predicts: probabilities over `atoms` evenly spaced returns z_0 = vMin < ... < z_{N-1} = vMax.
 *
 * Projection of the (n-step) target: each target atom moves to Tz_j = r + d z_j (d = gamma^k,
 * 0 at a terminal state), clipped to [vMin, vMax], and its probability p_j is split between the
 * two neighbouring atoms in proportion to closeness: with b_j = (Tz_j - vMin) / dz,
 *   m_i = sum_j p_j max(0, 1 - |b_j - i|)
 * which is C51's floor/ceil split (l = floor(b), u = ceil(b): m_l += p (u - b), m_u += p (b - l),
 * all of p to l when b is a whole number), written as one tensor expression.
 */
import * as tf from '@tensorflow/tfjs';

export interface Support {
  atoms: number;
  vMin: number;
  vMax: number;
}

/** The atoms' returns z_i = vMin + i dz. */
export function supportValues({ atoms, vMin, vMax }: Support): Float32Array {
  const dz = (vMax - vMin) / (atoms - 1);
  return Float32Array.from({ length: atoms }, (_, i) => (i === atoms - 1 ? vMax : vMin + i * dz));
}

/**
 * Projects the target distribution: probs [B, N] at the atoms, rewards [B, 1] (n-step sums),
 * discounts [B, 1] (gamma^k (1 - terminated)) -> [B, N] on the same support. Call inside tf.tidy.
 */
export function projectTarget(probs: tf.Tensor2D, rewards: tf.Tensor2D, discounts: tf.Tensor2D, support: Support): tf.Tensor2D {
  const { atoms, vMin, vMax } = support;
  const dz = (vMax - vMin) / (atoms - 1);
  const z = tf.tensor2d(supportValues(support), [1, atoms]);
  const tz = tf.clipByValue(tf.add(rewards, tf.mul(discounts, z)), vMin, vMax);
  const b = tf.div(tf.sub(tz, vMin), dz); // [B, N]: where target atom j lands, in atom units
  const index = tf.reshape(tf.range(0, atoms, 1, 'float32'), [1, 1, atoms]);
  const weights = tf.relu(tf.sub(1, tf.abs(tf.sub(tf.expandDims(b, 2), index)))); // [B, N_j, N_i]
  return tf.squeeze(tf.matMul(tf.expandDims(probs, 1), weights), [1]) as tf.Tensor2D;
}

/** Expected return sum_i p_i z_i of logits [B, N] -> [B, 1]. Call inside tf.tidy. */
export function expectedValue(logits: tf.Tensor2D, support: Support): tf.Tensor2D {
  return tf.matMul(tf.softmax(logits), tf.tensor2d(supportValues(support), [support.atoms, 1]));
}
