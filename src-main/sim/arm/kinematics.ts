/**
 * Kinematics of the arm in model.ts, in plain float64 math (no cannon-es): forward kinematics
 * (link poses, end-effector position, its Jacobian) and an analytic inverse kinematics for a
 * chosen paddle pitch. Used to place the bodies at reset, by the scripted controllers and by the
 * scene description. Allocation-free: results go into caller-owned arrays.
 *
 * Pose layout: 7 numbers per body, [x, y, z, qx, qy, qz, qw] (metres; unit quaternion).
 */
import { BASE_LINK, BASE_POSITION, EE_OFFSET, JOINTS, LINKS, N_JOINTS } from './model.js';

export const POSE_STRIDE = 7;

/** The base body's centre (m): its bottom rests on the table. */
export const BASE_CENTRE: readonly [number, number, number] = [BASE_POSITION[0], BASE_POSITION[1], BASE_POSITION[2] + BASE_LINK.halfExtents[2]];

/** Height of the shoulder pivot above the table (m) and the pitch-link lengths (m). */
export const SHOULDER_HEIGHT = BASE_CENTRE[2] + JOINTS[0]!.parentPivot[2] - JOINTS[0]!.childPivot[2] + JOINTS[1]!.parentPivot[2];
export const UPPER_ARM_LENGTH = JOINTS[2]!.parentPivot[2] - JOINTS[1]!.childPivot[2];
export const FOREARM_LENGTH = JOINTS[3]!.parentPivot[2] - JOINTS[2]!.childPivot[2];
/** From the wrist pitch pivot to the end-effector along the hand (m). */
export const HAND_LENGTH = -JOINTS[3]!.childPivot[2] + JOINTS[4]!.parentPivot[2] - JOINTS[4]!.childPivot[2] + EE_OFFSET[2];

// Scratch (module scope, reused).
const qTmp = new Float64Array(4);
const vTmp = new Float64Array(3);

/** out = a * b (quaternions [x, y, z, w]), read from/written to arrays at offsets. */
export function quatMul(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, out: Float64Array | number[], oo: number): void {
  const ax = a[ao]!,
    ay = a[ao + 1]!,
    az = a[ao + 2]!,
    aw = a[ao + 3]!;
  const bx = b[bo]!,
    by = b[bo + 1]!,
    bz = b[bo + 2]!,
    bw = b[bo + 3]!;
  out[oo] = aw * bx + ax * bw + ay * bz - az * by;
  out[oo + 1] = aw * by - ax * bz + ay * bw + az * bx;
  out[oo + 2] = aw * bz + ax * by - ay * bx + az * bw;
  out[oo + 3] = aw * bw - ax * bx - ay * by - az * bz;
}

/** out = q v q^-1 for the unit quaternion q at qo and the vector v at vo. */
export function quatRotate(q: ArrayLike<number>, qo: number, v: ArrayLike<number>, vo: number, out: Float64Array | number[], oo: number): void {
  const qx = q[qo]!,
    qy = q[qo + 1]!,
    qz = q[qo + 2]!,
    qw = q[qo + 3]!;
  const vx = v[vo]!,
    vy = v[vo + 1]!,
    vz = v[vo + 2]!;
  // t = 2 (q.xyz x v); v' = v + w t + q.xyz x t
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out[oo] = vx + qw * tx + (qy * tz - qz * ty);
  out[oo + 1] = vy + qw * ty + (qz * tx - qx * tz);
  out[oo + 2] = vz + qw * tz + (qx * ty - qy * tx);
}

/** Unit quaternion of a rotation by `angle` about the local axis 'y' or 'z', into out[o..o+3]. */
export function axisQuat(axis: 'y' | 'z', angle: number, out: Float64Array | number[], o: number): void {
  const s = Math.sin(angle / 2);
  out[o] = 0;
  out[o + 1] = axis === 'y' ? s : 0;
  out[o + 2] = axis === 'z' ? s : 0;
  out[o + 3] = Math.cos(angle / 2);
}

/** Number of bodies whose poses forwardKinematics writes: the base, then every link. */
export const N_BODIES = N_JOINTS + 1;

/**
 * Link poses for joint angles q (rad): writes N_BODIES poses (base first) into `poses`
 * (length >= 7 * N_BODIES) and returns it.
 */
export function forwardKinematics(q: ArrayLike<number>, poses: Float64Array): Float64Array {
  poses[0] = BASE_CENTRE[0];
  poses[1] = BASE_CENTRE[1];
  poses[2] = BASE_CENTRE[2];
  poses[3] = 0;
  poses[4] = 0;
  poses[5] = 0;
  poses[6] = 1;
  for (let i = 0; i < N_JOINTS; i++) {
    const j = JOINTS[i]!;
    const p = i * POSE_STRIDE;
    const c = p + POSE_STRIDE;
    // pivot in world = parent position + parent rotation * parentPivot
    quatRotate(poses, p + 3, j.parentPivot, 0, vTmp, 0);
    const px = poses[p]! + vTmp[0]!,
      py = poses[p + 1]! + vTmp[1]!,
      pz = poses[p + 2]! + vTmp[2]!;
    axisQuat(j.axis, q[i]!, qTmp, 0);
    quatMul(poses, p + 3, qTmp, 0, poses, c + 3);
    quatRotate(poses, c + 3, j.childPivot, 0, vTmp, 0);
    poses[c] = px - vTmp[0]!;
    poses[c + 1] = py - vTmp[1]!;
    poses[c + 2] = pz - vTmp[2]!;
  }
  return poses;
}

/** End-effector position (m) from link poses: the paddle pose applied to EE_OFFSET. */
export function endEffectorFromPoses(poses: Float64Array, out: Float64Array | number[], o = 0): void {
  const p = N_JOINTS * POSE_STRIDE;
  quatRotate(poses, p + 3, EE_OFFSET, 0, vTmp, 0);
  out[o] = poses[p]! + vTmp[0]!;
  out[o + 1] = poses[p + 1]! + vTmp[1]!;
  out[o + 2] = poses[p + 2]! + vTmp[2]!;
}

const fkPoses = new Float64Array(POSE_STRIDE * N_BODIES);

/** End-effector position (m) for joint angles q (rad). */
export function endEffector(q: ArrayLike<number>, out: Float64Array | number[], o = 0): void {
  forwardKinematics(q, fkPoses);
  endEffectorFromPoses(fkPoses, out, o);
}

/**
 * Angles (rad) that put the end-effector at `target` (m) with the paddle pitched at `pitch`
 * (rad from straight up towards the target; pi points the paddle straight down), elbow bent
 * forward, and the wrist roll at `roll` (rad). Writes the angles into `out` and returns false
 * when the target is out of reach (then `out` holds the stretched-out best effort). Joint limits
 * are not checked here.
 */
export function inverseKinematics(target: ArrayLike<number>, pitch: number, out: Float64Array | number[], roll = 0): boolean {
  const dx = target[0]! - BASE_POSITION[0];
  const dy = target[1]! - BASE_POSITION[1];
  const yaw = Math.atan2(dy, dx);
  const r = Math.hypot(dx, dy);
  // Wrist pivot in the arm's vertical plane (radial r, height z).
  const wr = r - HAND_LENGTH * Math.sin(pitch);
  const wz = target[2]! - HAND_LENGTH * Math.cos(pitch) - SHOULDER_HEIGHT;
  const l2 = UPPER_ARM_LENGTH;
  const l3 = FOREARM_LENGTH;
  const d2 = wr * wr + wz * wz;
  let c3 = (d2 - l2 * l2 - l3 * l3) / (2 * l2 * l3);
  const reachable = c3 >= -1 && c3 <= 1;
  c3 = Math.min(1, Math.max(-1, c3));
  const q3 = Math.acos(c3);
  const q2 = Math.atan2(wr, wz) - Math.atan2(l3 * Math.sin(q3), l2 + l3 * c3);
  out[0] = yaw;
  out[1] = q2;
  out[2] = q3;
  out[3] = pitch - q2 - q3;
  out[4] = roll;
  return reachable;
}

/** True when every angle lies within its joint's limits (rad), with an optional margin. */
export function withinLimits(q: ArrayLike<number>, margin = 0): boolean {
  for (let i = 0; i < N_JOINTS; i++) {
    const j = JOINTS[i]!;
    if (q[i]! < j.lower + margin || q[i]! > j.upper - margin) return false;
  }
  return true;
}

/** Link names in pose order (base first), for the scene description. */
export const BODY_NAMES: readonly string[] = [BASE_LINK.name, ...LINKS.map((l) => l.name)];
