/** One `bench algos` entry: an algorithm on an env with a budget and a learning goal. */
import type { AlgoId } from '../../src-shared/config/algo.js';
import type { RunConfigInput } from '../../src-shared/config/run-config.js';

export interface AlgoBenchEntry {
  /** Name on the command line and in the results ("pendulum-sac"). */
  id: string;
  algo: AlgoId;
  /** The run's config (env, budget, overrides); the algorithm's env presets apply beneath it. */
  config: RunConfigInput;
  /** The final deterministic evaluation's mean return every seed must reach. */
  goal: number;
  /** The published figure it is compared with. */
  reference: string;
}
