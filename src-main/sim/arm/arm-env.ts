/**
 * The robot-arm tasks as Gymnasium-style, goal-conditioned envs, after panda-gym:
 * - `arm-reach`: bring the end-effector (the paddle tip) within distanceThreshold (0.05 m) of a
 *   target drawn uniformly from a 0.3 m cube above the table.
 * - `arm-push`: push a 4 cm cube lying on the table to a target on the table (within 0.05 m).
 *
 * Observation (Float32Array, owned by the env):
 *   reach (19): joint angles (5, rad), joint speeds (5, rad/s), end-effector position (3, m) and
 *               velocity (3, m/s), target (3, m)
 *   push (32):  the same robot part (16), cube position (3, m), orientation (4, quaternion
 *               x, y, z, w with w >= 0), velocity (3, m/s), angular velocity (3, rad/s), target (3, m)
 * (offsets in ARM_OBS).
 * The achieved goal is the end-effector (reach) or the cube centre (push); both goals are also in
 * info and at `goal` offsets of the observation (see ../goal-env.ts).
 *
 * Action: 5 numbers in [-1, 1]: joint-angle or joint-speed targets (config `control`), held for
 * physicsStepsPerAction physics steps of 1/240 s.
 * Reward: dense = -distance (m); sparse = 0 on success, -1 otherwise. Episodes are truncated at
 * maxEpisodeSteps (50); they terminate only on success with terminateOnSuccess, or when the
 * physics produced a non-finite state (info.physics_fault; never seen in testing).
 * Info: every step has is_success, distance (m), achieved_goal, desired_goal; an episode's last
 * step also has `episode: { is_success, final_distance }` (its outcome, scored at that step).
 */
import type { ArmEnvConfig } from '../../../src-shared/config/envs/arm.js';
import type { ArmPose } from '../../../src-shared/scene/arm.js';
import { Rng } from '../../core/rng.js';
import { boxSpace, unitActionSpace, type BoxSpace, type EnvInfo, type ResetResult, type StepResult } from '../env.js';
import { ArmWorld, type ArmWorldState } from './arm-world.js';
import { goalDistance, type GoalEnv, type GoalLayout } from '../goal-env.js';
import { N_BODIES } from './kinematics.js';
import { CUBE, JOINTS, N_JOINTS, PHYSICS_DT, PUSH_XY_RANGE, REACH_TARGET_HIGH, REACH_TARGET_LOW } from './model.js';

/** Where things sit in the observation (the goal is always the last 3 entries). */
export const ARM_OBS = {
  joints: 0,
  speeds: N_JOINTS,
  endEffector: 2 * N_JOINTS,
  endEffectorVelocity: 2 * N_JOINTS + 3,
  /** Push only: cube position (3), quaternion (4), velocity (3), angular velocity (3). */
  cube: 2 * N_JOINTS + 6,
} as const;
/** Length of the robot part of the observation: angles, speeds, end-effector position and velocity. */
const ROBOT_OBS = 2 * N_JOINTS + 6;
const CUBE_OBS = 13;

/** Everything that determines an ArmEnv's future; plain numbers (JSON-safe, exact). */
export interface ArmEnvState {
  env: ArmEnvConfig['id'];
  world: ArmWorldState;
  rng: number[];
  steps: number;
  goal: number[];
}

export class ArmEnv implements GoalEnv {
  readonly id: ArmEnvConfig['id'];
  readonly observationSpace: BoxSpace;
  readonly actionSpace = unitActionSpace(N_JOINTS);
  readonly goal: GoalLayout;
  /** The physics; exposed for tests, benchmarks and the view. */
  readonly arm: ArmWorld;
  readonly config: Readonly<ArmEnvConfig>;
  /** Seconds of simulated time per control step. */
  readonly controlDtS: number;

  private readonly task: 'reach' | 'push';
  private readonly rng = new Rng(0);
  private readonly obs: Float32Array;
  private readonly lastGoodObs: Float32Array;
  private readonly achieved = new Float32Array(3);
  private readonly desired = new Float32Array(3);
  private readonly target = new Float64Array(3);
  private readonly q0 = new Float64Array(N_JOINTS);
  private readonly cube0 = new Float64Array(3);
  private steps = 0;

  constructor(config: ArmEnvConfig) {
    this.config = config;
    this.id = config.id;
    this.task = config.id === 'arm-reach' ? 'reach' : 'push';
    this.controlDtS = config.physicsStepsPerAction * PHYSICS_DT;
    this.arm = new ArmWorld({
      withCube: this.task === 'push',
      solverIterations: config.solverIterations,
      contactSolverIterations: config.contactSolverIterations,
      cubeSolverIterations: config.id === 'arm-push' ? config.cubeSolverIterations : undefined,
    });
    this.arm.mode = config.control;
    const n = ROBOT_OBS + (this.task === 'push' ? CUBE_OBS : 0) + 3;
    this.obs = new Float32Array(n);
    this.lastGoodObs = new Float32Array(n);
    this.observationSpace = boxSpace(new Array(n).fill(-Infinity), new Array(n).fill(Infinity));
    this.goal = { size: 3, achievedOffset: this.task === 'reach' ? 2 * N_JOINTS : ROBOT_OBS, desiredOffset: n - 3 };
  }

  /**
   * Starts an episode. Options (for tests and scripted checks): `target` [x, y, z] (m; for push
   * z is ignored), `cube` [x, y] (m, push only), `joints` (rad, one per joint).
   */
  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    const noise = this.config.initialJointNoise;
    for (let i = 0; i < N_JOINTS; i++) {
      const j = JOINTS[i]!;
      const q = noise > 0 ? j.neutral + this.rng.uniform(-noise, noise) : j.neutral;
      this.q0[i] = Math.min(j.upper, Math.max(j.lower, q));
    }
    const joints = numberArray(options?.joints, N_JOINTS, 'joints');
    if (joints) this.q0.set(joints);

    const h = CUBE.halfSize;
    if (this.task === 'reach') {
      for (let k = 0; k < 3; k++) this.target[k] = this.rng.uniform(REACH_TARGET_LOW[k]!, REACH_TARGET_HIGH[k]!);
    } else {
      this.cube0[0] = this.rng.uniform(-PUSH_XY_RANGE, PUSH_XY_RANGE);
      this.cube0[1] = this.rng.uniform(-PUSH_XY_RANGE, PUSH_XY_RANGE);
      this.cube0[2] = h;
      this.target[0] = this.rng.uniform(-PUSH_XY_RANGE, PUSH_XY_RANGE);
      this.target[1] = this.rng.uniform(-PUSH_XY_RANGE, PUSH_XY_RANGE);
      this.target[2] = h;
      const cube = numberArray(options?.cube, 2, 'cube');
      if (cube) this.cube0.set(cube);
    }
    const target = numberArray(options?.target, 3, 'target');
    if (target) {
      this.target.set(target);
      if (this.task === 'push') this.target[2] = h;
    }
    this.arm.resetPose(this.q0, this.task === 'push' ? this.cube0 : undefined);
    this.steps = 0;
    this.observe();
    this.lastGoodObs.set(this.obs);
    return { obs: this.obs, info: this.info(this.isSuccess(this.achieved, this.desired)) };
  }

  step(action: Float32Array): StepResult {
    this.arm.setAction(action);
    for (let k = 0; k < this.config.physicsStepsPerAction; k++) this.arm.stepPhysics();
    this.steps++;
    this.observe();
    let fault = false;
    for (let i = 0; i < this.obs.length; i++) {
      if (!Number.isFinite(this.obs[i]!)) {
        fault = true;
        break;
      }
    }
    if (fault) {
      // Never seen in testing; if cannon-es ever diverges, end the episode with the last sane state.
      this.obs.set(this.lastGoodObs);
      this.readGoals();
    } else {
      this.lastGoodObs.set(this.obs);
    }
    const success = this.isSuccess(this.achieved, this.desired);
    const reward = this.computeReward(this.achieved, this.desired);
    const info = this.info(success);
    if (fault) info.physics_fault = true;
    const terminated = fault || (this.config.terminateOnSuccess && success);
    const truncated = this.steps >= this.config.maxEpisodeSteps;
    // The episode's outcome, scored as panda-gym does (at its last step); the training loop
    // reports numeric `info.episode` fields on episode lines and their means on eval lines
    // (mean_is_success = success rate).
    if (terminated || truncated) info.episode = { is_success: success, final_distance: info.distance as number };
    return { obs: this.obs, reward, terminated, truncated, info };
  }

  computeReward(achieved: ArrayLike<number>, desired: ArrayLike<number>): number {
    const d = goalDistance(achieved, desired, 3);
    return this.config.reward === 'dense' ? -d : d < this.config.distanceThreshold ? 0 : -1;
  }

  isSuccess(achieved: ArrayLike<number>, desired: ArrayLike<number>): boolean {
    return goalDistance(achieved, desired, 3) < this.config.distanceThreshold;
  }

  /** Control steps taken in this episode. */
  get elapsedSteps(): number {
    return this.steps;
  }

  snapshot(): ArmEnvState {
    return { env: this.id, world: this.arm.snapshot(), rng: this.rng.getState(), steps: this.steps, goal: Array.from(this.target) };
  }

  restore(state: ArmEnvState): void {
    if (state.env !== this.id) throw new Error(`cannot restore a ${state.env} state into ${this.id}`);
    this.arm.restore(state.world);
    this.rng.setState(state.rng);
    this.steps = state.steps;
    this.target.set(state.goal);
    this.observe();
    this.lastGoodObs.set(this.obs);
  }

  /** Where everything is now, for the view (allocates; call once per rendered frame). */
  pose(): ArmPose {
    const nBodies = N_BODIES + (this.task === 'push' ? 1 : 0);
    const bodies = new Array<number>(7 * nBodies);
    this.arm.writePoses(bodies);
    const ee: [number, number, number] = [0, 0, 0];
    this.arm.endEffector(ee);
    return {
      step: this.steps,
      t: this.steps * this.controlDtS,
      bodies,
      joints: Array.from(this.arm.q),
      endEffector: ee,
      target: [this.target[0]!, this.target[1]!, this.target[2]!],
      success: this.isSuccess(this.achieved, this.desired),
    };
  }

  private observe(): void {
    const o = this.obs;
    const arm = this.arm;
    arm.readJoints();
    let k = 0;
    for (let i = 0; i < N_JOINTS; i++) o[k++] = arm.q[i]!;
    for (let i = 0; i < N_JOINTS; i++) o[k++] = arm.qd[i]!;
    arm.endEffector(o, k);
    k += 3;
    arm.endEffectorVelocity(o, k);
    k += 3;
    const cube = arm.cube;
    if (cube) {
      const p = cube.position;
      const q = cube.quaternion;
      const s = q.w < 0 ? -1 : 1;
      o[k++] = p.x;
      o[k++] = p.y;
      o[k++] = p.z;
      o[k++] = s * q.x;
      o[k++] = s * q.y;
      o[k++] = s * q.z;
      o[k++] = s * q.w;
      o[k++] = cube.velocity.x;
      o[k++] = cube.velocity.y;
      o[k++] = cube.velocity.z;
      o[k++] = cube.angularVelocity.x;
      o[k++] = cube.angularVelocity.y;
      o[k++] = cube.angularVelocity.z;
    }
    o[k++] = this.target[0]!;
    o[k++] = this.target[1]!;
    o[k++] = this.target[2]!;
    this.readGoals();
  }

  private readGoals(): void {
    const a = this.goal.achievedOffset;
    const d = this.goal.desiredOffset;
    for (let i = 0; i < 3; i++) {
      this.achieved[i] = this.obs[a + i]!;
      this.desired[i] = this.obs[d + i]!;
    }
  }

  private info(success: boolean): EnvInfo {
    return {
      is_success: success,
      distance: goalDistance(this.achieved, this.desired, 3),
      achieved_goal: this.achieved,
      desired_goal: this.desired,
    };
  }
}

function numberArray(value: unknown, n: number, name: string): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw new Error(`reset option "${name}" must be an array of ${n} numbers`);
  const arr = Array.from(value as ArrayLike<unknown>);
  if (arr.length !== n || !arr.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`reset option "${name}" must be an array of ${n} finite numbers`);
  }
  return arr as number[];
}
