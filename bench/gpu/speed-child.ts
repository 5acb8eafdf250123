/**
 * One backend's timings for `bench gpu`, in a process of its own. Writes JSON to a file:
 *   node --import tsx bench/gpu/speed-child.ts <backend> <out.json> <repeats> [quick]
 *
 * - TD3 update: the real Td3.train (obs 32, act 2, hidden [256, 256], 2 critics, batch 256, as
 *   `bench ml`). `td3_update_ms`: updates queued back to back, one read at the end, per update
 *   (what training costs when nothing is read between updates); `td3_update_synced_ms`: each
 *   update followed by a read of a weight (its latency).
 * - VAE step: ConvVae (the default 64x64x3, filters 32-64-128-256, latent 32) with its Adam,
 *   batch 64, each step followed by a read of the loss.
 * - Actor inference at batch 1 and 256: apply + read.
 * `quick` shrinks every size (for software drivers; say so beside any figure).
 * Every read is `await data()`: WebGPU in Node has no synchronous read.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src-main/core/rng.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { ConvVae } from '../../src-main/ml/vae.js';
import { Td3 } from '../../src-main/rl/algorithms/td3/td3.js';
import type { ReplayBatch } from '../../src-main/rl/replay/replay-buffer.js';
import { Td3Config } from '../../src-shared/config/algo.js';
import { BackendName } from '../../src-shared/types.js';

export interface SpeedResult {
  backend: string;
  detail: string;
  sizes: { td3: string; vae: string };
  td3_update_ms: number;
  td3_update_synced_ms: number;
  vae_step_ms: number;
  actor_infer_b1_ms: number;
  actor_infer_b256_ms: number;
}

const [backendArg, out, repeatsArg, quickArg] = process.argv.slice(2);
const backend = BackendName.parse(backendArg);
const repeats = Math.max(2, Number(repeatsArg ?? 20));
const quick = quickArg === 'quick';
if (!out) throw new Error('usage: speed-child.ts <backend> <out.json> <repeats> [quick]');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function batchOf(n: number, obsDim: number, actDim: number, r: Rng): ReplayBatch {
  const f = (len: number, g: () => number) => Float32Array.from({ length: len }, g);
  return {
    size: n,
    obsDim,
    actDim,
    obs: f(n * obsDim, () => r.uniform(-1, 1)),
    actions: f(n * actDim, () => r.uniform(-1, 1)),
    rewards: f(n, () => r.normal()),
    nextObs: f(n * obsDim, () => r.uniform(-1, 1)),
    terminated: f(n, () => (r.next() < 0.1 ? 1 : 0)),
    truncated: new Float32Array(n),
  };
}

async function timeAsync(n: number, f: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const info = await selectBackend(backend);
const hidden = quick ? [64, 64] : [256, 256];
const B = quick ? 64 : 256;
const td3 = new Td3(
  { obsDim: 32, actDim: 2 },
  Td3Config.parse({ actorHidden: hidden, criticHidden: hidden, batchSize: B }),
  { networks: 1, targetNoise: 2 },
  'speed',
);
const r = new Rng(3);
const batches = Array.from({ length: 4 }, () => batchOf(B, 32, 2, r));
const sync = async () => void (await td3.actor.variables[0]!.data());
// Warm-up: shader compiles and buffer pools (both the critic-only and the actor update).
for (let i = 0; i < 4; i++) td3.train(batches[i]!);
await sync();
process.stderr.write(`${backend}: warmed up\n`);
const t0 = performance.now();
for (let i = 0; i < repeats; i++) td3.train(batches[i % 4]!);
await sync();
const td3Queued = (performance.now() - t0) / repeats;
const td3Synced = await timeAsync(repeats, async () => {
  td3.train(batches[0]!);
  await sync();
});
const inferObs = Float32Array.from({ length: 256 * 32 }, () => r.uniform(-1, 1));
const infer = async (n: number) => {
  const x = tf.tensor2d(inferObs.subarray(0, n * 32), [n, 32]);
  const y = tf.tidy(() => td3.actor.apply(x));
  await y.data();
  tf.dispose([x, y]);
};
await infer(1);
await infer(256);
const b1 = await timeAsync(repeats * 5, () => infer(1));
const b256 = await timeAsync(repeats * 2, () => infer(256));
td3.dispose();
process.stderr.write(`${backend}: TD3 ${td3Queued.toFixed(1)} ms\n`);

const vaeSpec = quick ? { height: 32, width: 32, latentDim: 8, filters: [8, 16, 32, 64] } : {};
const vaeBatch = quick ? 8 : 64;
const vae = new ConvVae(vaeSpec, new Rng(5), 'speed-vae');
const x = tf.tidy(() => tf.randomUniform([vaeBatch, vae.spec.height, vae.spec.width, 3], 0, 1, 'float32', 1)) as tf.Tensor4D;
const step = async () => {
  const loss = vae.optimizer.minimize(() => vae.lossTensors(x, 7).loss, true, vae.variables)!;
  await loss.data();
  loss.dispose();
};
await step();
const vaeMs = await timeAsync(Math.max(2, Math.ceil(repeats / 4)), step);
vae.dispose();
x.dispose();

const result: SpeedResult = {
  backend,
  detail: info.reason,
  sizes: {
    td3: `obs 32, act 2, hidden [${hidden.join(', ')}], 2 critics, batch ${B}`,
    vae: `${vae.spec.height}x${vae.spec.width}x3, filters [${vae.spec.filters.join(', ')}], latent ${vae.spec.latentDim}, batch ${vaeBatch}`,
  },
  td3_update_ms: td3Queued,
  td3_update_synced_ms: td3Synced,
  vae_step_ms: vaeMs,
  actor_infer_b1_ms: b1,
  actor_infer_b256_ms: b256,
};
writeFileSync(out, JSON.stringify(result));
// Dawn keeps the event loop alive while its device lives.
process.exit(0);
