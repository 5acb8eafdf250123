/**
 * Poses as the 3D view draws them, made from live frames (run.frame) or recorded track rows
 * (runs.track), and interpolated between two samples so the view moves smoothly at the
 * display's frame rate while poses arrive at 20-30 per second.
 */
import type { EpisodeTrack, LiveFrame } from '../../../../src-shared/live';
import { TRACK_COLUMNS } from '../../../../src-shared/live';
import { unpackCarPose } from '../../../../src-shared/scene/car-pose';

export interface CarViewPose {
  kind: 'car';
  roadSeed: number;
  /** Simulated seconds since the episode started. */
  t: number;
  position: [number, number, number];
  quaternion: [number, number, number, number];
  steering: number;
  throttle: number;
  speed: number;
  s: number;
  offset: number;
  headingError: number;
  /** Suspension length per wheel (m), FL FR RL RR; rest length where unknown. */
  suspension: [number, number, number, number];
}

export interface PendulumViewPose {
  kind: 'pendulum';
  t: number;
  theta: number;
  omega: number;
  torque: number;
}

export interface MountainCarViewPose {
  kind: 'mountaincar';
  t: number;
  position: number;
  velocity: number;
}

export interface ArmViewPose {
  kind: 'arm';
  t: number;
  /** 7 numbers per body: x, y, z, qx, qy, qz, qw (z up). */
  bodies: number[];
  target: [number, number, number];
  success: boolean;
}

export type ViewPose = CarViewPose | PendulumViewPose | MountainCarViewPose | ArmViewPose;

/** Suspension rest length of the simulated car (m), for tracks that do not record it. */
export const REST_SUSPENSION = 0.35;

export function poseFromFrame(f: LiveFrame): ViewPose {
  const p = f.pose;
  switch (p.kind) {
    case 'car': {
      const c = unpackCarPose(p.packed);
      return {
        kind: 'car',
        roadSeed: p.roadSeed,
        t: c.t,
        position: c.position,
        quaternion: c.quaternion,
        steering: c.steering,
        throttle: c.throttle,
        speed: c.speed,
        s: c.s,
        offset: c.offset,
        headingError: c.headingError,
        suspension: [c.wheels[0]!.suspension, c.wheels[1]!.suspension, c.wheels[2]!.suspension, c.wheels[3]!.suspension],
      };
    }
    case 'pendulum':
      return { kind: 'pendulum', t: f.t, theta: p.theta, omega: p.omega, torque: f.action[0] ?? 0 };
    case 'mountaincar':
      return { kind: 'mountaincar', t: f.t, position: p.position, velocity: p.velocity };
    case 'arm':
      return { kind: 'arm', t: p.pose.t, bodies: p.pose.bodies, target: p.pose.target, success: p.pose.success };
  }
}

/** Row `i` of a decoded track as a view pose (undefined for kinds the view does not replay). */
export function poseFromTrackRow(track: Pick<EpisodeTrack, 'kind' | 'columns' | 'seed'>, rows: Float32Array, i: number): ViewPose | undefined {
  const n = track.columns.length;
  const r = (k: number) => rows[i * n + k]!;
  if (track.kind === 'lane' && n >= TRACK_COLUMNS.lane.length) {
    return {
      kind: 'car',
      roadSeed: track.seed,
      t: r(0),
      position: [r(1), r(2), r(3)],
      quaternion: [r(4), r(5), r(6), r(7)],
      steering: r(8),
      throttle: r(9),
      speed: r(10),
      s: r(11),
      offset: r(12),
      headingError: r(13),
      suspension: [REST_SUSPENSION, REST_SUSPENSION, REST_SUSPENSION, REST_SUSPENSION],
    };
  }
  if (track.kind === 'pendulum') return { kind: 'pendulum', t: r(0), theta: r(1), omega: r(2), torque: r(3) };
  if (track.kind === 'mountaincar') return { kind: 'mountaincar', t: r(0), position: r(1), velocity: r(2) };
  if (track.kind === 'arm') {
    const bodiesEnd = track.columns.findIndex((c) => c.startsWith('j'));
    const nb = (bodiesEnd - 1) / 7;
    const bodies: number[] = [];
    for (let k = 1; k < 1 + 7 * nb; k++) bodies.push(r(k));
    const tx = track.columns.indexOf('tx');
    return { kind: 'arm', t: r(0), bodies, target: [r(tx), r(tx + 1), r(tx + 2)], success: r(track.columns.indexOf('success')) > 0.5 };
  }
  return undefined;
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/** Spherical interpolation of [x, y, z, w] quaternions (shortest way). */
export function slerp(a: readonly number[], b: readonly number[], t: number): [number, number, number, number] {
  let [bx, by, bz, bw] = b as [number, number, number, number];
  const [ax, ay, az, aw] = a as [number, number, number, number];
  let cos = ax * bx + ay * by + az * bz + aw * bw;
  if (cos < 0) {
    cos = -cos;
    bx = -bx;
    by = -by;
    bz = -bz;
    bw = -bw;
  }
  let k0: number, k1: number;
  if (cos > 0.9995) {
    k0 = 1 - t;
    k1 = t;
  } else {
    const th = Math.acos(cos);
    const s = Math.sin(th);
    k0 = Math.sin((1 - t) * th) / s;
    k1 = Math.sin(t * th) / s;
  }
  const x = k0 * ax + k1 * bx,
    y = k0 * ay + k1 * by,
    z = k0 * az + k1 * bz,
    w = k0 * aw + k1 * bw;
  const len = Math.hypot(x, y, z, w) || 1;
  return [x / len, y / len, z / len, w / len];
}

/**
 * The pose a fraction `t` (0..1) of the way from `a` to `b`; `a` when they are not of one
 * episode (a different road, or time going backwards: a new episode began).
 */
export function interpolatePose(a: ViewPose, b: ViewPose, t: number): ViewPose {
  if (t <= 0 || a.kind !== b.kind || b.t < a.t) return a;
  if (t >= 1) return b;
  if (a.kind === 'car' && b.kind === 'car') {
    if (a.roadSeed !== b.roadSeed) return t < 0.5 ? a : b;
    return {
      ...b,
      t: lerp(a.t, b.t, t),
      position: [lerp(a.position[0], b.position[0], t), lerp(a.position[1], b.position[1], t), lerp(a.position[2], b.position[2], t)],
      quaternion: slerp(a.quaternion, b.quaternion, t),
      steering: lerp(a.steering, b.steering, t),
      throttle: lerp(a.throttle, b.throttle, t),
      speed: lerp(a.speed, b.speed, t),
      s: lerp(a.s, b.s, t),
      offset: lerp(a.offset, b.offset, t),
      headingError: lerp(a.headingError, b.headingError, t),
      suspension: [0, 1, 2, 3].map((k) => lerp(a.suspension[k]!, b.suspension[k]!, t)) as CarViewPose['suspension'],
    };
  }
  if (a.kind === 'pendulum' && b.kind === 'pendulum') {
    // Angles: the short way round.
    let d = b.theta - a.theta;
    d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
    return { ...b, t: lerp(a.t, b.t, t), theta: a.theta + d * t, omega: lerp(a.omega, b.omega, t), torque: lerp(a.torque, b.torque, t) };
  }
  if (a.kind === 'mountaincar' && b.kind === 'mountaincar')
    return { ...b, t: lerp(a.t, b.t, t), position: lerp(a.position, b.position, t), velocity: lerp(a.velocity, b.velocity, t) };
  if (a.kind === 'arm' && b.kind === 'arm' && a.bodies.length === b.bodies.length) {
    const bodies = a.bodies.slice();
    for (let k = 0; k < bodies.length; k += 7) {
      for (let c = 0; c < 3; c++) bodies[k + c] = lerp(a.bodies[k + c]!, b.bodies[k + c]!, t);
      const q = slerp(a.bodies.slice(k + 3, k + 7), b.bodies.slice(k + 3, k + 7), t);
      for (let c = 0; c < 4; c++) bodies[k + 3 + c] = q[c]!;
    }
    return { ...b, t: lerp(a.t, b.t, t), bodies };
  }
  return t < 0.5 ? a : b;
}

/**
 * Live poses with their arrival times, played out a little behind real time so there is
 * always a later pose to interpolate towards (snapshot interpolation).
 */
export class PoseTimeline {
  private readonly items: Array<{ at: number; pose: ViewPose }> = [];
  private gaps: number[] = [];

  push(at: number, pose: ViewPose): void {
    const last = this.items[this.items.length - 1];
    if (last) {
      this.gaps.push(at - last.at);
      if (this.gaps.length > 20) this.gaps.shift();
    }
    this.items.push({ at, pose });
    if (this.items.length > 90) this.items.splice(0, this.items.length - 90);
  }

  clear(): void {
    this.items.length = 0;
    this.gaps = [];
  }

  get size(): number {
    return this.items.length;
  }

  /** Play-out delay (ms): about two arrival gaps, within [40, 400]. */
  delay(): number {
    if (!this.gaps.length) return 100;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return Math.max(40, Math.min(400, 2 * median));
  }

  /** The pose to show at wall time `now` (ms, same clock as `push`). */
  sample(now: number): ViewPose | undefined {
    const items = this.items;
    if (!items.length) return undefined;
    const t = now - this.delay();
    if (t <= items[0]!.at) return items[0]!.pose;
    for (let i = items.length - 1; i > 0; i--) {
      const a = items[i - 1]!;
      const b = items[i]!;
      if (t >= a.at) {
        if (t >= b.at) return b.pose;
        return interpolatePose(a.pose, b.pose, (t - a.at) / Math.max(1, b.at - a.at));
      }
    }
    return items[items.length - 1]!.pose;
  }
}

/** The pose of a track at simulated time `t` (s), interpolated between rows. */
export function sampleTrack(track: Pick<EpisodeTrack, 'kind' | 'columns' | 'seed' | 'stepIndex' | 'dt'>, rows: Float32Array, t: number): ViewPose | undefined {
  const n = track.stepIndex.length;
  if (!n) return undefined;
  const cols = track.columns.length;
  // Rows are in step order; their time is column 0.
  let lo = 0;
  let hi = n - 1;
  if (t <= rows[0]!) return poseFromTrackRow(track, rows, 0);
  if (t >= rows[(n - 1) * cols]!) return poseFromTrackRow(track, rows, n - 1);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rows[mid * cols]! <= t) lo = mid;
    else hi = mid;
  }
  const a = poseFromTrackRow(track, rows, lo);
  const b = poseFromTrackRow(track, rows, hi);
  if (!a || !b) return a ?? b;
  const ta = rows[lo * cols]!;
  const tb = rows[hi * cols]!;
  return interpolatePose(a, b, tb > ta ? (t - ta) / (tb - ta) : 0);
}
