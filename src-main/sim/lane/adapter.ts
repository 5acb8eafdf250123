/**
 * The lane simulator's adapter (see ../adapter.ts): Kendall et al.'s evaluation protocol, the
 * car in the live view, manual driving, the camera observation's layout, the 3D scene.
 */
import { LaneEnvConfig, LaneVaeObsConfig, laneTestSeeds } from '../../../src-shared/config/envs/lane.js';
import { TRACK_COLUMNS } from '../../../src-shared/live.js';
import { CAR_POSE_FLOATS, packCarPose } from '../../../src-shared/scene/car-pose.js';
import type { BatchPolicy, EnvAdapter, EnvView, EvalResult, ProtocolOptions } from '../adapter.js';
import type { Env } from '../env.js';
import { evaluateLaneBatch, KENDALL_ROUTE_M, type LaneEvalResult } from './evaluate.js';
import { LaneEnv } from './lane-env.js';
import { DiscreteSteeringLaneEnv, steeringPolicy } from './discrete-steering.js';
import { laneSceneFor } from './scene-request.js';

/** Vector features after the image in the lane env's image observations: speed / max, steering / max. */
export const LANE_EXTRA_DIM = 2;
export const LANE_EXTRA_NAMES = ['speed / maxSpeedMps', 'steering / maxSteerDeg (road-wheel angle, + left)'];

/**
 * Kendall et al.'s protocol as an evaluation: one fixed 250 m route per held-out test road
 * (seeds 1,000,000 + k), the deterministic policy, and a safety driver that puts the car back on
 * the lane centre after each disengagement; routes driven one after the other.
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
export function evaluateLaneRoutes(policy: BatchPolicy, config: LaneEnvConfig, options: ProtocolOptions): EvalResult {
  const seeds = options.seeds ? [...options.seeds] : laneTestSeeds(options.episodes);
  const r = evaluateLaneBatch(policy, {
    config,
    seeds,
    routeLengthM: options.lengthM ?? KENDALL_ROUTE_M,
    parallel: 1,
    ...(options.onEpisode ? { onSeed: (_r: unknown, i: number, total: number) => options.onEpisode!(i + 1, total) } : {}),
  });
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

function laneView(env: LaneEnv): EnvView {
  return {
    kind: 'lane',
    columns: [...TRACK_COLUMNS.lane],
    dt: env.controlDtS,
    seed: () => env.seed,
    writeRow(out, off, _t, action) {
      env.writeTrackRow(out, off);
      for (let k = 0; k < 2; k++) out[off + 14 + k] = k < action.length ? action[k]! : 0;
    },
    pose() {
      const packed = new Array<number>(CAR_POSE_FLOATS);
      packCarPose(env.pose(), packed);
      return { kind: 'car', packed, roadSeed: env.seed };
    },
    camera() {
      const c = env.config.camera;
      return { width: c.width, height: c.height, rgb: env.frame() };
    },
  };
}

export const laneAdapter: EnvAdapter<LaneEnvConfig> = {
  make: (c) => (c.steeringBins ? new DiscreteSteeringLaneEnv(new LaneEnv(c), c.steeringBins) : new LaneEnv(c)),
  // Discrete steering: the same protocol, the policy's indices mapped to steering as the env maps them.
  evaluate: (policy, config, options) => evaluateLaneRoutes(config.steeringBins ? steeringPolicy(policy, config.steeringBins) : policy, config, options),
  reportEval(result) {
    const p = result.protocol as {
      name: string;
      routeLengthM: number;
      overall: LaneEvalResult['overall'];
      routes: Array<{ seed: number; disengagements: number; mpd: number }>;
    };
    const o = p.overall;
    return {
      json: { protocol: p.name, routeLengthM: p.routeLengthM, seeds: p.routes, overall: o },
      lines: [
        `lane, ${o.routes} held-out route(s) of ${p.routeLengthM} m (deterministic, safety driver recentres at each disengagement):`,
        ...p.routes.map((s) => `seed ${s.seed}: ${s.disengagements} disengagement(s), MPD ${s.mpd.toFixed(1)} m`),
        `overall: MPD ${o.mpd.toFixed(1)} m, ${o.disengagementsPerRoute.toFixed(2)} disengagements per route, ${o.cleanRoutes}/${o.routes} routes clean`,
      ],
    };
  },
  view: (env: Env) => (env instanceof LaneEnv ? laneView(env) : undefined),
  encodedImageObs(config) {
    if (config.obs !== 'vae') return undefined;
    const c = config.camera;
    return {
      height: c.height,
      width: c.width,
      channels: 3,
      extraDim: LANE_EXTRA_DIM,
      extraNames: LANE_EXTRA_NAMES,
      vae: LaneVaeObsConfig.parse(config.vae ?? {}),
    };
  },
  // Only the simulator itself: a wrapped one (the frozen-encoder observation) would store
  // demonstrations in another observation space than the run's.
  manual: (env: Env) => (env instanceof LaneEnv ? env : undefined),
  scene: (seed, config) => laneSceneFor(seed, config),
  actionUnits: (config, n) => [
    { name: 'steering (road-wheel angle, + left)', unit: 'deg', low: -config.maxSteerDeg, high: config.maxSteerDeg },
    ...(n > 1
      ? [
          config.speedSetpoint
            ? { name: 'speed set-point', unit: 'm/s', low: 0, high: config.maxSpeedMps }
            : { name: 'throttle / brake', unit: 'normalized', low: -1, high: 1 },
        ]
      : []),
  ],
};
