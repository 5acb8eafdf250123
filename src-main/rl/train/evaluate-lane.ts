/**
 * Evaluation of `lane` runs with Kendall et al.'s protocol (src-main/sim/lane/evaluate.ts): one
 * fixed 250 m route per held-out test road (seeds 1,000,000 + k), the deterministic actor, and a
 * safety driver that puts the car back on the lane centre after each disengagement.
 *
 * What the "eval" metric line reports (means over the routes):
 *   mean_return         metres driven before the first disengagement (what a training episode
 *                       on that route would earn: reward = metres, the episode ends at a
 *                       disengagement), so the best-policy snapshot keeps the longest drives;
 *   mean_mpd            metres per disengagement of each route (Kendall et al.'s MPD);
 *   mean_disengagements disengagements per 250 m route;
 *   mean_clean          share of routes driven with no disengagement;
 *   mean_meanAbsOffset, mean_meanSpeed  lane offset (m) and speed (m/s).
 */
import { laneTestSeeds, type LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import { evaluateLane, KENDALL_ROUTE_M } from '../../sim/lane/evaluate.js';
import type { EvalResult, PolicyFn } from './evaluate.js';

export function evaluateLaneRoutes(policy: PolicyFn, config: LaneEnvConfig, routes: number): EvalResult {
  const seeds = laneTestSeeds(routes);
  const r = evaluateLane((obs) => policy(obs, 1), { config, seeds, routeLengthM: KENDALL_ROUTE_M });
  const returns = r.seeds.map((s) => (s.events.length ? s.events[0]!.distance : s.distance));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const m = mean(returns);
  const std = Math.sqrt(mean(returns.map((x) => (x - m) ** 2)));
  return {
    episodes: r.seeds.length,
    mean_return: m,
    std_return: std,
    returns,
    lengths: r.seeds.map((s) => s.steps),
    seeds,
    episodeStats: {
      mpd: mean(r.seeds.map((s) => s.mpd)),
      disengagements: mean(r.seeds.map((s) => s.disengagements)),
      clean: mean(r.seeds.map((s) => (s.disengagements === 0 ? 1 : 0))),
      meanAbsOffset: mean(r.seeds.map((s) => s.meanAbsOffset)),
      meanSpeed: mean(r.seeds.map((s) => s.meanSpeed)),
    },
    protocol: {
      name: 'kendall-2018',
      routeLengthM: r.routeLengthM,
      overall: r.overall,
      routes: r.seeds.map(({ events, ...rest }) => ({ ...rest, events: events.map((e) => ({ s: e.s, distance: e.distance, cause: e.cause, t: e.t })) })),
    },
  };
}
