/** Where the lane env's driver camera looks from: the chassis pose, the mount and its jitter. */
import type { LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import type { Rng } from '../../core/rng.js';
import type { DriverCamera } from './camera/driver-camera.js';
import type { CarPhysics } from './vehicle.js';

const deg = Math.PI / 180;

/** Camera pose from the chassis, the mount, and per-episode and per-frame jitter. */
export function poseCamera(cam: DriverCamera, car: CarPhysics, cfg: LaneEnvConfig['camera'], mountPitch: number, mountYaw: number, jr: Rng): number {
  let pitch = cfg.pitchDeg * deg + mountPitch;
  let yaw = mountYaw;
  let roll = 0;
  let jx = 0,
    jy = 0,
    jz = 0;
  const ja = cfg.jitterAngleDeg * deg;
  if (ja > 0) {
    pitch += jr.normal() * ja;
    yaw += jr.normal() * ja;
    roll = jr.normal() * ja;
  }
  const jp = cfg.jitterPositionM;
  if (jp > 0) {
    jx = jr.normal() * jp;
    jy = jr.normal() * jp;
    jz = jr.normal() * jp;
  }
  const brightness = cfg.brightnessJitter > 0 ? Math.max(0.2, 1 + jr.normal() * cfg.brightnessJitter) : 1;
  // Body-frame basis: yaw about +y (left positive), then pitch down, then roll about forward.
  const cy = Math.cos(yaw),
    sy = Math.sin(yaw),
    cp = Math.cos(pitch),
    sp = Math.sin(pitch),
    cr = Math.cos(roll),
    sr = Math.sin(roll);
  // After yaw: f0 = (cy, 0, -sy), r0 = (sy, 0, cy), d0 = (0, -1, 0).
  // After pitch: f1 = cp f0 + sp d0, d1 = cp d0 - sp f0.
  const f1x = cp * cy,
    f1y = -sp,
    f1z = -cp * sy;
  const d1x = -sp * cy,
    d1y = -cp,
    d1z = sp * sy;
  // After roll: r2 = cr r0 + sr d1, d2 = cr d1 - sr r0.
  const r2x = cr * sy + sr * d1x,
    r2y = sr * d1y,
    r2z = cr * cy + sr * d1z;
  const d2x = cr * d1x - sr * sy,
    d2y = cr * d1y,
    d2z = cr * d1z - sr * cy;
  const bodyY = cfg.heightM - car.restY;
  if (ja > 0 || jp > 0 || cam.bodyDirty) {
    set3(cam.bodyF, f1x, f1y, f1z);
    set3(cam.bodyR, r2x, r2y, r2z);
    set3(cam.bodyD, d2x, d2y, d2z);
    set3(cam.bodyPos, cfg.forwardM + jx, bodyY + jy, jz);
    cam.bodyDirty = true;
  }
  // To the world with the chassis quaternion, then to the map frame (x, -z, height).
  const q = car.chassis.quaternion;
  const p = car.pointToWorld(cfg.forwardM + jx, bodyY + jy, jz);
  cam.px = p.x;
  cam.py = -p.z;
  cam.ph = p.y;
  rotateToMap(q.x, q.y, q.z, q.w, f1x, f1y, f1z, cam.F);
  rotateToMap(q.x, q.y, q.z, q.w, r2x, r2y, r2z, cam.R);
  rotateToMap(q.x, q.y, q.z, q.w, d2x, d2y, d2z, cam.D);
  return brightness;
}

function set3(out: Float64Array, x: number, y: number, z: number): void {
  out[0] = x;
  out[1] = y;
  out[2] = z;
}

/** Rotates body vector v by quaternion q (world, y up) and writes it in the map frame (x, -z, y). */
function rotateToMap(qx: number, qy: number, qz: number, qw: number, vx: number, vy: number, vz: number, out: Float64Array): void {
  // t = 2 q.xyz x v; v' = v + w t + q.xyz x t
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  const wx = vx + qw * tx + (qy * tz - qz * ty);
  const wy = vy + qw * ty + (qz * tx - qx * tz);
  const wz = vz + qw * tz + (qx * ty - qy * tx);
  out[0] = wx;
  out[1] = -wz;
  out[2] = wy;
}
