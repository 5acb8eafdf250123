/**
 * How much of the achieved goal (arm-reach: the paddle tip; arm-push: the cube) a pretrained
 * arm VAE's latent holds: table-camera frames along random and noisy scripted episodes (as the
 * frame collection draws them, src-main/pipelines/arm/collect.ts, on other seeds), each with the
 * simulator's achieved goal; the encoder's latent means; then two probes fitted on the first
 * 80% of the episodes and scored on the rest: ridge regression latent -> position, and the mean
 * position of the 5 nearest training latents (a nonlinear probe, as an MLP policy may read more
 * than a linear map), and a 128-128 ReLU MLP trained by Adam on the standardized latents (closest
 * to what a policy network can read). Errors are Euclidean, in cm; the task's success radius is 5 cm.
 *
 *   npx tsx bench/arm-vae/probe.ts <VAE model folder> [arm-reach|arm-push] [episodes] [seed]
 */
import * as tf from '@tensorflow/tfjs';
import { EnvConfig } from '../../src-shared/config/envs/index.js';
import type { ArmEnvConfig } from '../../src-shared/config/envs/arm.js';
import { Rng } from '../../src-main/core/rng.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { ConvEncoder, encoderSpecOf, encoderWeightsOfVae } from '../../src-main/ml/conv-encoder.js';
import { readVaeModel } from '../../src-main/rl/encoder/vae-model.js';
import { ArmCameraEnv } from '../../src-main/sim/arm/camera-env.js';
import { scriptedPolicy } from '../../src-main/sim/arm/scripted.js';

/** Least squares with a small ridge on [x, 1] -> y (3 outputs), by the normal equations. */
export function fitRidge(x: Float64Array[], y: Float64Array[], lambda = 1e-3): Float64Array[] {
  const d = x[0]!.length + 1;
  const a = Array.from({ length: d }, () => new Float64Array(d));
  const b = Array.from({ length: d }, () => new Float64Array(3));
  for (let n = 0; n < x.length; n++) {
    const row = [...x[n]!, 1];
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) a[i]![j]! += row[i]! * row[j]!;
      for (let k = 0; k < 3; k++) b[i]![k]! += row[i]! * y[n]![k]!;
    }
  }
  for (let i = 0; i < d - 1; i++) a[i]![i]! += lambda * x.length;
  // Gauss-Jordan with partial pivoting on [a | b].
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    const inv = 1 / a[c]![c]!;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r]![c]! * inv;
      if (f === 0) continue;
      for (let j = 0; j < d; j++) a[r]![j]! -= f * a[c]![j]!;
      for (let k = 0; k < 3; k++) b[r]![k]! -= f * b[c]![k]!;
    }
  }
  return b.map((row, i) => row.map((v) => v / a[i]![i]!));
}

/** A 128-128 ReLU MLP from standardized latents to positions (m), fitted by Adam on mean squared error. */
function fitMlp(x: Float64Array[], y: Float64Array[], seed: number): (z: Float64Array) => number[] {
  const d = x[0]!.length;
  const mu = Array.from({ length: d }, (_, j) => x.reduce((a, v) => a + v[j]!, 0) / x.length);
  const sd = mu.map((m, j) => Math.sqrt(x.reduce((a, v) => a + (v[j]! - m) ** 2, 0) / x.length) || 1);
  const norm = (v: Float64Array) => Array.from(v, (a, j) => (a - mu[j]!) / sd[j]!);
  const X = tf.tensor2d(x.map(norm));
  const Y = tf.tensor2d(y.map((v) => Array.from(v)));
  const init = (i: number, o: number, s: number) => tf.variable(tf.randomNormal([i, o], 0, Math.sqrt(2 / i), 'float32', s));
  const w1 = init(d, 128, seed);
  const b1 = tf.variable(tf.zeros([128]));
  const w2 = init(128, 128, seed + 1);
  const b2 = tf.variable(tf.zeros([128]));
  const w3 = init(128, 3, seed + 2);
  const b3 = tf.variable(tf.zeros([3]));
  const net = (inp: tf.Tensor2D) =>
    tf
      .relu(tf.relu(inp.matMul(w1).add(b1)).matMul(w2).add(b2))
      .matMul(w3)
      .add(b3) as tf.Tensor2D;
  const opt = tf.train.adam(1e-3);
  const rng = new Rng(seed);
  const n = x.length;
  for (let step = 0; step < 12_000; step++) {
    const idx = tf.tensor1d(
      Array.from({ length: 256 }, () => rng.nextU32() % n),
      'int32',
    );
    opt.minimize(() => tf.tidy(() => tf.losses.meanSquaredError(tf.gather(Y, idx), net(tf.gather(X, idx)))) as tf.Scalar);
    idx.dispose();
  }
  return (z) => tf.tidy(() => Array.from(net(tf.tensor2d([norm(z)])).dataSync()));
}

const dist = (p: ArrayLike<number>, q: ArrayLike<number>) => Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);

function summary(errors: number[]): string {
  const s = [...errors].sort((a, b) => a - b);
  const mean = s.reduce((a, v) => a + v, 0) / s.length;
  const within = s.filter((e) => e < 0.05).length / s.length;
  return `mean ${(100 * mean).toFixed(1)} cm, median ${(100 * s[s.length >> 1]!).toFixed(1)} cm, 90th pct ${(100 * s[Math.floor(0.9 * s.length)]!).toFixed(1)} cm, within 5 cm ${(100 * within).toFixed(0)}%`;
}

async function main(): Promise<void> {
  const [modelDir, envId = 'arm-reach', episodesArg = '200', seedArg = '777'] = process.argv.slice(2);
  if (!modelDir) throw new Error('usage: probe.ts <VAE model folder> [arm-reach|arm-push] [episodes] [seed]');
  await selectBackend('wasm');
  const model = readVaeModel(modelDir);
  const spec = encoderSpecOf(model.spec);
  const encoder = new ConvEncoder(spec, new Rng(0), 'probe', false);
  encoder.setWeights(encoderWeightsOfVae(spec, model.weights));
  const cfg = EnvConfig.parse({ id: envId, obs: 'pixels' }) as ArmEnvConfig;
  const env = new ArmCameraEnv(cfg);
  const scripted = scriptedPolicy(cfg.id, cfg.control);
  const rng = new Rng(Number(seedArg));
  const episodes = Number(episodesArg);
  const latents: Float64Array[] = [];
  const targets: Float64Array[] = [];
  const episodeOf: number[] = [];
  const action = new Float32Array(env.actionSpace.shape[0]!);
  const extra = 3;
  for (let e = 0; e < episodes; e++) {
    const random = e % 2 === 0;
    let r: { obs: Float32Array; info: Record<string, unknown> } = env.reset(rng.nextU32());
    const noise = random ? 0 : rng.uniform(0, 0.5);
    let hold = 0;
    for (let t = 0; t <= cfg.maxEpisodeSteps; t++) {
      // Every other step, as the frame collection keeps them.
      if (t % 2 === 0) {
        latents.push(Float64Array.from(encoder.encode(r.obs, 1, extra).subarray(0, spec.latentDim)));
        targets.push(Float64Array.from(r.info.achieved_goal as ArrayLike<number>));
        episodeOf.push(e);
      }
      if (random) {
        if (hold-- <= 0) {
          for (let i = 0; i < action.length; i++) action[i] = rng.uniform(-1, 1);
          hold = Math.floor(rng.uniform(0, 8));
        }
      } else {
        scripted.act(env.stateObservation(), action);
        for (let i = 0; i < action.length; i++) action[i] = Math.max(-1, Math.min(1, action[i]! + noise * rng.normal()));
      }
      const s = env.step(action);
      r = s;
      if (s.terminated || s.truncated) break;
    }
  }
  const cut = Math.floor(0.8 * episodes);
  const train = episodeOf.map((e, i) => (e < cut ? i : -1)).filter((i) => i >= 0);
  const test = episodeOf.map((e, i) => (e >= cut ? i : -1)).filter((i) => i >= 0);
  const w = fitRidge(
    train.map((i) => latents[i]!),
    train.map((i) => targets[i]!),
  );
  const predict = (z: Float64Array) => [0, 1, 2].map((k) => z.reduce((a, v, i) => a + v * w[i]![k]!, w[z.length]![k]!));
  const mean = [0, 1, 2].map((k) => train.reduce((a, i) => a + targets[i]![k]!, 0) / train.length);
  const knn = (z: Float64Array) => {
    const best: Array<[number, number]> = [];
    for (const i of train) {
      let d = 0;
      for (let j = 0; j < z.length; j++) d += (z[j]! - latents[i]![j]!) ** 2;
      if (best.length < 5 || d < best[best.length - 1]![0]) {
        best.push([d, i]);
        best.sort((a, b) => a[0] - b[0]);
        if (best.length > 5) best.pop();
      }
    }
    return [0, 1, 2].map((k) => best.reduce((a, [, i]) => a + targets[i]![k]!, 0) / best.length);
  };
  console.log(
    `${modelDir} on ${envId}: ${latents.length} frames from ${episodes} episodes (half random, half noisy scripted), probes fitted on ${train.length}, scored on ${test.length}`,
  );
  console.log(`  predict the mean position: ${summary(test.map((i) => dist(mean, targets[i]!)))}`);
  console.log(`  linear (ridge) on the latent: ${summary(test.map((i) => dist(predict(latents[i]!), targets[i]!)))}`);
  const knnErrors = test.map((i) => dist(knn(latents[i]!), targets[i]!));
  console.log(`  5 nearest latents: ${summary(knnErrors)}`);
  // Random and scripted episodes apart: the scripted ones are where a reaching policy's paddle goes.
  const bySource = (errors: number[]) =>
    [0, 1].map((r) => `${r === 0 ? 'random' : 'scripted'}: ${summary(errors.filter((_, k) => episodeOf[test[k]!]! % 2 === r))}`).join('; ');
  console.log(`    by episode kind: ${bySource(knnErrors)}`);
  const mlp = fitMlp(
    train.map((i) => latents[i]!),
    train.map((i) => targets[i]!),
    Number(seedArg),
  );
  const mlpErrors = test.map((i) => dist(mlp(latents[i]!), targets[i]!));
  console.log(`  MLP 128-128 on the standardized latent: ${summary(mlpErrors)}`);
  console.log(`    by episode kind: ${bySource(mlpErrors)}`);
}

void main();
