/**
 * The drive pipeline's stages on tiny inputs: frame collection (shares, resume, determinism),
 * VAE training (loss goes down, held-out loss, PNG grid, model folder), and the "vae"
 * observation through a frozen encoder (LatentObsEnv).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { DriveFramesConfig, DriveVaeConfig } from '../../../../src-shared/config/drive.js';
import { LaneEnvConfig } from '../../../../src-shared/config/envs/lane.js';
import { canonicalLaneConfig, collectFrames, nextSource } from '../../../../src-main/pipelines/drive/collect.js';
import { trainVae, VAE_FILES } from '../../../../src-main/pipelines/drive/vae-train.js';
import { LatentObsEnv } from '../../../../src-main/rl/encoder/latent-env.js';
import { obsEncoderSetup, standardizedHead } from '../../../../src-main/rl/encoder/setup.js';
import { latentStatsOf, readVaeModel } from '../../../../src-main/rl/encoder/vae-model.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { ConvEncoder, encoderSpecOf, encoderWeightsOfVae } from '../../../../src-main/ml/conv-encoder.js';
import { FramesReader } from '../../../../src-main/sim/lane/frames-file.js';
import { LaneEnv } from '../../../../src-main/sim/lane/lane-env.js';
import type { MetricLine } from '../../../../src-shared/types.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

const env = LaneEnvConfig.parse({ id: 'lane', obs: 'vae', camera: { width: 16, height: 16 } });
const frames = DriveFramesConfig.parse({ count: 60, maxPerEpisode: 12, every: 2 });

describe('collect stage', () => {
  it('collects the target count with each policy near its share, and resumes to the same frames', async () => {
    const path = join(tmp.dir, 'a', 'collected');
    const seen: number[] = [];
    const r = await collectFrames({ env, frames, seed: 5, path, onProgress: (n) => seen.push(n) });
    expect(r.complete).toBe(true);
    expect(r.manifest.count).toBe(60);
    expect(r.manifest.width).toBe(16);
    const s = r.manifest.sources;
    expect((s.random ?? 0) + (s.zero ?? 0) + (s.keeper ?? 0)).toBe(60);
    expect(s.keeper).toBeGreaterThanOrEqual(30);
    expect(s.random).toBeGreaterThan(0);
    expect(s.zero).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(60);
    // Stopped after 2 segments, then resumed: the same bytes as the uninterrupted collection.
    const pathB = join(tmp.dir, 'b', 'collected');
    let segments = 0;
    const stopped = await collectFrames({ env, frames, seed: 5, path: pathB, onProgress: () => segments++, shouldStop: () => segments >= 2 });
    expect(stopped.complete).toBe(false);
    expect(stopped.manifest.count).toBeLessThan(60);
    const resumed = await collectFrames({ env, frames, seed: 5, path: pathB });
    expect(resumed.complete).toBe(true);
    const ra = new FramesReader(path);
    const rb = new FramesReader(pathB);
    expect(Buffer.from(rb.read(0, 60)).equals(Buffer.from(ra.read(0, 60)))).toBe(true);
    ra.close();
    rb.close();
  });

  it('renders every frame of the randomized world again in the plain world (canonical target), frame for frame, through a stop', async () => {
    const world = LaneEnvConfig.parse({ id: 'lane', obs: 'vae', camera: { width: 16, height: 16 } }); // randomized: the env's defaults
    const small = DriveFramesConfig.parse({ count: 24, maxPerEpisode: 8, every: 2 });
    const path = join(tmp.dir, 'canon', 'frames', 'collected');
    const canonicalPath = join(tmp.dir, 'canon', 'frames-canonical', 'collected');
    let segments = 0;
    const stopped = await collectFrames({
      env: world,
      frames: small,
      seed: 9,
      path,
      canonicalPath,
      onProgress: () => segments++,
      shouldStop: () => segments >= 1,
    });
    expect(stopped.complete).toBe(false);
    const r = await collectFrames({ env: world, frames: small, seed: 9, path, canonicalPath });
    expect(r.complete).toBe(true);
    const input = new FramesReader(path);
    const target = new FramesReader(canonicalPath);
    expect(target.count).toBe(input.count);
    // The same frames as a collection without the canonical set; each target is the plain world's view of that state.
    const alone = await collectFrames({ env: world, frames: small, seed: 9, path: join(tmp.dir, 'canon-alone', 'collected') });
    const aloneReader = new FramesReader(join(tmp.dir, 'canon-alone', 'collected'));
    expect(Buffer.from(aloneReader.read(0, 24)).equals(Buffer.from(input.read(0, 24)))).toBe(true);
    expect(alone.manifest.count).toBe(24);
    const randomized = new LaneEnv(LaneEnvConfig.parse({ ...world, obs: 'state' }));
    const plain = new LaneEnv(canonicalLaneConfig(world));
    expect(plain.config.randomize).toEqual({ style: false, lighting: false, props: false });
    expect(plain.config.camera.hood).toBe(false);
    const seg = input.manifest.segments[0]!;
    randomized.reset(seg.info!.episodeSeed as number);
    plain.setState(randomized.getState());
    expect(Buffer.from(target.frame(0)).equals(Buffer.from(plain.frame()))).toBe(true);
    expect(Buffer.from(input.frame(0)).equals(Buffer.from(randomized.frame()))).toBe(true);
    expect(Buffer.from(target.frame(0)).equals(Buffer.from(input.frame(0)))).toBe(false);
    for (const x of [input, target, aloneReader]) x.close();
  });

  it('picks the policy furthest below its share', () => {
    const f = DriveFramesConfig.parse({ count: 100, random: 0.2, zero: 0.1, keeper: 0.7 });
    expect(nextSource(f, {})).toBe('keeper');
    expect(nextSource(f, { keeper: 70 })).toBe('random');
    expect(nextSource(f, { keeper: 70, random: 20 })).toBe('zero');
  });
});

describe('vae stage', () => {
  it('trains a tiny VAE: the loss goes down, held-out losses are logged, the PNG grid and the model are written', async () => {
    const path = join(tmp.dir, 'a', 'collected');
    const dir = join(tmp.dir, 'vae');
    const lines: MetricLine[] = [];
    const images: number[] = [];
    const config = DriveVaeConfig.parse({ filters: [4, 8], latentDim: 4, epochs: 12, batchSize: 8, learningRate: 3e-3, valFraction: 0.2 });
    const r = await trainVae({
      framesPaths: [path],
      dir,
      config,
      height: 16,
      width: 16,
      seed: 1,
      metric: (l) => lines.push(l),
      onImage: (_p, e) => images.push(e),
    });
    expect(r.complete).toBe(true);
    expect(r.frames).toEqual({ train: 48, val: 12 });
    const val = lines.filter((l) => typeof l.val_loss === 'number');
    expect(val).toHaveLength(12);
    const train = lines.filter((l) => typeof l.loss === 'number');
    expect(train.at(-1)!.loss as number).toBeLessThan(0.8 * (train[0]!.loss as number));
    expect(val.at(-1)!.val_loss as number).toBeLessThan(val[0]!.val_loss as number);
    expect(images).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const png = readFileSync(join(dir, VAE_FILES.reconstructions));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // 8 held-out frames over their reconstructions, 16x16 each scaled x2: 256 x 64 pixels.
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(256);
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(64);
    const model = readVaeModel(join(dir, VAE_FILES.model));
    expect(model.spec).toMatchObject({ height: 16, width: 16, filters: [4, 8], latentDim: 4 });
  });
});

describe('vae stage with a canonical target', () => {
  it('trains the decoder towards the target frames, not the input frames', async () => {
    const input = join(tmp.dir, 'canon', 'frames', 'collected');
    const target = join(tmp.dir, 'canon', 'frames-canonical', 'collected');
    const config = DriveVaeConfig.parse({ filters: [4, 8], latentDim: 4, epochs: 8, batchSize: 8, learningRate: 3e-3, valFraction: 0.25, target: 'canonical' });
    const common = { config, height: 16, width: 16, seed: 2, metric: () => {} };
    const toTarget = await trainVae({ ...common, framesPaths: [input], targetPaths: [target], dir: join(tmp.dir, 'vae-canon') });
    const toInput = await trainVae({ ...common, framesPaths: [input], dir: join(tmp.dir, 'vae-input') });
    expect(toTarget.complete && toInput.complete).toBe(true);
    // Each held-out loss is measured against what that VAE reconstructs; scoring each model on the other's target shows which it learned.
    const { ConvVae } = await import('../../../../src-main/ml/vae.js');
    const tf = await import('@tensorflow/tfjs');
    const score = (dir: string, against: string) => {
      const m = readVaeModel(join(dir, VAE_FILES.model));
      const vae = new ConvVae(m.spec, new Rng(0), `score-${dir.length}-${against.length}`);
      vae.setWeights(m.weights);
      const a = new FramesReader(input);
      const b = new FramesReader(against);
      const x = tf.tensor4d(
        Float32Array.from(a.read(0, 24), (v) => v / 255),
        [24, 16, 16, 3],
      );
      const y = tf.tensor4d(
        Float32Array.from(b.read(0, 24), (v) => v / 255),
        [24, 16, 16, 3],
      );
      const l = vae.evaluate(x, 1, y).reconstruction;
      tf.dispose([x, y]);
      vae.dispose();
      a.close();
      b.close();
      return l;
    };
    expect(score(join(tmp.dir, 'vae-canon'), target)).toBeLessThan(score(join(tmp.dir, 'vae-input'), target));
    expect(score(join(tmp.dir, 'vae-input'), input)).toBeLessThan(score(join(tmp.dir, 'vae-canon'), input));
    expect(readVaeModel(join(tmp.dir, 'vae-canon', VAE_FILES.model)).meta).toMatchObject({ target: 'canonical' });
    await expect(trainVae({ ...common, framesPaths: [input], targetPaths: [join(tmp.dir, 'a', 'collected')], dir: join(tmp.dir, 'vae-bad') })).rejects.toThrow(
      /the target frame sets hold 60 frames, the frame sets 24/,
    );
  });
});

describe('vae stage resume', () => {
  it('resumes after a stop at its last finished epoch (new process-unique variable names) and ends near an uninterrupted run', async () => {
    const path = join(tmp.dir, 'a', 'collected');
    const config = DriveVaeConfig.parse({ filters: [4, 8], latentDim: 4, epochs: 3, batchSize: 8, learningRate: 3e-3, valFraction: 0.2 });
    const whole: MetricLine[] = [];
    const a = await trainVae({ framesPaths: [path], dir: join(tmp.dir, 'vae-whole'), config, height: 16, width: 16, seed: 4, metric: (l) => whole.push(l) });
    const parts: MetricLine[] = [];
    let steps = 0;
    const dir = join(tmp.dir, 'vae-parts');
    // 6 steps per epoch: stop in the middle of the second epoch.
    const stopped = await trainVae({
      framesPaths: [path],
      dir,
      config,
      height: 16,
      width: 16,
      seed: 4,
      metric: (l) => parts.push(l),
      onProgress: () => steps++,
      shouldStop: () => steps >= 9,
    });
    expect(stopped.complete).toBe(false);
    const b = await trainVae({ framesPaths: [path], dir, config, height: 16, width: 16, seed: 4, metric: (l) => parts.push(l) });
    expect(b.complete).toBe(true);
    expect(b.epochs).toBe(3);
    // Two uninterrupted runs with one seed already differ by ~0.2% here (the backend's float
    // reductions are not bit-reproducible), so the resumed run must land within 2% of it.
    expect(Math.abs(b.valLoss!.loss - a.valLoss!.loss) / a.valLoss!.loss).toBeLessThan(0.02);
    // It continued from the checkpoint (1 finished epoch), not from scratch: 2 more held-out lines.
    expect(parts.filter((l) => typeof l.val_loss === 'number').map((l) => l.epoch)).toEqual([1, 2, 3]);
    expect(whole.filter((l) => typeof l.val_loss === 'number')).toHaveLength(3);
  });
});

describe('vae observation', () => {
  it('gives [latent mean, speed, steering] from the frozen VAE encoder, deterministically', () => {
    const runDir = join(tmp.dir, 'run');
    const model = join(tmp.dir, 'vae', VAE_FILES.model);
    const cfg = LaneEnvConfig.parse({ ...env, vae: { model, mode: 'frozen' } });
    const setup = obsEncoderSetup(cfg, runDir)!;
    expect(setup).toMatchObject({ mode: 'frozen', extraDim: 2, spec: { latentDim: 4 }, normalized: true });
    const encoder = new ConvEncoder(setup.spec, new Rng(0), 'test-frozen', false);
    encoder.setWeights(setup.weights!);
    const inner = new LaneEnv(cfg);
    expect(inner.observationSpace.shape[0]).toBe(16 * 16 * 3 + 2);
    const wrapped = new LatentObsEnv(inner, encoder);
    expect(wrapped.observationSpace.shape[0]).toBe(6);
    const { obs } = wrapped.reset(1_000_001);
    const latent = Float32Array.from(obs);
    // The same as encoding the raw observation of an identical env.
    const raw = new LaneEnv(cfg).reset(1_000_001).obs;
    const direct = encoder.encode(raw, 1, 2);
    for (let i = 0; i < 6; i++) expect(latent[i]).toBeCloseTo(direct[i]!, 5);
    expect(latent[4]).toBeCloseTo(raw[raw.length - 2]!, 6);
    expect(latent[5]).toBeCloseTo(raw[raw.length - 1]!, 6);
    const s = wrapped.step(Float32Array.of(0.5));
    expect(s.obs).toHaveLength(6);
    expect(Array.from(s.obs.subarray(0, 4))).not.toEqual(Array.from(latent.subarray(0, 4)));
    encoder.dispose();
  });

  it("standardizes the latent with the VAE's statistics, folded exactly into the encoder's last layer", () => {
    const model = readVaeModel(join(tmp.dir, 'vae', VAE_FILES.model));
    const stats = latentStatsOf(model)!;
    expect(stats.mean).toHaveLength(4);
    expect(stats.frames).toBe(48);
    const spec = encoderSpecOf(model.spec);
    const raw = new ConvEncoder(spec, new Rng(0), 'test-raw', false);
    raw.setWeights(encoderWeightsOfVae(spec, model.weights));
    const std = new ConvEncoder(spec, new Rng(0), 'test-std', false);
    std.setWeights(standardizedHead(encoderWeightsOfVae(spec, model.weights), stats));
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 2 * (16 * 16 * 3 + 2) }, () => rng.next());
    const a = raw.encode(x, 2, 2);
    const b = std.encode(x, 2, 2);
    for (let k = 0; k < 2; k++) {
      for (let j = 0; j < 4; j++) expect(b[k * 6 + j]).toBeCloseTo((a[k * 6 + j]! - stats.mean[j]!) / Math.max(1e-3, stats.std[j]!), 3);
      expect(b[k * 6 + 4]).toBe(a[k * 6 + 4]);
    }
    raw.dispose();
    std.dispose();
  });
});
