/**
 * The policy distributions and policy losses of the on-policy learners, on tensors (call inside
 * tf.tidy / variableGrads):
 *
 *   diagonal Gaussian, state-independent log std (SB3's DiagGaussianDistribution):
 *     log pi(a|s) = sum_k [ -(a_k - mu_k)^2 / (2 sigma_k^2) - log sigma_k - log(2 pi) / 2 ]
 *     H           = sum_k [ 1/2 + log(2 pi) / 2 + log sigma_k ]
 *   categorical over logits z:  log pi(a|s) = z_a - logsumexp(z);  H = -sum_i p_i log p_i
 *   PPO clipped surrogate (Schulman et al. 2017), r = exp(log pi - log pi_old):
 *     L_clip = -mean( min(r A, clip(r, 1 - eps, 1 + eps) A) )
 *   vanilla policy gradient (A2C, REINFORCE):  L_pg = -mean( log pi(a|s) A )
 */
import * as tf from '@tensorflow/tfjs';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** [B, D] actions, [B, D] means, [D] log stds -> [B] log-probabilities. */
export function gaussianLogProb(actions: tf.Tensor2D, mean: tf.Tensor2D, logStd: tf.Tensor1D): tf.Tensor1D {
  const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
  const perDim = tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), HALF_LOG_2PI);
  return tf.sum(perDim, 1);
}

/** Entropy of the diagonal Gaussian (the same for every state): a scalar. */
export function gaussianEntropy(logStd: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.add(logStd, 0.5 + HALF_LOG_2PI));
}

/** [B, K] logits, [B] action indices -> [B] log-probabilities. */
export function categoricalLogProb(logits: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  const pick = tf.oneHot(tf.cast(actions, 'int32'), logits.shape[1]);
  return tf.sum(tf.mul(logp, pick), 1);
}

/** [B, K] logits -> [B] entropies. */
export function categoricalEntropy(logits: tf.Tensor2D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
}

/** PPO's clipped surrogate loss (to minimize). */
export function clippedSurrogateLoss(logp: tf.Tensor1D, oldLogp: tf.Tensor1D, adv: tf.Tensor1D, clip: number): tf.Scalar {
  const ratio = tf.exp(tf.sub(logp, oldLogp));
  const unclipped = tf.mul(ratio, adv);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), adv);
  return tf.neg(tf.mean(tf.minimum(unclipped, clipped))) as tf.Scalar;
}

/** The vanilla policy-gradient loss (to minimize). */
export function policyGradientLoss(logp: tf.Tensor1D, adv: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.mean(tf.mul(logp, adv))) as tf.Scalar;
}

/** Samples an index from logits with one uniform draw u in [0, 1); returns it and its log-probability (float64). */
export function sampleCategorical(logits: ArrayLike<number>, offset: number, k: number, u: number): { index: number; logProb: number } {
  let max = -Infinity;
  for (let i = 0; i < k; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += Math.exp(logits[offset + i]! - max);
  const logZ = max + Math.log(sum);
  let acc = 0;
  let index = k - 1;
  for (let i = 0; i < k; i++) {
    acc += Math.exp(logits[offset + i]! - logZ);
    if (u < acc) {
      index = i;
      break;
    }
  }
  return { index, logProb: logits[offset + index]! - logZ };
}
