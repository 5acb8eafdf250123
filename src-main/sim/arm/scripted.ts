/**
 * Scripted controllers for the arm tasks, acting on the flat observation only (as a learned
 * policy would). They prove the tasks are solvable in 50 steps and give the benchmarks a
 * reference: an inverse-kinematics reach, and a push that gets behind the cube and pushes it
 * along the cube-to-goal line. Not learned, not optimal.
 */
import { ARM_OBS } from './arm-env.js';
import type { ArmControlMode } from './arm-world.js';
import { inverseKinematics, withinLimits } from './kinematics.js';
import { BASE_POSITION, CUBE, JOINTS, LINKS, N_JOINTS, SERVO_LIMIT_MARGIN } from './model.js';

export interface ScriptedPolicy {
  /** Writes an action in [-1, 1]^5 for `obs` into `out` and returns it. */
  act(obs: Float32Array, out: Float32Array): Float32Array;
}

/** Paddle pitches (rad from straight up) tried in order by the IK: straight down first. */
const PITCHES = [Math.PI, 0.9 * Math.PI, 0.8 * Math.PI, 0.7 * Math.PI, 0.6 * Math.PI, 0.5 * Math.PI, 1.1 * Math.PI];
/** Velocity control: joint speed command per radian of error (1/s). */
const VELOCITY_GAIN = 15;

const qIk = new Float64Array(N_JOINTS);
const wp = new Float64Array(3);

/**
 * Joint angles putting the paddle tip at p (m), trying PITCHES in order; falls back to the
 * first pitch's best effort when none is reachable within limits. Writes into qIk.
 */
function solveIk(p: ArrayLike<number>, roll = 0, pitches: readonly number[] = PITCHES): void {
  for (const pitch of pitches) {
    if (inverseKinematics(p, pitch, qIk, roll) && withinLimits(qIk, SERVO_LIMIT_MARGIN)) return;
  }
  inverseKinematics(p, pitches[0]!, qIk, roll);
}

/** Turns the joint targets in qIk into an action for the control mode. */
function actionFor(mode: ArmControlMode, obs: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < N_JOINTS; i++) {
    const j = JOINTS[i]!;
    const lo = j.lower + SERVO_LIMIT_MARGIN;
    const hi = j.upper - SERVO_LIMIT_MARGIN;
    const target = Math.min(hi, Math.max(lo, qIk[i]!));
    const a = mode === 'position' ? (2 * (target - lo)) / (hi - lo) - 1 : (VELOCITY_GAIN * (target - obs[i]!)) / j.maxSpeed;
    out[i] = Math.min(1, Math.max(-1, a));
  }
  return out;
}

/** Reach: inverse kinematics of the target (the last 3 observation entries). */
export class ScriptedReach implements ScriptedPolicy {
  constructor(private readonly mode: ArmControlMode) {}

  act(obs: Float32Array, out: Float32Array): Float32Array {
    const n = obs.length;
    wp[0] = obs[n - 3]!;
    wp[1] = obs[n - 2]!;
    // The tip cannot go into the table; the goal is met within 5 cm anyway.
    wp[2] = Math.max(obs[n - 1]!, 0.015);
    solveIk(wp);
    return actionFor(this.mode, obs, out);
  }
}

const PADDLE_HALF_THICKNESS = LINKS[LINKS.length - 1]!.halfExtents[0];
/** Paddle centre distance behind the cube centre when pushing (m): any cube yaw fits. */
const PUSH_OFFSET = CUBE.halfSize * Math.SQRT2 + PADDLE_HALF_THICKNESS + 0.006;
/** Height of the paddle tip while pushing and while travelling above the cube (m). */
const PUSH_HEIGHT = 0.008;
const TRAVEL_HEIGHT = 0.09;
/** Longest end-effector move commanded per control step (m), and while pushing. */
const MAX_STEP = 0.04;
const PUSH_STEP = 0.03;

/**
 * Push: from above, lower the paddle behind the cube on the goal-to-cube line, its face turned
 * (wrist roll) square to that line, then push along it; lift and go round again when the cube
 * slips sideways. Reads the end-effector, the cube and the goal from the push observation.
 */
export class ScriptedPush implements ScriptedPolicy {
  constructor(private readonly mode: ArmControlMode) {}

  act(obs: Float32Array, out: Float32Array): Float32Array {
    const n = obs.length;
    const ex = obs[ARM_OBS.endEffector]!,
      ey = obs[ARM_OBS.endEffector + 1]!,
      ez = obs[ARM_OBS.endEffector + 2]!;
    const cx = obs[ARM_OBS.cube]!,
      cy = obs[ARM_OBS.cube + 1]!;
    const gx = obs[n - 3]!,
      gy = obs[n - 2]!;
    let dx = gx - cx;
    let dy = gy - cy;
    const dist = Math.hypot(dx, dy);
    if (dist < 1e-6) {
      dx = 1;
      dy = 0;
    } else {
      dx /= dist;
      dy /= dist;
    }
    // Where the paddle should stand to push: behind the cube on the line to the goal.
    const bx = cx - dx * PUSH_OFFSET;
    const by = cy - dy * PUSH_OFFSET;
    // The end-effector relative to the cube, along and across the push line.
    const rx = ex - cx;
    const ry = ey - cy;
    const along = rx * dx + ry * dy;
    const across = Math.abs(-rx * dy + ry * dx);
    const behind = along < -PUSH_OFFSET + 0.015 && along > -PUSH_OFFSET - 0.03 && across < 0.02;

    let tx: number, ty: number, tz: number;
    if (behind && ez < 0.03) {
      // Push: keep on the line and move ahead, stopping with the cube on the goal.
      const ahead = Math.min(PUSH_STEP, dist);
      tx = bx + dx * ahead;
      ty = by + dy * ahead;
      tz = PUSH_HEIGHT;
    } else if (Math.hypot(ex - bx, ey - by) < 0.015) {
      // Above the push position: go down.
      tx = bx;
      ty = by;
      tz = PUSH_HEIGHT;
    } else if (ez < TRAVEL_HEIGHT - 0.02 && Math.hypot(rx, ry) < PUSH_OFFSET + 0.05) {
      // Low and near the cube but not behind it: lift first so as not to knock it.
      tx = ex;
      ty = ey;
      tz = TRAVEL_HEIGHT;
    } else {
      // Travel above the push position.
      tx = bx;
      ty = by;
      tz = TRAVEL_HEIGHT;
    }
    // Move at most MAX_STEP per step towards (tx, ty, tz).
    let sx = tx - ex,
      sy = ty - ey,
      sz = tz - ez;
    const len = Math.hypot(sx, sy, sz);
    if (len > MAX_STEP) {
      const k = MAX_STEP / len;
      sx *= k;
      sy *= k;
      sz *= k;
    }
    wp[0] = ex + sx;
    wp[1] = ey + sy;
    wp[2] = Math.max(PUSH_HEIGHT, ez + sz);
    // Face normal of a downward paddle points at yaw + pi - roll: turn it onto the push line.
    const yaw = Math.atan2(wp[1] - BASE_POSITION[1], wp[0] - BASE_POSITION[0]);
    solveIk(wp, wrapHalfTurn(yaw + Math.PI - Math.atan2(dy, dx)));
    return actionFor(this.mode, obs, out);
  }
}

/** Wraps an angle into [-pi/2, pi/2) (the paddle looks the same turned half a turn). */
function wrapHalfTurn(a: number): number {
  return a - Math.PI * Math.floor(a / Math.PI + 0.5);
}

/** The scripted controller for an arm env id and control mode. */
export function scriptedPolicy(env: 'arm-reach' | 'arm-push', mode: ArmControlMode): ScriptedPolicy {
  return env === 'arm-reach' ? new ScriptedReach(mode) : new ScriptedPush(mode);
}
