/**
 * The RL stages' budgets and their stop reasons in words. An RL stage (the VAE agent's or the
 * pixels baseline's) is bounded by episodes (Kendall et al.'s unit) and, as a safety net, by a
 * wall-clock cap on its own stage time: never by a clock shared with the frame or VAE stages, so
 * a slow VAE stage (a busy machine) cannot take the RL stage's time.
 */
import type { DriveConfig } from '../../../src-shared/config/drive.js';

export interface RlBudget {
  /** Most training episodes. */
  episodes: number;
  /** Wall-clock cap of this stage alone (seconds, all attempts). */
  capS: number;
}

export function rlBudgetOf(drive: DriveConfig, agent: 'vae' | 'pixels'): RlBudget {
  const b = agent === 'vae' ? drive : drive.pixels;
  return { episodes: b.budgetEpisodes, capS: 60 * b.budgetMinutes };
}

/** "20 min", "1.5 min", "45 s". */
export function capText(seconds: number): string {
  if (seconds < 60) return `${+seconds.toFixed(1)} s`;
  const m = seconds / 60;
  return `${Number.isInteger(m) ? m : +m.toFixed(1)} min`;
}

/**
 * Why an RL stage stops after an evaluation, in words, or null to go on. `stageS` is the
 * stage's own wall clock (all attempts), never the pipeline's.
 */
export function rlStopReason(o: { clean: boolean; episodes: number; stageS: number; budget: RlBudget }): string | null {
  if (o.clean) return `clean after ${o.episodes} episode${o.episodes === 1 ? '' : 's'}`;
  if (o.episodes >= o.budget.episodes) return `episode budget (${o.budget.episodes}) reached`;
  if (o.stageS >= o.budget.capS) return `wall-clock cap (${capText(o.budget.capS)}) reached`;
  return null;
}

/**
 * Estimated seconds left in an RL stage: the remaining episode budget at the mean time per
 * episode so far (evaluations included), never beyond the wall-clock cap. An upper bound in
 * episodes: a clean evaluation ends the stage sooner.
 */
export function rlSecondsLeft(o: { episodes: number; stageS: number; budget: RlBudget }): number {
  const byCap = Math.max(0, o.budget.capS - o.stageS);
  if (o.episodes <= 0) return byCap;
  const perEpisode = o.stageS / o.episodes;
  return Math.min(byCap, Math.max(0, o.budget.episodes - o.episodes) * perEpisode);
}

/** Estimated seconds left in a stage that counts steps (the VAE's gradient steps). */
export function stepsSecondsLeft(done: number, total: number, elapsedS: number): number | null {
  if (done <= 0) return null;
  return Math.max(0, total - done) * (elapsedS / done);
}
