/**
 * Uniform random actions of the warm-up phase (before learningStarts): each element uniform in
 * [-1, 1] for continuous envs, or one index drawn uniformly from 0..n-1 per env for a discrete
 * action space. The continuous path draws exactly as it always has (one uniform per element), so
 * runs of box-action envs keep their numbers.
 */
import type { Rng } from '../../core/rng.js';
import type { ActionSpace } from '../../sim/env.js';

export function fillRandomActions(space: ActionSpace, rng: Rng, out: Float32Array): void {
  if (space.kind === 'discrete') {
    for (let i = 0; i < out.length; i++) out[i] = rng.int(space.n);
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-1, 1);
}
