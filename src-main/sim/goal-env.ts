/**
 * Goal-conditioned envs (for hindsight experience replay), after gymnasium-robotics' GoalEnv and
 * panda-gym: every step's info carries `achieved_goal` and `desired_goal` (Float32Arrays owned by
 * the env, overwritten on the next step: copy them) and `is_success`; computeReward(achieved,
 * desired) gives the reward the env would have paid had `desired` been the goal. The flat
 * observation holds both goals at known offsets, so a relabelled transition is the stored obs
 * with `desired` written at desiredOffset (and its reward from computeReward).
 */
import type { Env } from './env.js';

export interface GoalLayout {
  /** Length of a goal vector. */
  readonly size: number;
  /** Where the achieved goal sits in the observation. */
  readonly achievedOffset: number;
  /** Where the desired goal sits in the observation. */
  readonly desiredOffset: number;
}

export interface GoalEnv extends Env {
  readonly goal: GoalLayout;
  /** The reward for reaching `achieved` when `desired` is the goal (vectorizable by a loop). */
  computeReward(achieved: ArrayLike<number>, desired: ArrayLike<number>): number;
  isSuccess(achieved: ArrayLike<number>, desired: ArrayLike<number>): boolean;
}

export function isGoalEnv(env: Env): env is GoalEnv {
  const g = env as Partial<GoalEnv>;
  return typeof g.computeReward === 'function' && typeof g.isSuccess === 'function' && typeof g.goal === 'object';
}

/** Euclidean distance between two goal vectors of `n` elements. */
export function goalDistance(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
