/**
 * Frame collection for the arm's VAE: table-camera frames of arm-reach or arm-push under two
 * policies, written to a frame set (the drive pipeline's format, sim/lane/frames-file.ts), so the
 * drive pipeline's VAE stage (pipelines/drive/vae-train.ts) trains on them unchanged:
 *
 *   random    uniformly random joint commands, each held for 1-8 steps (held commands carry
 *             the arm further than fresh ones every step): the arm all over the workspace;
 *   scripted  the env's scripted controller on the state with Gaussian action noise (its std
 *             drawn per episode in [0, scriptedNoise]): the task's own views (the paddle at
 *             the targets, behind and pushing the cube).
 *
 * One episode = one segment of the set: a frame every `every` steps (from the reset frame on).
 * Which policy drives the next episode is the one furthest below its share. Everything is seeded
 * from (seed, segment index), so an interrupted collection resumes at its last committed segment
 * and gives the same frames.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ARM_CAMERA_SIZE, type ArmEnvConfig } from '../../../src-shared/config/envs/arm.js';
import { Rng } from '../../core/rng.js';
import { furthestBelowShare, segmentSeed } from '../collect-shares.js';
import { ArmCameraEnv } from '../../sim/arm/camera-env.js';
import { scriptedPolicy } from '../../sim/arm/scripted.js';
import { FramesWriter, type FramesManifest } from '../../sim/lane/frames-file.js';

export const ARM_COLLECT_SOURCES = ['random', 'scripted'] as const;
export type ArmCollectSource = (typeof ARM_COLLECT_SOURCES)[number];

export interface ArmFramesOptions {
  /** Frames to collect in all. */
  count: number;
  /** Shares of the policies (any positive scale). */
  random: number;
  scripted: number;
  /** Keep one frame every this many env steps. */
  every: number;
  /** Largest std of the scripted controller's action noise (action units). */
  scriptedNoise: number;
}

export const DEFAULT_ARM_FRAMES: ArmFramesOptions = { count: 20_000, random: 0.5, scripted: 0.5, every: 2, scriptedNoise: 0.5 };

export interface ArmCollectOptions {
  /** The env (task, control, camera size); its observation kind does not matter. */
  env: ArmEnvConfig;
  frames: ArmFramesOptions;
  seed: number;
  /** Frame set path (see framesPaths). */
  path: string;
  onProgress?(count: number, target: number, source: ArmCollectSource): void;
}

/** The policy furthest below its share of the target (ties: the order of ARM_COLLECT_SOURCES). */
export function nextArmSource(frames: ArmFramesOptions, have: Record<string, number>): ArmCollectSource {
  const next = furthestBelowShare(ARM_COLLECT_SOURCES, frames, frames.count, have);
  if (next === undefined) throw new Error('frames: random and scripted shares are both 0');
  return next;
}

/** Collects (or finishes collecting) the frame set; returns its manifest. */
export function collectArmFrames(o: ArmCollectOptions): FramesManifest {
  const size = o.env.cameraSize ?? ARM_CAMERA_SIZE;
  const cfg = o.frames;
  mkdirSync(dirname(o.path), { recursive: true });
  const writer = FramesWriter.open(o.path, { width: size, height: size }, { camera: 'arm table', env: o.env.id, writer: 'arm collect', seed: o.seed });
  try {
    const env = new ArmCameraEnv({ ...o.env, obs: 'pixels' });
    const scripted = scriptedPolicy(o.env.id, o.env.control);
    const fb = size * size * 3;
    const maxSteps = o.env.maxEpisodeSteps;
    const buf = new Uint8Array((Math.floor(maxSteps / cfg.every) + 1) * fb);
    const action = new Float32Array(env.actionSpace.shape[0]!);
    while (writer.count < cfg.count) {
      const m = writer.current();
      const k = m.segments.length;
      const source = nextArmSource(cfg, m.sources);
      const rng = new Rng(segmentSeed(o.seed, k));
      const episodeSeed = rng.nextU32();
      env.reset(episodeSeed);
      const noiseStd = source === 'scripted' ? rng.uniform(0, cfg.scriptedNoise) : 0;
      const want = Math.min(buf.length / fb, cfg.count - writer.count);
      let kept = 0;
      let hold = 0;
      for (let t = 0; kept < want; t++) {
        if (t % cfg.every === 0) buf.set(env.frame(), kept++ * fb);
        if (kept >= want || t >= maxSteps) break;
        if (source === 'random') {
          if (hold-- <= 0) {
            for (let i = 0; i < action.length; i++) action[i] = rng.uniform(-1, 1);
            hold = Math.floor(rng.uniform(0, 8));
          }
        } else {
          // The scripted controller reads the state observation of the same simulator.
          scripted.act(env.stateObservation(), action);
          for (let i = 0; i < action.length; i++) action[i] = Math.max(-1, Math.min(1, action[i]! + noiseStd * rng.normal()));
        }
        const r = env.step(action);
        if (r.terminated) {
          if (kept < want) buf.set(env.frame(), kept++ * fb);
          break;
        }
      }
      writer.append(buf.subarray(0, kept * fb), source, { segment: k, episodeSeed, ...(source === 'scripted' ? { noiseStd } : {}) });
      o.onProgress?.(writer.count, cfg.count, source);
    }
    return writer.current();
  } finally {
    writer.close();
  }
}
