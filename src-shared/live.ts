/**
 * What the app's live view receives from a training run (the `run.frame` event), what the user
 * sends while driving by hand (`train.drive`), and the recorded episode tracks the replay view
 * reads (`runs.episodes`, `runs.track`). Pure TypeScript + zod: the engine, the worker and the
 * renderer all validate against these schemas.
 *
 * Streaming, not pixels of the 3D view: a frame carries the env-specific pose (the lane car
 * packed as in ./scene/car-pose.ts, the arm's ArmPose, the pendulum angle, ...), the action,
 * the critic's Q-value for it and, for lane runs, the small RGB image the agent's camera sees
 * (base64, validated for size). A frame may also carry a `reconstruction` image of the same
 * size, for a VAE's decoder output next to the camera image (added by the VAE work).
 */
import { z } from 'zod';
import { ArmPose } from './scene/arm.js';
import { CAR_POSE_FLOATS } from './scene/car-pose.js';
import { RunId } from './types.js';

/** Frames per second streamed in `fast` speed (in `realtime` every env step is streamed). */
export const LIVE_FPS = 30;
/** A watch lease (seconds): the engine streams frames of a run while a lease is held. */
export const WATCH_LEASE_S = 15;
/** Without a drive message for this long (ms), manual driving hands the car back to the agent. */
export const DRIVE_INPUT_TIMEOUT_MS = 2_000;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Characters of the base64 text of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** A small RGB image (HWC, row-major from the top-left, one byte per channel), base64. */
export const CameraImage = z
  .object({
    width: z.number().int().min(1).max(640),
    height: z.number().int().min(1).max(480),
    channels: z.literal(3),
    /** base64 of width * height * 3 bytes. */
    data: z
      .string()
      .max(base64Length(640 * 480 * 3))
      .regex(BASE64, 'data must be base64'),
  })
  .refine((im) => im.data.length === base64Length(im.width * im.height * im.channels), 'data must hold width * height * 3 bytes');
export type CameraImage = z.infer<typeof CameraImage>;

/** Where the shown env is: one variant per kind of scene the 3D view draws. */
export const LivePose = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('car'),
    /** The lane car, packed with packCarPose (CAR_POSE_FLOATS numbers). */
    packed: z.array(z.number()).length(CAR_POSE_FLOATS),
    /** The road seed of the episode: the view asks `scene.lane` for its scene. */
    roadSeed: z.number().int().min(0),
  }),
  z.object({ kind: z.literal('arm'), pose: ArmPose }),
  /** Pendulum angle (rad, 0 = upright, + counter-clockwise) and angular velocity (rad/s). */
  z.object({ kind: z.literal('pendulum'), theta: z.number(), omega: z.number() }),
  /** Mountain car position (m along x) and velocity (m/s). */
  z.object({ kind: z.literal('mountaincar'), position: z.number(), velocity: z.number() }),
]);
export type LivePose = z.infer<typeof LivePose>;

/** Who chose the action: the actor (with exploration noise), uniform random warm-up, or the user. */
export const ActionSource = z.enum(['agent', 'random', 'manual']);
export type ActionSource = z.infer<typeof ActionSource>;

/** One frame of a run's live stream, without the run id (what the worker sends). */
export const LiveFrame = z.object({
  /** Env slot shown (0: the first of the vectorized envs). */
  env: z.number().int().min(0),
  /** Ordinal (1-based) of the episode in progress, counting the run's finished episodes. */
  episode: z.number().int().min(1),
  /** Env steps since the episode started, and simulated seconds. */
  episodeStep: z.number().int().min(0),
  t: z.number().min(0),
  /** Env steps of the run. */
  step: z.number().int().min(0),
  /** Wall clock when the frame was made (ms since the epoch). */
  wall: z.number(),
  /** The action taken, in [-1, 1] per element (steering, throttle for the lane car). */
  action: z.array(z.number().min(-1).max(1)).max(64),
  /** The critic's Q(s, a) for that action (first critic); null where there is none. */
  q: z.number().nullable(),
  reward: z.number(),
  /** Return of the episode so far. */
  episodeReturn: z.number(),
  source: ActionSource,
  /** True when frames are sampled (fast speed: ~LIVE_FPS frames/s); false when every step is streamed (realtime, manual). */
  sampled: z.boolean(),
  pose: LivePose,
  /** What the agent's camera sees (lane runs, every observation kind). */
  camera: CameraImage.optional(),
  /** A VAE's reconstruction of `camera` (same size), when the run uses one. */
  reconstruction: CameraImage.optional(),
});
export type LiveFrame = z.infer<typeof LiveFrame>;

/** The `run.frame` event. */
export const RunFrame = LiveFrame.extend({ id: RunId });
export type RunFrame = z.infer<typeof RunFrame>;

/** The user's input while driving by hand: steering (+ left) and throttle (negative brakes), each in [-1, 1]. */
export const DriveInput = z.object({
  steer: z.number().min(-1).max(1),
  throttle: z.number().min(-1).max(1),
});
export type DriveInput = z.infer<typeof DriveInput>;

/** Options of a manual takeover. */
export const TakeoverOptions = z.object({
  /** Save the camera frames of the drive for VAE pretraining (a frame set, frames/manual-<time>.frames.json in the run folder). */
  recordFrames: z.boolean().default(true),
  /** Add the drive's transitions to the replay buffer as demonstrations. */
  demonstrations: z.boolean().default(false),
});
export type TakeoverOptions = z.infer<typeof TakeoverOptions>;

/** The `run.manual` event: manual driving started or ended. */
export const RunManual = z.object({
  id: RunId,
  on: z.boolean(),
  /** Why it ended: "released", "input-timeout", "stopped", "finished" (absent when it starts). */
  reason: z.string().optional(),
  /** Frames recorded for the VAE and transitions added as demonstrations in this drive so far. */
  frames: z.number().int().min(0),
  demonstrations: z.number().int().min(0),
  /** Metres driven by hand in this drive. */
  distance: z.number(),
  /** The frame set of the recorded frames (its manifest, relative to the run folder: frames/manual-<time>.frames.json), when frames are recorded. */
  frameSet: z.string().optional(),
});
export type RunManual = z.infer<typeof RunManual>;

/** Kinds of recorded tracks: what the columns of a track mean. */
export const TrackKind = z.enum(['lane', 'pendulum', 'arm', 'mountaincar', 'generic']);
export type TrackKind = z.infer<typeof TrackKind>;

/** One recorded episode, as listed by `runs.episodes`. */
export const EpisodeEntry = z.object({
  /** Ordinal (1-based) of the episode in the run (the same number disengagement events carry). */
  episode: z.number().int().min(1),
  env: z.number().int().min(0),
  kind: TrackKind,
  /** Env steps in the episode, and rows kept (fewer when older episodes were decimated). */
  steps: z.number().int().min(0),
  samples: z.number().int().min(0),
  /** Decimated: every DECIMATE-th step, except the last WINDOW_S seconds which are kept whole. */
  reduced: z.boolean(),
  /** Driven by the user (manual takeover). */
  manual: z.boolean(),
  /** Run env step and wall clock (ms) at the end of the episode. */
  endStep: z.number(),
  endTime: z.number(),
  /** Road seed (lane) or episode seed. */
  seed: z.number().int(),
  return: z.number(),
  /** How it ended ("lane", "heading", "manual", "distance", "steps", "time", ...). */
  cause: z.string(),
  /** Metres along the road (lane). */
  distance: z.number().optional(),
  /** Seconds per env step. */
  dt: z.number().positive(),
});
export type EpisodeEntry = z.infer<typeof EpisodeEntry>;

/** One episode's track, as `runs.track` returns it. */
export const EpisodeTrack = EpisodeEntry.extend({
  /** Names of the columns of each row (see TRACK_COLUMNS for the lane and pendulum layouts). */
  columns: z.array(z.string()).min(1).max(512),
  /** Episode step of each row (increasing). */
  stepIndex: z.array(z.number().int().min(0)),
  /** base64 of rows * columns little-endian float32 values, row-major. */
  rows: z.string().regex(BASE64, 'rows must be base64'),
}).refine((t) => t.rows.length === base64Length(t.stepIndex.length * t.columns.length * 4), 'rows must hold stepIndex.length * columns.length float32 values');
export type EpisodeTrack = z.infer<typeof EpisodeTrack>;

/** Row layouts of the kinds the view replays. Arm rows are ArmPose flattened (see armTrackColumns). */
export const TRACK_COLUMNS = {
  lane: ['t', 'px', 'py', 'pz', 'qx', 'qy', 'qz', 'qw', 'steering', 'throttle', 'speed', 's', 'offset', 'headingError', 'a0', 'a1'],
  pendulum: ['t', 'theta', 'omega', 'a0'],
  mountaincar: ['t', 'position', 'velocity', 'a0'],
} as const;

/** Columns of an arm track with `bodies` bodies and `joints` joints. */
export function armTrackColumns(bodies: number, joints: number, actions: number): string[] {
  const cols = ['t'];
  for (let b = 0; b < bodies; b++) for (const c of ['x', 'y', 'z', 'qx', 'qy', 'qz', 'qw']) cols.push(`b${b}.${c}`);
  for (let j = 0; j < joints; j++) cols.push(`j${j}`);
  cols.push('eex', 'eey', 'eez', 'tx', 'ty', 'tz', 'success');
  for (let a = 0; a < actions; a++) cols.push(`a${a}`);
  return cols;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Decodes standard base64 (pure TypeScript: the renderer, Node and workers alike). Throws on bad input. */
export function decodeBase64(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new Error('not base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The rows of a track as a Float32Array (little-endian, as every platform we run on). */
export function trackRows(track: Pick<EpisodeTrack, 'rows'>): Float32Array {
  const bytes = decodeBase64(track.rows);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
