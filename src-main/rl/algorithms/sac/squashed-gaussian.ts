/**
 * SAC's policy distribution: a diagonal Gaussian squashed by tanh (Haarnoja et al. 2018,
 * appendix C), as Stable-Baselines3's SquashedDiagGaussianDistribution:
 *
 *   u = mu + exp(logStd) * eps,  eps ~ N(0, I)       (reparameterized sample)
 *   a = tanh(u)
 *   log pi(a | s) = sum_j [ log N(u_j; mu_j, std_j) - log(1 - tanh(u_j)^2) ]
 *
 * with log N(u_j; mu_j, std_j) = -eps_j^2 / 2 - logStd_j - log(2 pi) / 2, and the tanh Jacobian
 * written as log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2 u)), exact where tanh(u)^2 rounds
 * to 1 in float32 (SB3 adds 1e-6 inside the log instead).
 */
import * as tf from '@tensorflow/tfjs';

/** SB3's clamp of the log standard deviation. */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Actions [B, actDim] and their log-probabilities [B, 1] for noise `eps` [B, actDim]. Call inside tf.tidy. */
export function squashedSample(mu: tf.Tensor2D, logStdRaw: tf.Tensor2D, eps: tf.Tensor2D): { action: tf.Tensor2D; logProb: tf.Tensor2D } {
  const logStd = tf.clipByValue(logStdRaw, LOG_STD_MIN, LOG_STD_MAX);
  const u = tf.add(mu, tf.mul(tf.exp(logStd), eps)) as tf.Tensor2D;
  const action = tf.tanh(u);
  const logNormal = tf.sub(tf.sub(tf.mul(-0.5, tf.square(eps)), logStd), HALF_LOG_2PI);
  const logJacobian = tf.mul(2, tf.sub(tf.sub(Math.log(2), u), tf.softplus(tf.mul(-2, u))));
  const logProb = tf.sum(tf.sub(logNormal, logJacobian), 1, true) as tf.Tensor2D;
  return { action, logProb };
}
