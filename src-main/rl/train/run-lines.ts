/** What a run writes about its training besides checkpoints: "train" metric lines and eval.json. */
import type { MetricLine } from '../../../src-shared/types.js';
import { writeJsonAtomic } from '../../core/durable-write.js';
import type { LearnerStats } from '../algorithms/learner.js';
import type { EvalResult } from './evaluate.js';

/** The "train" line of a statistics window; undefined when no update happened in it. */
export function trainMetricLine(stats: LearnerStats, rates: { updatesPerS: number; envStepsPerS: number }, step: number): MetricLine | undefined {
  if (stats.updates <= 0) return undefined;
  return {
    kind: 'train',
    step,
    critic_loss: stats.criticLoss,
    actor_loss: stats.actorLoss,
    q_mean: stats.qMean,
    updates_per_s: rates.updatesPerS,
    env_steps_per_s: rates.envStepsPerS,
  };
}

/** The final deterministic evaluation, as eval.json. */
export function writeEvalJson(path: string, step: number, final: EvalResult, extra: Record<string, unknown> = {}): void {
  writeJsonAtomic(path, {
    ...extra,
    step,
    mean_return: final.mean_return,
    std_return: final.std_return,
    episodes: final.episodes,
    returns: final.returns,
    lengths: final.lengths,
    seeds: final.seeds,
    episode_stats: final.episodeStats,
    deterministic: true,
    ...(final.protocol ? { protocol: final.protocol } : {}),
  });
}
