/**
 * Generalization measured honestly: the stop rule looks at the stopping routes (the first
 * `testRoutes` held-out test seeds), so a policy clean there is a selected one. Its final policy
 * then drives `freshRoutes` further held-out roads, the test seeds right after the stopping
 * ones (1,000,010..1,000,109 by default): disjoint from them by construction, never seen in
 * training (training roads are not test seeds) nor by the stop rule.
 */
import { LANE_TEST_SEEDS, laneTestSeeds, type LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import { evaluateLaneBatch, type DisengagementRule, type LaneBatchPolicy } from '../../sim/lane/evaluate.js';

/** The stopping routes' seeds: the first `stopping` test seeds. */
export function stoppingSeeds(stopping: number): number[] {
  return laneTestSeeds(stopping);
}

/** The fresh routes' seeds: `fresh` test seeds after the `stopping` stopping ones. */
export function freshSeeds(stopping: number, fresh: number): number[] {
  if (stopping + fresh > LANE_TEST_SEEDS.count) throw new Error(`${stopping} stopping + ${fresh} fresh routes exceed the ${LANE_TEST_SEEDS.count} test seeds`);
  return Array.from({ length: fresh }, (_, i) => LANE_TEST_SEEDS.first + stopping + i);
}

/** The final policy on the fresh routes (drive.json, report.json, `drive --json`). */
export interface FreshResult {
  routes: number;
  clean_routes: number;
  disengagements: number;
  /** Total distance / max(1, disengagements). */
  mpd: number;
  distance: number;
  /** First and last seed. */
  seeds: [number, number];
  eval_s: number;
}

export function evaluateFresh(
  policy: LaneBatchPolicy,
  o: { config: LaneEnvConfig; stopping: number; fresh: number; routeLengthM: number; rule?: DisengagementRule },
): FreshResult | null {
  if (o.fresh <= 0) return null;
  const seeds = freshSeeds(o.stopping, o.fresh);
  const t0 = performance.now();
  const r = evaluateLaneBatch(policy, { config: o.config, seeds, routeLengthM: o.routeLengthM, rule: o.rule ?? 'centre' }).overall;
  return {
    routes: r.routes,
    clean_routes: r.cleanRoutes,
    disengagements: r.disengagements,
    mpd: r.mpd,
    distance: r.distance,
    seeds: [seeds[0]!, seeds.at(-1)!],
    eval_s: (performance.now() - t0) / 1000,
  };
}
