/** One `bench algos` entry: an algorithm on an env with a budget and a learning goal. */
import type { AlgoId } from '../../src-shared/config/algo.js';
import type { RunConfigInput } from '../../src-shared/config/run-config.js';

export interface AlgoBenchEntry {
  /** Name on the command line and in the results ("pendulum-sac"). */
  id: string;
  algo: AlgoId;
  /** The run's config (env, budget, overrides); the algorithm's env presets apply beneath it. */
  config: RunConfigInput;
  /** What every seed's final deterministic evaluation must reach: its mean return, or `goalStat`. */
  goal: number;
  /**
   * An episode statistic of the final evaluation (eval.json episode_stats) to hold to `goal`
   * instead of the mean return: "clean" = the fraction of the lane protocol's routes driven
   * without a disengagement (1 = every route clean).
   */
  goalStat?: string;
  /** The published figure it is compared with. */
  reference: string;
}
