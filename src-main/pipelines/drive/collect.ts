/**
 * Frame collection for the VAE (the pipeline's `collect` stage): camera frames of the lane env
 * on training roads under three policies, written to a frame set (sim/lane/frames-file.ts):
 *
 *   random  uniformly random steering (rate-limited by the actuator): the car weaves and leaves
 *           the lane within seconds: off-centre and off-road views;
 *   zero    straight ahead: drifts out of the lane on bends;
 *   keeper  the hand-written lane keeper on the state with autocorrelated Gaussian steering noise
 *           (AR(1), correlation 0.9 per step; its stationary std drawn per episode in
 *           [0, keeperNoise]): on-road views at every offset and heading error.
 *
 * One episode = one segment of the set, on a road drawn from the training seeds: a frame every
 * `every` steps, at most `maxPerEpisode` frames. Which policy drives the next episode is the one
 * furthest below its share. Everything is seeded from (run seed, segment index), so collection
 * resumes after a crash from the last committed segment and gives the same frames.
 *
 * With `canonicalPath` (the VAE's "canonical" target) every frame is also rendered in the plain
 * world from the same state (road, car, camera mount: LaneEnv.setState), into a second frame set
 * that matches the first frame for frame. Its segment is committed first; after a crash between
 * the two commits, the segment it already holds is not written again.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LaneEnvConfig, laneActionDim } from '../../../src-shared/config/envs/lane.js';
import { DRIVE_WORLDS, type DriveFramesConfig } from '../../../src-shared/config/drive.js';
import { Rng } from '../../core/rng.js';
import { furthestBelowShare, segmentSeed } from '../collect-shares.js';
import { laneKeeperPolicy } from '../../sim/lane/evaluate.js';
import { FramesWriter, type FramesManifest } from '../../sim/lane/frames-file.js';
import { LaneEnv } from '../../sim/lane/lane-env.js';

export const COLLECT_SOURCES = ['random', 'zero', 'keeper'] as const;
export type CollectSource = (typeof COLLECT_SOURCES)[number];

export interface CollectOptions {
  /** The run's lane env (camera, roads); the observation kind does not matter here. */
  env: LaneEnvConfig;
  frames: DriveFramesConfig;
  /** The run's seed. */
  seed: number;
  /** Frame set path (see framesPaths). */
  path: string;
  /** Also render every frame in the plain world, into this frame set (see the file comment). */
  canonicalPath?: string;
  /** After every committed segment. */
  onProgress?(count: number, target: number, source: CollectSource): void;
  /** Checked between segments; true stops collection (what is committed stays). */
  shouldStop?(): boolean;
  /** Awaited between segments (the caller's pause; also lets control messages arrive). */
  between?(): Promise<void>;
}

export interface CollectResult {
  manifest: FramesManifest;
  /** False when stopped before the target count. */
  complete: boolean;
}

/** The policy furthest below its share of the target (ties: the order of COLLECT_SOURCES). */
export function nextSource(frames: DriveFramesConfig, have: Record<string, number>): CollectSource {
  const next = furthestBelowShare(COLLECT_SOURCES, frames, frames.count, have);
  if (next === undefined) throw new Error('frames: random, zero and keeper shares are all 0');
  return next;
}

/** The lane env that renders the plain world's view of another env's state: one road look, no per-frame jitter. */
export function canonicalLaneConfig(env: LaneEnvConfig): LaneEnvConfig {
  const plain = DRIVE_WORLDS.plain;
  return LaneEnvConfig.parse({
    ...env,
    obs: 'state',
    camera: { ...env.camera, ...plain.camera, jitterPositionM: 0, jitterAngleDeg: 0, brightnessJitter: 0 },
    randomize: { ...plain.randomize },
  });
}

/** Collects (or finishes collecting) the frame set. */
export async function collectFrames(o: CollectOptions): Promise<CollectResult> {
  const cam = o.env.camera;
  const envConfig = LaneEnvConfig.parse({ ...o.env, obs: 'state' });
  mkdirSync(dirname(o.path), { recursive: true });
  const writer = FramesWriter.open(o.path, { width: cam.width, height: cam.height }, { camera: cam, writer: 'drive collect', seed: o.seed });
  let canonical: FramesWriter | undefined;
  try {
    const env = new LaneEnv(envConfig);
    let plainEnv: LaneEnv | undefined;
    if (o.canonicalPath) {
      mkdirSync(dirname(o.canonicalPath), { recursive: true });
      const plainConfig = canonicalLaneConfig(envConfig);
      canonical = FramesWriter.open(
        o.canonicalPath,
        { width: cam.width, height: cam.height },
        { camera: plainConfig.camera, writer: 'drive collect (canonical)', seed: o.seed },
      );
      plainEnv = new LaneEnv(plainConfig);
      if (canonical.current().segments.length < writer.current().segments.length)
        throw new Error(`${o.canonicalPath} holds fewer segments than ${o.path}; delete both to collect again`);
    }
    const cbuf = plainEnv ? new Uint8Array(o.frames.maxPerEpisode * cam.width * cam.height * 3) : undefined;
    /** Keeps the current view as frame `k` (and its plain-world rendering). */
    const keep = (k: number): void => {
      buf.set(env.frame(), k * fb);
      if (plainEnv) {
        plainEnv.setState(env.getState());
        cbuf!.set(plainEnv.frame(), k * fb);
      }
    };
    const keeper = laneKeeperPolicy(envConfig);
    const fb = cam.width * cam.height * 3;
    const cfg = o.frames;
    const action = new Float32Array(laneActionDim(envConfig));
    const buf = new Uint8Array(cfg.maxPerEpisode * fb);
    while (writer.count < cfg.count) {
      await (o.between?.() ?? Promise.resolve());
      if (o.shouldStop?.()) return { manifest: writer.current(), complete: false };
      const m = writer.current();
      const k = m.segments.filter((s) => typeof s.info?.segment === 'number').length;
      const source = nextSource(cfg, m.sources);
      const rng = new Rng(segmentSeed(o.seed, k));
      const episodeSeed = rng.nextU32();
      let { obs } = env.reset(episodeSeed);
      const noiseStd = source === 'keeper' ? rng.uniform(0, cfg.keeperNoise) : 0;
      let noise = 0;
      const want = Math.min(cfg.maxPerEpisode, cfg.count - writer.count);
      let kept = 0;
      for (let t = 0; kept < want; t++) {
        if (t % cfg.every === 0) {
          keep(kept);
          kept++;
          if (kept >= want) break;
        }
        if (source === 'random') action[0] = rng.uniform(-1, 1);
        else if (source === 'zero') action[0] = 0;
        else {
          noise = 0.9 * noise + Math.sqrt(1 - 0.81) * noiseStd * rng.normal();
          action[0] = Math.max(-1, Math.min(1, keeper(obs)[0]! + noise));
        }
        if (action.length > 1) action[1] = keeper(obs)[1]!;
        const r = env.step(action);
        obs = r.obs;
        if (r.terminated || r.truncated) {
          // The view at the disengagement is worth keeping too.
          if (kept < want) {
            keep(kept);
            kept++;
          }
          break;
        }
      }
      const info = { segment: k, roadSeed: env.seed, episodeSeed, ...(source === 'keeper' ? { noiseStd } : {}) };
      if (canonical && canonical.current().segments.length === m.segments.length) canonical.append(cbuf!.subarray(0, kept * fb), source, info);
      writer.append(buf.subarray(0, kept * fb), source, info);
      o.onProgress?.(writer.count, cfg.count, source);
    }
    return { manifest: writer.current(), complete: true };
  } finally {
    writer.close();
    canonical?.close();
  }
}
