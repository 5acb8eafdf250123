/**
 * Kendall et al.'s evaluation protocol on the `lane` env: for each held-out test seed, a fixed
 * 250 m route from the lane centre, driven by a deterministic policy (no exploration noise);
 * at a disengagement the car is put back on the lane centre where it happened (the safety
 * driver) and drives on until the route is done. Reports per seed and overall the distance,
 * the disengagements (by cause) and metres per disengagement (MPD = distance / max(1, n)).
 *
 * Baselines: randomPolicy (uniform actions), zeroPolicy (straight ahead), and laneKeeperPolicy,
 * a hand-written controller on the state observation (a reference that the roads are drivable).
 */
import { LaneEnvConfig, laneActionDim, laneTestSeeds, type LaneEnvConfigInput } from '../../../src-shared/config/envs/lane.js';
import { Rng } from '../../core/rng.js';
import { LaneEnv, type LaneDisengagement, type LaneEpisodeMetrics } from './lane-env.js';
import { PHYSICS_DT } from './vehicle.js';
import { CAR } from './car-spec.js';

/** A deterministic policy: observation in, action in [-1, 1]^n out. */
export type LanePolicy = (obs: Float32Array) => Float32Array;

/** Kendall et al.'s route length (m). */
export const KENDALL_ROUTE_M = 250;

/** Kendall et al. 2018, Table I (real car, 250 m route). */
export const KENDALL_TABLE_I = [
  { method: 'Random policy', mpd: 7.35, disengagements: 34 },
  { method: 'Zero policy', mpd: 22.7, disengagements: 11 },
  { method: 'Deep RL from pixels', mpd: 143.2, disengagements: 1 },
  { method: 'Deep RL from VAE', mpd: 250, disengagements: 0 },
] as const;

export interface LaneEvalOptions {
  /** The env's options (obs kind, camera, road, ...); the protocol sets the route and safety driver. */
  config?: LaneEnvConfigInput | LaneEnvConfig;
  /** Road seeds to drive (default: the first 10 held-out test seeds). */
  seeds?: number[];
  /** Route length (m), default 250. */
  routeLengthM?: number;
  /** Called after each seed. */
  onSeed?: (result: LaneSeedResult, index: number, total: number) => void;
  /** When the car has left its lane (default "centre", the env's own rule); see DisengagementRule. */
  rule?: DisengagementRule;
}

/**
 * "centre": a lane disengagement when the car's centre leaves the lane (the env's own rule).
 * "body": also when any corner of the car's body crosses a lane line (a stricter reading of a
 * safety driver's judgement, the car partly in the next lane or on the verge).
 */
export type DisengagementRule = 'centre' | 'body';

/** Whether the car's body (CAR's footprint, at this heading error) reaches past a lane line half a lane wide from the centre. */
export function bodyCrossesLine(offset: number, headingError: number, halfLane: number): boolean {
  const [halfLength, , halfWidth] = CAR.halfExtents;
  const reach = Math.abs(offset) + halfWidth * Math.abs(Math.cos(headingError)) + halfLength * Math.abs(Math.sin(headingError));
  return reach > halfLane;
}

export interface LaneSeedResult extends LaneEpisodeMetrics {
  /** Disengagements by cause. */
  causes: Record<string, number>;
  events: LaneDisengagement[];
}

export interface LaneEvalResult {
  routeLengthM: number;
  seeds: LaneSeedResult[];
  overall: {
    routes: number;
    distance: number;
    disengagements: number;
    /** Total distance / max(1, total disengagements). */
    mpd: number;
    /** Mean disengagements per route. */
    disengagementsPerRoute: number;
    /** Routes driven with no disengagement. */
    cleanRoutes: number;
    meanAbsOffset: number;
    meanSpeed: number;
    causes: Record<string, number>;
  };
}

/** The env config of the protocol: the route length and enough steps to finish it. */
function protocolConfig(options: LaneEvalOptions): { config: LaneEnvConfig; route: number } {
  const route = options.routeLengthM ?? KENDALL_ROUTE_M;
  const base = LaneEnvConfig.parse({ ...(options.config ?? {}), id: 'lane' });
  if (base.road.lengthM < route + 200) base.road = { ...base.road, lengthM: route + 200 };
  const stepSeconds = base.actionRepeat * PHYSICS_DT;
  // Enough steps to finish the route at a quarter of the cruise speed; the safety driver restores speed after a stall.
  const maxSteps = Math.ceil(route / (0.25 * base.targetSpeedMps) / stepSeconds) + 100;
  const config = LaneEnvConfig.parse({ ...base, maxDistanceM: route, maxEpisodeSteps: Math.max(base.maxEpisodeSteps, maxSteps) });
  return { config, route };
}

/**
 * Runs the protocol for a one-observation policy (called once per env step, routes one after
 * the other): evaluateLaneBatch with one route at a time.
 */
export function evaluateLane(policy: LanePolicy, options: LaneEvalOptions = {}): LaneEvalResult {
  return evaluateLaneBatch((obs) => policy(obs), { ...options, parallel: 1 });
}

/** A deterministic policy on a batch: observations [n * obsDim] -> actions [n * actDim]. */
export type LaneBatchPolicy = (obs: Float32Array, n: number) => Float32Array;

/**
 * The same protocol with the routes driven side by side (up to `parallel` envs, default all
 * seeds) and the policy called once per step on the observations of every route still driving:
 * for policies whose cost is per call (a conv encoder). Per route, the env, its start and the
 * actions do not depend on `parallel`, so the results are the same up to the policy's own float
 * rounding on batches; `parallel: 1` drives the routes one after the other.
 */
export function evaluateLaneBatch(policy: LaneBatchPolicy, options: LaneEvalOptions & { parallel?: number } = {}): LaneEvalResult {
  const { config, route } = protocolConfig(options);
  const seeds = options.seeds ?? laneTestSeeds(10);
  const parallel = Math.max(1, Math.min(options.parallel ?? seeds.length, seeds.length));
  const envs = Array.from({ length: parallel }, () => {
    const e = new LaneEnv(config);
    e.safetyDriver = true;
    return e;
  });
  const od = envs[0]!.observationSpace.shape[0]!;
  const ad = envs[0]!.actionSpace.shape[0]!;
  const results: LaneSeedResult[] = new Array(seeds.length);
  const batch = new Float32Array(parallel * od);
  const action = new Float32Array(ad);
  let done = 0;
  for (let start = 0; start < seeds.length; start += parallel) {
    const wave = seeds.slice(start, start + parallel);
    const active = wave.map((seed, i) => {
      const { obs } = envs[i]!.reset(seed, { roadSeed: seed, offset: 0, headingError: 0 });
      batch.set(obs, i * od);
      return { slot: i, index: start + i, events: [] as LaneDisengagement[] };
    });
    const packed = new Float32Array(parallel * od);
    while (active.length) {
      active.forEach((a, k) => packed.set(batch.subarray(a.slot * od, (a.slot + 1) * od), k * od));
      const acts = policy(packed.subarray(0, active.length * od), active.length);
      for (let k = active.length - 1; k >= 0; k--) {
        const a = active[k]!;
        action.set(acts.subarray(k * ad, (k + 1) * ad));
        const env = envs[a.slot]!;
        const r = env.step(action);
        const evs = r.info.events as LaneDisengagement[] | undefined;
        if (evs) a.events.push(...evs);
        let obs = r.obs;
        if (options.rule === 'body' && !evs?.length && !r.terminated && !r.truncated) {
          const st = env.laneState;
          if (bodyCrossesLine(st.offset, st.headingError, env.scene.cross.laneWidth / 2)) {
            a.events.push(env.disengagement('lane'));
            env.recover();
            // Observe the recovered car (a state round trip re-observes; the env's own rule recovers before observing).
            env.setState(env.getState());
            obs = env.observation();
          }
        }
        if (r.terminated || r.truncated) {
          const episode = r.info.episode as LaneEpisodeMetrics;
          const causes: Record<string, number> = {};
          for (const e of a.events) causes[e.cause] = (causes[e.cause] ?? 0) + 1;
          results[a.index] = { ...episode, causes, events: a.events };
          active.splice(k, 1);
          options.onSeed?.(results[a.index]!, done++, seeds.length);
        } else {
          batch.set(obs, a.slot * od);
        }
      }
    }
  }
  return summarize(route, results);
}

function summarize(route: number, results: LaneSeedResult[]): LaneEvalResult {
  const distance = results.reduce((a, r) => a + r.distance, 0);
  const disengagements = results.reduce((a, r) => a + r.disengagements, 0);
  const steps = results.reduce((a, r) => a + r.steps, 0);
  const causes: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.causes)) causes[k] = (causes[k] ?? 0) + v;
  return {
    routeLengthM: route,
    seeds: results,
    overall: {
      routes: results.length,
      distance,
      disengagements,
      mpd: distance / Math.max(1, disengagements),
      disengagementsPerRoute: results.length ? disengagements / results.length : 0,
      cleanRoutes: results.filter((r) => r.disengagements === 0).length,
      meanAbsOffset: steps ? results.reduce((a, r) => a + r.meanAbsOffset * r.steps, 0) / steps : 0,
      meanSpeed: steps ? results.reduce((a, r) => a + r.meanSpeed * r.steps, 0) / steps : 0,
      causes,
    },
  };
}

/** Uniformly random actions in [-1, 1] from a seeded generator. */
export function randomPolicy(actionDim: number, seed = 0): LanePolicy {
  const rng = new Rng(seed);
  const a = new Float32Array(actionDim);
  return () => {
    for (let i = 0; i < actionDim; i++) a[i] = rng.uniform(-1, 1);
    return a;
  };
}

/** Always zero: steer straight (and, with throttle, coast). */
export function zeroPolicy(actionDim: number): LanePolicy {
  const a = new Float32Array(actionDim);
  return () => a;
}

/**
 * A hand-written lane keeper on the STATE observation: steers against the lateral offset and
 * heading error and feeds forward the curvature ahead. A reference that the roads are
 * drivable and that the observation carries what a controller needs; not a learner.
 */
export function laneKeeperPolicy(config: LaneEnvConfig): LanePolicy {
  if (config.obs !== 'state') throw new Error('laneKeeperPolicy needs the state observation');
  const half = 0.5 * ((config.road.laneWidthM[0] + config.road.laneWidthM[1]) / 2);
  const headingLimit = (config.headingLimitDeg * Math.PI) / 180;
  const maxSteer = (config.maxSteerDeg * Math.PI) / 180;
  const wheelbase = 2.7;
  const a = new Float32Array(laneActionDim(config));
  // obs: [offset/half, headingErr/limit, curv5, curv10, curv20, curv40 (x curvScale), speed/max, steer/max]
  const curvScale = Math.max(config.road.minRadiusM, config.targetSpeedMps ** 2 / 4, 6);
  return (obs) => {
    const offset = obs[0]! * half;
    const heading = obs[1]! * headingLimit;
    const kAhead = (0.5 * obs[3]! + 0.5 * obs[2]!) / curvScale;
    const steer = Math.atan(wheelbase * kAhead) - 0.35 * offset - 1.2 * heading;
    a[0] = Math.max(-1, Math.min(1, steer / maxSteer));
    if (config.throttle) a[1] = Math.max(-1, Math.min(1, 2 * (config.targetSpeedMps / config.maxSpeedMps - obs[6]!)));
    // A set-point of the cruise speed: (a + 1) / 2 * maxSpeedMps = targetSpeedMps.
    else if (config.speedSetpoint) a[1] = Math.max(-1, Math.min(1, (2 * config.targetSpeedMps) / config.maxSpeedMps - 1));
    return a;
  };
}
