/**
 * Plays whole episodes of a goal env with a policy over the observation and scores them as
 * panda-gym does: an episode succeeds when info.is_success holds at its last step.
 */
import type { Env } from '../env.js';

export interface EpisodeStats {
  episodes: number;
  /** Fraction of episodes whose final step met the goal. */
  successRate: number;
  /** Mean distance to the goal at the last step (m). */
  meanFinalDistance: number;
  meanReturn: number;
  /** Control steps taken in all. */
  steps: number;
}

export interface Policy {
  act(obs: Float32Array, out: Float32Array): Float32Array;
}

/** Runs `episodes` episodes with seeds seed, seed + 1, ...; `onEpisode` sees each one's result. */
export function runEpisodes(
  env: Env,
  policy: Policy,
  episodes: number,
  seed: number,
  onEpisode?: (index: number, success: boolean, finalDistance: number) => void,
): EpisodeStats {
  const action = new Float32Array(env.actionSpace.shape[0]!);
  let successes = 0;
  let distance = 0;
  let ret = 0;
  let steps = 0;
  for (let e = 0; e < episodes; e++) {
    let { obs } = env.reset(seed + e);
    let success = false;
    let last = NaN;
    for (;;) {
      const r = env.step(policy.act(obs, action));
      obs = r.obs;
      ret += r.reward;
      steps++;
      success = r.info.is_success === true;
      last = typeof r.info.distance === 'number' ? r.info.distance : NaN;
      if (r.terminated || r.truncated) break;
    }
    if (success) successes++;
    distance += last;
    onEpisode?.(e, success, last);
  }
  return { episodes, successRate: successes / episodes, meanFinalDistance: distance / episodes, meanReturn: ret / episodes, steps };
}
