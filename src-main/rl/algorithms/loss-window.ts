/**
 * The statistics window the off-policy learners keep on the backend: a [critic loss, actor loss,
 * Q] sum variable, read once per `takeStats` (one small read) and reset.
 */
import * as tf from '@tensorflow/tfjs';
import type { LearnerStats } from './learner.js';

/** Means over the window from the summed losses, then zeroes the sums. */
export function takeWindowStats(sums: tf.Variable, updates: number, actorUpdates: number): LearnerStats {
  const [c, a, q] = sums.dataSync() as Float32Array;
  const stats: LearnerStats = {
    updates,
    actorUpdates,
    criticLoss: updates ? c! / updates : Number.NaN,
    actorLoss: actorUpdates ? a! / actorUpdates : null,
    qMean: updates ? q! / updates : Number.NaN,
    finite: Number.isFinite(c) && Number.isFinite(a) && Number.isFinite(q),
  };
  tf.tidy(() => sums.assign(tf.zeros([3])));
  return stats;
}

/** True while every summed loss is finite. */
export function windowFinite(sums: tf.Variable): boolean {
  const s = sums.dataSync();
  return Number.isFinite(s[0]) && Number.isFinite(s[1]) && Number.isFinite(s[2]);
}
