/**
 * The async learner's state beside its loop: the counters its checkpoints keep, the configs it
 * refuses.
 */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { Learner, OffPolicyLoop } from '../algorithms/learner.js';

/** The async learner's counters in a checkpoint. */
export interface AsyncJson {
  mode: 'async';
  step: number;
  episodes: number;
  rollbacks: number;
  bestEval: number | null;
  version: number;
  metricsBytes: number;
  eventsBytes: number;
  configDigest: string;
  finalEvalDone?: boolean;
}

/** Refuses configs the async learner cannot run, with one line each. */
export function checkAsyncConfig(cfg: RunConfig, learner: Learner, loop: OffPolicyLoop | undefined): asserts loop is OffPolicyLoop {
  if (cfg.drive) throw new Error('the drive pipeline trains in the synchronous loop; remove actors from its config');
  if (!loop) throw new Error(`${cfg.algo} learns from its own rollouts; parallel actors feed a replay buffer (use td3, ddpg or d4pg, or remove actors)`);
  if (loop.replay.type === 'her')
    throw new Error('hindsight replay keeps whole episodes per env; it runs in the synchronous loop (remove actors or use uniform replay)');
  if (learner.explore) throw new Error(`${learner.name} explores with its own stochastic policy; parallel actors add noise to a deterministic actor`);
}
