/**
 * The car's pose at one step, for drawing the car in the three.js view (the engine streams
 * these, never frames). World frame (y up, see ./frames.ts); quaternions are [x, y, z, w]
 * (three.js `quaternion.set(x, y, z, w)`). Wheels in the order front-left, front-right,
 * rear-left, rear-right; a wheel's pose already includes steering and spin.
 *
 * For streaming many poses, `packCarPose` writes the same numbers into CAR_POSE_FLOATS numbers
 * of a flat array (layout below) and `unpackCarPose` reads them back.
 */
import { z } from 'zod';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
const Quat = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const WheelPose = z.object({
  position: Vec3,
  quaternion: Quat,
  /** Suspension length (m): distance from the mount point to the wheel centre. */
  suspension: z.number(),
  /** Whether the wheel touches the ground. */
  contact: z.boolean(),
});
export type WheelPose = z.infer<typeof WheelPose>;

export const CarPose = z.object({
  /** Simulated seconds since the episode started. */
  t: z.number(),
  /** Env steps since the episode started. */
  step: z.number().int(),
  /** Chassis centre (m, world) and orientation. */
  position: Vec3,
  quaternion: Quat,
  wheels: z.array(WheelPose).length(4),
  /** Road-wheel steering angle (rad, + left). */
  steering: z.number(),
  /** Throttle in [-1, 1] (negative brakes) as applied, by the cruise controller or the agent. */
  throttle: z.number(),
  /** Forward speed (m/s). */
  speed: z.number(),
  /** Position along the road (m), lateral offset from the lane centre (m, + left), heading error (rad, + pointing left of the road). */
  s: z.number(),
  offset: z.number(),
  headingError: z.number(),
});
export type CarPose = z.infer<typeof CarPose>;

/**
 * Packed layout: [t, step, px, py, pz, qx, qy, qz, qw,
 *   4 x (wx, wy, wz, wqx, wqy, wqz, wqw, suspension, contact 0|1),
 *   steering, throttle, speed, s, offset, headingError].
 */
export const CAR_POSE_FLOATS = 9 + 4 * 9 + 6;

export function packCarPose(p: CarPose, out: { [i: number]: number; length: number }, offset = 0): void {
  let o = offset;
  out[o++] = p.t;
  out[o++] = p.step;
  for (const v of p.position) out[o++] = v;
  for (const v of p.quaternion) out[o++] = v;
  for (const w of p.wheels) {
    for (const v of w.position) out[o++] = v;
    for (const v of w.quaternion) out[o++] = v;
    out[o++] = w.suspension;
    out[o++] = w.contact ? 1 : 0;
  }
  out[o++] = p.steering;
  out[o++] = p.throttle;
  out[o++] = p.speed;
  out[o++] = p.s;
  out[o++] = p.offset;
  out[o++] = p.headingError;
}

export function unpackCarPose(a: ArrayLike<number>, offset = 0): CarPose {
  let o = offset;
  const n = () => a[o++]!;
  const t = n();
  const step = n();
  const position: [number, number, number] = [n(), n(), n()];
  const quaternion: [number, number, number, number] = [n(), n(), n(), n()];
  const wheels: WheelPose[] = [];
  for (let i = 0; i < 4; i++) {
    wheels.push({ position: [n(), n(), n()], quaternion: [n(), n(), n(), n()], suspension: n(), contact: n() !== 0 });
  }
  return { t, step, position, quaternion, wheels, steering: n(), throttle: n(), speed: n(), s: n(), offset: n(), headingError: n() };
}
