/**
 * The `lane` env: keep a car in its lane on procedural roads (Kendall et al. 2018).
 *
 * - Action: [steering] in [-1, 1] (+ left; scaled to +-maxSteerDeg road-wheel angle through a
 *   rate-limited actuator), plus [throttle] in [-1, 1] when config.throttle (negative brakes),
 *   or [speed set-point] in [-1, 1] -> 0..maxSpeedMps for the cruise controller when
 *   config.speedSetpoint (Kendall et al.); otherwise the cruise controller holds targetSpeedMps.
 * - Observation ("state"): [lane offset / half lane width, heading error / heading limit,
 *   curvature at 5, 10, 20, 40 m ahead * tightest radius, speed / maxSpeed, steering / max].
 *   ("pixels"): the camera image H*W*3 in [0, 1] (HWC, row-major from the top-left), then
 *   speed / maxSpeed and steering / max. ("vae"): the same as "pixels" here; the learner reads
 *   the image through a VAE encoder (src-main/rl/encoder/), so the policy sees
 *   [latent, speed, steering].
 * - Reward: progress along the lane centreline this step (m).
 * - terminated at a disengagement: the car's centre beyond the lane edge ("lane"), heading error
 *   past the limit ("heading"), speed below stallSpeedMps for stallSeconds ("stall"), or a
 *   roll-over ("rollover"). truncated at maxDistanceM along the road or maxEpisodeSteps.
 *   With safetyDriver (the evaluation protocol) a disengagement does not end the episode: the
 *   car is put back on the lane centre where it happened and drives on.
 * - info.events (only on steps that have any): RunEvent-shaped disengagements
 *   {kind: "disengagement", t, step, s, x, y, distance, cause, seed, offset, headingError, speed}.
 *   info.episode (on the last step): {distance, disengagements, mpd, meanAbsOffset, meanSpeed,
 *   steps, seconds, seed, cause}.
 *
 * Reset: reset(seed) re-seeds the env's RNG, which draws the road seed from the training range
 * (LANE_TRAIN_SEEDS) unless options.roadSeed names one (evaluation uses held-out test seeds).
 * The scene is a pure function of (config, road seed); start offsets and jitter come from the
 * env's RNG, so equal seeds and actions give bitwise-equal trajectories and images.
 */
import { LANE_TRAIN_SEEDS, type LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import type { CarPose } from '../../../src-shared/scene/car-pose.js';
import type { LaneScene } from '../../../src-shared/scene/lane-scene.js';
import { Rng } from '../../core/rng.js';
import type { BoxSpace, Env, EnvInfo, ImageObsLayout, ResetResult, StepResult } from '../env.js';
import { poseCamera } from './camera-mount.js';
import { DriverCamera } from './camera/driver-camera.js';
import { carPose } from './car-pose.js';
import { CAR } from './car-spec.js';
import { laneSpaces } from './lane-spaces.js';
import { CURVATURE_AHEAD, type DisengagementCause, type LaneDisengagement, type LaneEpisodeMetrics, type LaneResetOptions } from './lane-types.js';
import { effectiveMinRadius, VIEW_AHEAD, type LaneWorld } from './scene-gen.js';
import { CarPhysics, PHYSICS_DT, VEHICLE_STATE_FLOATS } from './vehicle.js';
import { LaneWorldCache } from './world-cache.js';

const deg = Math.PI / 180;
const INV_255 = 1 / 255;

export { CURVATURE_AHEAD, STATE_OBS_LABELS } from './lane-types.js';
export type { DisengagementCause, LaneDisengagement, LaneEpisodeMetrics, LaneResetOptions } from './lane-types.js';

export class LaneEnv implements Env {
  readonly id = 'lane';
  readonly config: LaneEnvConfig;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  /** Evaluation protocol: on a disengagement, put the car back on the lane centre and continue. */
  safetyDriver = false;
  /**
   * With the "pixels" and "vae" observations: the observation is the camera image (height *
   * width * channels values, each byte / 255, HWC) followed by `extraDim` values (speed / max,
   * steering / max). The "vae" observation is this same raw observation: the learner's encoder
   * (src-main/rl/encoder/) turns the image into the latent.
   */
  readonly imageLayout: ImageObsLayout | undefined;
  /** True for the image observations ("pixels", "vae"). */
  private readonly pixelObs: boolean;
  /** When true, step() accumulates time spent in physics, camera and the rest (ms) into `timing`. */
  profiling = false;
  readonly timing = { physics: 0, camera: 0, other: 0, steps: 0 };

  private readonly rng = new Rng(0);
  /** Camera jitter draws, seeded from `rng` at every reset (so rendering never shifts the episode's other draws). */
  private readonly jitterRng = new Rng(0);
  private readonly car = new CarPhysics();
  private camera: DriverCamera | undefined;
  private world: LaneWorld | undefined;
  private readonly worlds: LaneWorldCache;
  private readonly obs: Float32Array;
  private readonly pixelCount: number;
  private readonly maxSteer: number;
  private readonly steerRate: number;
  private readonly headingLimit: number;
  private readonly curvScale: number;
  /** Simulated seconds per step (the control period): actionRepeat physics steps of 1/60 s. */
  readonly controlDtS: number;

  // Episode state.
  private roadSeed = 0;
  private steps = 0;
  private endS = 0;
  private startS = 0;
  private s = 0;
  private d = 0;
  private headingError = 0;
  private speed = 0;
  private roadIndex = 0;
  private lastSteerCmd = 0;
  private lastDisengageS = 0;
  private disengagements = 0;
  private sumAbsOffset = 0;
  private sumSpeed = 0;
  private stallTime = 0;
  private frameFresh = false;
  /** Whether obs holds the image of the current frame (pixels observation). */
  private obsFresh = false;
  private mountPitch = 0;
  private mountYaw = 0;
  private brightness = 1;
  private readonly tmp = new Float64Array(3);

  constructor(config: LaneEnvConfig) {
    if (config.throttle && config.speedSetpoint)
      throw new Error('lane env: throttle and speedSetpoint are two uses of the second action; set one of them, not both');
    this.config = config;
    this.worlds = new LaneWorldCache(config);
    const c = config.camera;
    this.pixelCount = c.width * c.height * 3;
    this.maxSteer = config.maxSteerDeg * deg;
    this.steerRate = config.steerRateDegPerS * deg;
    this.headingLimit = config.headingLimitDeg * deg;
    this.controlDtS = config.actionRepeat * PHYSICS_DT;
    // Curvature is reported relative to the tightest bend the generator can make (worst case band).
    this.curvScale = effectiveMinRadius(config, 0);
    this.pixelObs = config.obs !== 'state';
    const spaces = laneSpaces(config);
    this.imageLayout = spaces.imageLayout;
    this.observationSpace = spaces.observationSpace;
    this.obs = new Float32Array(spaces.obsLength);
    this.actionSpace = spaces.actionSpace;
  }

  /** The current episode's scene description (what the 3D view draws). */
  get scene(): LaneScene {
    return this.requireWorld().scene;
  }

  /** Road seed of the current episode. */
  get seed(): number {
    return this.roadSeed;
  }

  /** Metres along the road from the episode start. */
  get progress(): number {
    return this.s - this.startS;
  }

  /** Lateral offset from the lane centre (m, + left), heading error (rad), forward speed (m/s), position along the road (m). */
  get laneState(): { s: number; offset: number; headingError: number; speed: number; steering: number } {
    return { s: this.s, offset: this.d, headingError: this.headingError, speed: this.speed, steering: this.car.steer };
  }

  private requireWorld(): LaneWorld {
    if (!this.world) throw new Error('lane env: call reset() first');
    return this.world;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    const o = (options ?? {}) as LaneResetOptions;
    const roadSeed =
      typeof o.roadSeed === 'number' && Number.isInteger(o.roadSeed) && o.roadSeed >= 0
        ? o.roadSeed
        : LANE_TRAIN_SEEDS.first + this.rng.int(LANE_TRAIN_SEEDS.count);
    this.roadSeed = roadSeed;
    const world = this.worlds.get(roadSeed);
    const changed = this.world !== world;
    this.world = world;
    const cfg = this.config;
    const half = world.scene.cross.laneWidth / 2;
    const offset = typeof o.offset === 'number' ? o.offset : clamp(this.rng.normal() * cfg.initialOffsetStdM, -0.5 * half, 0.5 * half);
    const headingError =
      typeof o.headingError === 'number'
        ? o.headingError
        : clamp(this.rng.normal() * cfg.initialHeadingStdDeg * deg, -0.5 * this.headingLimit, 0.5 * this.headingLimit);
    // Per-episode camera mount offsets.
    const mj = cfg.camera.mountJitterDeg * deg;
    this.mountPitch = mj > 0 ? this.rng.normal() * mj : 0;
    this.mountYaw = mj > 0 ? this.rng.normal() * mj : 0;
    this.jitterRng.seed(this.rng.nextU32());
    this.startS = world.scene.startS;
    this.endS = this.startS + Math.min(cfg.maxDistanceM, world.road.length - this.startS - VIEW_AHEAD);
    this.placeCar(this.startS, offset, headingError, cfg.targetSpeedMps);
    this.steps = 0;
    this.lastSteerCmd = 0;
    this.lastDisengageS = this.startS;
    this.disengagements = 0;
    this.sumAbsOffset = 0;
    this.sumSpeed = 0;
    this.stallTime = 0;
    this.frameFresh = false;
    if (this.camera && (changed || mj > 0)) this.camera.bodyDirty = true;
    if (this.camera && changed) this.camera.setScene(world.scene, world.road);
    this.observe();
    return { obs: this.obs, info: { seed: roadSeed } };
  }

  private placeCar(s: number, offset: number, headingError: number, speed: number): void {
    const road = this.requireWorld().road;
    const p = road.poseAt(s, offset, this.tmp);
    this.car.reset(p[0]!, p[1]!, p[2]! + headingError, speed);
    this.roadIndex = road.indexAt(s);
    this.s = s;
    this.d = offset;
    this.headingError = headingError;
    this.speed = speed;
    this.updateRoadState();
  }

  /**
   * The safety driver: puts the car back on the lane centre at its current position along the
   * road, aligned with the lane, at the target speed, steering straight.
   */
  recover(): void {
    this.placeCar(this.s, 0, 0, this.config.targetSpeedMps);
    this.stallTime = 0;
    this.frameFresh = false;
  }

  /** Road-relative state of the car from the physics; false when it is nowhere near the road. */
  private updateRoadState(): boolean {
    const road = this.requireWorld().road;
    const b = this.car.chassis.position;
    const x = b.x;
    const y = -b.z;
    let ok = road.project(x, y, this.roadIndex);
    if (!ok) ok = road.projectAny(x, y);
    this.speed = this.car.forwardSpeed();
    if (!ok) return false;
    this.roadIndex = road.pi;
    this.s = road.ps;
    this.d = road.pd;
    const i = road.pi;
    const roadHeading = road.heading[i]! + road.curvature[i]! * (road.ps - i * road.spacing);
    this.headingError = wrapAngle(this.car.yaw() - roadHeading);
    return true;
  }

  step(action: Float32Array): StepResult {
    const world = this.requireWorld();
    const cfg = this.config;
    const prof = this.profiling;
    let t0 = prof ? performance.now() : 0;
    const a0 = action[0]!;
    const steerCmd = a0 > 1 ? 1 : a0 < -1 ? -1 : a0 === a0 ? a0 : 0;
    let throttle = Number.NaN;
    let cruise = cfg.targetSpeedMps;
    if (cfg.throttle) {
      const a1 = action[1]!;
      throttle = a1 > 1 ? 1 : a1 < -1 ? -1 : a1 === a1 ? a1 : 0;
    } else if (cfg.speedSetpoint) {
      const a1 = action[1]!;
      cruise = 0.5 * ((a1 > 1 ? 1 : a1 < -1 ? -1 : a1 === a1 ? a1 : 0) + 1) * cfg.maxSpeedMps;
    }
    this.lastSteerCmd = steerCmd;
    const target = steerCmd * this.maxSteer;
    for (let k = 0; k < cfg.actionRepeat; k++) this.car.step(target, this.steerRate, throttle, cruise, cfg.maxSpeedMps);
    let t1 = 0;
    if (prof) {
      t1 = performance.now();
      this.timing.physics += t1 - t0;
    }
    this.steps++;
    this.frameFresh = false;
    const sPrev = this.s;
    const onRoad = this.updateRoadState();
    const reward = onRoad ? this.s - sPrev : 0;
    this.sumAbsOffset += Math.abs(this.d);
    this.sumSpeed += this.speed;
    // Disengagements.
    let cause: DisengagementCause | undefined;
    const half = world.scene.cross.laneWidth / 2;
    if (!onRoad || this.d > half || this.d < -half) cause = 'lane';
    else if (this.headingError > this.headingLimit || this.headingError < -this.headingLimit) cause = 'heading';
    else if (this.car.upright() < 0.5) cause = 'rollover';
    else {
      if (this.speed < cfg.stallSpeedMps) this.stallTime += this.controlDtS;
      else this.stallTime = 0;
      if (this.stallTime >= cfg.stallSeconds) cause = 'stall';
    }
    let info: EnvInfo | undefined;
    let terminated = false;
    if (cause) {
      const ev = this.disengagement(cause);
      info = { events: [ev] };
      if (this.safetyDriver) this.recover();
      else terminated = true;
    }
    const truncated = !terminated && (this.s >= this.endS || this.steps >= cfg.maxEpisodeSteps);
    if (terminated || truncated) {
      const episode = this.episodeMetrics(terminated ? cause! : this.s >= this.endS ? 'distance' : 'steps');
      info = info ? { ...info, episode } : { episode };
    }
    if (prof) {
      const t2 = performance.now();
      this.timing.other += t2 - t1;
      t0 = t2;
    }
    this.observe();
    if (prof) {
      const t3 = performance.now();
      if (this.pixelObs) this.timing.camera += t3 - t0;
      else this.timing.other += t3 - t0;
      this.timing.steps++;
    }
    return { obs: this.obs, reward, terminated, truncated, info: info ?? {} };
  }

  /**
   * Records a disengagement at the car's current state (counted in the episode's statistics)
   * and returns its event. step() calls it for the env's own causes; the app calls it with
   * "manual" when the user takes the wheel.
   */
  disengagement(cause: DisengagementCause): LaneDisengagement {
    const b = this.car.chassis.position;
    const ev: LaneDisengagement = {
      kind: 'disengagement',
      t: this.steps * this.controlDtS,
      step: this.steps,
      s: this.s,
      x: b.x,
      y: -b.z,
      distance: this.s - this.lastDisengageS,
      cause,
      seed: this.roadSeed,
      offset: this.d,
      headingError: this.headingError,
      speed: this.speed,
    };
    this.disengagements++;
    this.lastDisengageS = this.s;
    return ev;
  }

  /** Statistics of the episode so far (what info.episode reports when it ends), ended by `cause`. */
  episodeMetrics(cause: string): LaneEpisodeMetrics {
    const distance = this.s - this.startS;
    const steps = Math.max(1, this.steps);
    return {
      distance,
      disengagements: this.disengagements,
      mpd: distance / Math.max(1, this.disengagements),
      meanAbsOffset: this.sumAbsOffset / steps,
      meanSpeed: this.sumSpeed / steps,
      steps: this.steps,
      seconds: this.steps * this.controlDtS,
      seed: this.roadSeed,
      cause,
    };
  }

  /** Env steps since the episode started. */
  get episodeSteps(): number {
    return this.steps;
  }

  /**
   * Writes the first 14 columns of a lane track row (TRACK_COLUMNS.lane: t, chassis position
   * and quaternion (world, y up), steering (rad), throttle, speed (m/s), s, offset (m), heading
   * error (rad)) at `off`. Allocation-free (called every step while episodes are recorded).
   */
  writeTrackRow(out: Float32Array, off: number): void {
    const b = this.car.chassis;
    out[off] = this.steps * this.controlDtS;
    out[off + 1] = b.position.x;
    out[off + 2] = b.position.y;
    out[off + 3] = b.position.z;
    out[off + 4] = b.quaternion.x;
    out[off + 5] = b.quaternion.y;
    out[off + 6] = b.quaternion.z;
    out[off + 7] = b.quaternion.w;
    out[off + 8] = this.car.steer;
    out[off + 9] = this.car.throttle;
    out[off + 10] = this.speed;
    out[off + 11] = this.s;
    out[off + 12] = this.d;
    out[off + 13] = this.headingError;
  }

  private observe(): void {
    const o = this.obs;
    const cfg = this.config;
    if (this.pixelObs) {
      // The camera writes the image into the observation as byte / 255 while it renders.
      const n = this.pixelCount;
      if (!this.frameFresh) this.frame();
      else if (!this.obsFresh) for (let i = 0; i < n; i++) o[i] = this.camera!.frame[i]! * INV_255;
      this.obsFresh = true;
      o[n] = this.speed / cfg.maxSpeedMps;
      o[n + 1] = this.car.steer / this.maxSteer;
      return;
    }
    const road = this.requireWorld().road;
    const half = this.requireWorld().scene.cross.laneWidth / 2;
    o[0] = this.d / half;
    o[1] = this.headingError / this.headingLimit;
    for (let k = 0; k < CURVATURE_AHEAD.length; k++) o[2 + k] = road.curvatureAt(this.s + CURVATURE_AHEAD[k]!) * this.curvScale;
    o[6] = this.speed / cfg.maxSpeedMps;
    o[7] = this.car.steer / this.maxSteer;
  }

  /**
   * The driver camera's RGB image of the current state (width * height * 3 bytes, row-major
   * from the top-left), rendered on demand (once per step; the pixels observation reuses it).
   * The array is owned by the env and overwritten by the next render: copy what you keep.
   */
  frame(): Uint8Array {
    const world = this.requireWorld();
    const cfg = this.config.camera;
    if (!this.camera) {
      this.camera = new DriverCamera({ width: cfg.width, height: cfg.height, hFovDeg: cfg.hFovDeg, antiAlias: cfg.antiAlias, hood: cfg.hood });
      this.camera.groundOffset = this.car.restY;
      this.camera.setScene(world.scene, world.road);
      this.frameFresh = false;
    }
    if (this.frameFresh) return this.camera.frame;
    this.brightness = poseCamera(this.camera, this.car, cfg, this.mountPitch, this.mountYaw, this.jitterRng);
    this.camera.obsTarget = this.pixelObs ? this.obs : null;
    this.obsFresh = this.pixelObs;
    this.camera.render(this.roadIndex, this.brightness);
    this.frameFresh = true;
    return this.camera.frame;
  }

  /** The car's pose for drawing (world frame, three.js-ready). */
  pose(): CarPose {
    return carPose(this.car, this.steps * this.controlDtS, this.steps, this.speed, this.s, this.d, this.headingError);
  }

  /**
   * The complete episode state (physics, counters, both RNG streams) as numbers; setState()
   * restores it, in this env or another with the same config, and every following step is
   * bitwise-identical to the original's. The road seed is part of it (the scene is rebuilt
   * from it if needed). The observation right after setState() is re-rendered; with camera
   * jitter on, that one frame gets its own jitter draw (later frames match exactly).
   */
  getState(): number[] {
    const car = new Float64Array(VEHICLE_STATE_FLOATS);
    this.car.snapshot(car);
    return [
      this.roadSeed,
      this.steps,
      this.startS,
      this.endS,
      this.s,
      this.d,
      this.headingError,
      this.speed,
      this.roadIndex,
      this.lastSteerCmd,
      this.lastDisengageS,
      this.disengagements,
      this.sumAbsOffset,
      this.sumSpeed,
      this.stallTime,
      this.mountPitch,
      this.mountYaw,
      this.brightness,
      this.safetyDriver ? 1 : 0,
      ...this.rng.getState(),
      ...this.jitterRng.getState(),
      ...car,
    ];
  }

  setState(state: readonly number[]): void {
    const expected = 19 + 10 + VEHICLE_STATE_FLOATS;
    if (state.length !== expected) throw new Error(`lane env state must have ${expected} numbers (got ${state.length})`);
    let i = 0;
    const n = () => state[i++]!;
    const roadSeed = n();
    if (roadSeed !== this.roadSeed || !this.world) {
      this.world = this.worlds.get(roadSeed);
      this.roadSeed = roadSeed;
      if (this.camera) this.camera.setScene(this.world.scene, this.world.road);
    }
    this.steps = n();
    this.startS = n();
    this.endS = n();
    this.s = n();
    this.d = n();
    this.headingError = n();
    this.speed = n();
    this.roadIndex = n();
    this.lastSteerCmd = n();
    this.lastDisengageS = n();
    this.disengagements = n();
    this.sumAbsOffset = n();
    this.sumSpeed = n();
    this.stallTime = n();
    this.mountPitch = n();
    this.mountYaw = n();
    this.brightness = n();
    this.safetyDriver = n() === 1;
    this.rng.setState(state.slice(i, i + 5));
    i += 5;
    this.jitterRng.setState(state.slice(i, i + 5));
    i += 5;
    this.car.restore(Float64Array.from(state.slice(i)));
    this.frameFresh = false;
    if (this.camera) this.camera.bodyDirty = true;
    // Refresh the observation without advancing the jitter stream (with jitter on, this one
    // frame gets its own draw; every later step matches the original env exactly).
    const jitter = this.jitterRng.getState();
    const brightness = this.brightness;
    this.observe();
    this.jitterRng.setState(jitter);
    this.brightness = brightness;
  }

  /** The current observation (owned by the env). */
  observation(): Float32Array {
    return this.obs;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function wrapAngle(a: number): number {
  const twoPi = 2 * Math.PI;
  return a - twoPi * Math.floor((a + Math.PI) / twoPi);
}

/** Car dimensions, re-exported for the UI and tests. */
export { CAR };
