/**
 * What the live view and the episode recorder read from each kind of env: the pose for a
 * `run.frame` (allocates; called at frame rate), the camera image, and a track row (allocation
 * free for the lane car; called every env step while recording).
 */
import { TRACK_COLUMNS, armTrackColumns, type LivePose, type TrackKind } from '../../../src-shared/live.js';
import { CAR_POSE_FLOATS, packCarPose } from '../../../src-shared/scene/car-pose.js';
import { ArmEnv } from '../../sim/arm/arm-env.js';
import { N_BODIES } from '../../sim/arm/kinematics.js';
import { N_JOINTS } from '../../sim/arm/model.js';
import { MountainCarEnv } from '../../sim/classic/mountain-car.js';
import { PendulumEnv } from '../../sim/classic/pendulum.js';
import type { Env } from '../../sim/env.js';
import { LaneEnv } from '../../sim/lane/lane-env.js';

export interface EnvView {
  kind: TrackKind;
  /** Column names of a track row (the action columns at the end). */
  columns: string[];
  /** Seconds per env step. */
  dt: number;
  /** Seed shown in the episode list: the lane's road seed, else the episode seed. */
  seed(episodeSeed: number): number;
  /** Writes one row: `t` is the episode's simulated time (s). */
  writeRow(out: Float32Array, off: number, t: number, action: Float32Array): void;
  pose(): LivePose;
  /** The driver camera's RGB image (lane), else undefined. */
  camera(): { width: number; height: number; rgb: Uint8Array } | undefined;
}

function writeActions(out: Float32Array, off: number, action: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) out[off + k] = k < action.length ? action[k]! : 0;
}

/** The view of an env, or undefined for envs the app does not draw. */
export function envView(env: Env): EnvView | undefined {
  // Observation wrappers (the frozen VAE encoder) keep the simulator as `inner`.
  if ('inner' in env && env.inner && typeof env.inner === 'object') return envView(env.inner as Env);
  if (env instanceof LaneEnv) {
    const cols = [...TRACK_COLUMNS.lane];
    return {
      kind: 'lane',
      columns: cols,
      dt: env.controlDtS,
      seed: () => env.seed,
      writeRow(out, off, _t, action) {
        env.writeTrackRow(out, off);
        writeActions(out, off + 14, action, 2);
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
  if (env instanceof PendulumEnv) {
    return {
      kind: 'pendulum',
      columns: [...TRACK_COLUMNS.pendulum],
      dt: env.controlDtS,
      seed: (s) => s,
      writeRow(out, off, t, action) {
        out[off] = t;
        out[off + 1] = env.angle;
        out[off + 2] = env.angularVelocity;
        writeActions(out, off + 3, action, 1);
      },
      pose: () => ({ kind: 'pendulum', theta: env.angle, omega: env.angularVelocity }),
      camera: () => undefined,
    };
  }
  if (env instanceof MountainCarEnv) {
    return {
      kind: 'mountaincar',
      columns: [...TRACK_COLUMNS.mountaincar],
      dt: 1 / 30,
      seed: (s) => s,
      writeRow(out, off, t, action) {
        out[off] = t;
        out[off + 1] = env.carPosition;
        out[off + 2] = env.carVelocity;
        writeActions(out, off + 3, action, 1);
      },
      pose: () => ({ kind: 'mountaincar', position: env.carPosition, velocity: env.carVelocity }),
      camera: () => undefined,
    };
  }
  if (env instanceof ArmEnv) {
    const nb = N_BODIES + (env.id === 'arm-push' ? 1 : 0);
    const nj = N_JOINTS;
    const na = env.actionSpace.shape[0]!;
    return {
      kind: 'arm',
      columns: armTrackColumns(nb, nj, na),
      dt: env.controlDtS,
      seed: (s) => s,
      writeRow(out, off, t, action) {
        const p = env.pose();
        let o = off;
        out[o++] = t;
        for (const v of p.bodies) out[o++] = v;
        for (const v of p.joints) out[o++] = v;
        for (const v of p.endEffector) out[o++] = v;
        for (const v of p.target) out[o++] = v;
        out[o++] = p.success ? 1 : 0;
        writeActions(out, o, action, na);
      },
      pose: () => ({ kind: 'arm', pose: env.pose() }),
      camera: () => undefined,
    };
  }
  return undefined;
}
