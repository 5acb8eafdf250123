// Diagnostic: how much of the lane state (offset, heading error, curvature) a VAE's latent mean
// holds: linear least squares from [latent, 1] on frames of a noisy lane keeper (train roads),
// R^2 on held-out frames. Usage: tsx bench/drive/probe-latent.ts <vae model dir> [frames]
import { LaneEnvConfig } from '../../src-shared/config/envs/lane.js';
import { loadConvVae, readVaeModel } from '../../src-main/rl/encoder/vae-model.js';
import { ConvEncoder, encoderSpecOf, encoderWeightsOfVae } from '../../src-main/ml/conv-encoder.js';
import { Rng } from '../../src-main/core/rng.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { laneKeeperPolicy } from '../../src-main/sim/lane/evaluate.js';
import { LaneEnv } from '../../src-main/sim/lane/lane-env.js';

await selectBackend('wasm');
const model = readVaeModel(process.argv[2]!);
const n = Number(process.argv[3] ?? 1200);
const spec = encoderSpecOf(model.spec);
const enc = new ConvEncoder(spec, new Rng(0), 'probe', false);
enc.setWeights(encoderWeightsOfVae(spec, model.weights));
void loadConvVae;
const patch = JSON.parse(process.argv[4] ?? '{}');
const cfg = LaneEnvConfig.parse({ ...patch, id: 'lane', obs: 'state', camera: { ...(patch.camera ?? {}), width: spec.width, height: spec.height } });
const env = new LaneEnv(cfg);
const keeper = laneKeeperPolicy(cfg);
const rng = new Rng(7);
const L = spec.latentDim;
const X: number[][] = [];
const Y: number[][] = [];
const fb = spec.width * spec.height * 3;
const img = new Float32Array(fb);
let obs = env.reset(rng.nextU32()).obs;
let noise = 0;
const a = new Float32Array(1);
while (X.length < n) {
  noise = 0.9 * noise + 0.44 * 0.4 * rng.normal();
  a[0] = Math.max(-1, Math.min(1, keeper(obs)[0]! + noise));
  const r = env.step(a);
  obs = r.obs;
  if (r.terminated || r.truncated) {
    obs = env.reset(rng.nextU32()).obs;
    continue;
  }
  if (rng.next() < 0.3) {
    const f = env.frame();
    for (let i = 0; i < fb; i++) img[i] = f[i]! / 255;
    X.push([...enc.encode(img, 1, 0), 1]);
    Y.push([obs[0]!, obs[1]!, obs[3]!, obs[4]!]);
  }
}
const nt = Math.floor(n * 0.8);
const d = L + 1;
// Ridge normal equations.
function solve(col: number): number[] {
  const A = Array.from({ length: d }, () => new Float64Array(d));
  const b = new Float64Array(d);
  for (let k = 0; k < nt; k++)
    for (let i = 0; i < d; i++) {
      b[i]! += X[k]![i]! * Y[k]![col]!;
      for (let j = 0; j < d; j++) A[i]![j]! += X[k]![i]! * X[k]![j]!;
    }
  for (let i = 0; i < d; i++) A[i]![i]! += 1e-3;
  // Gaussian elimination.
  for (let i = 0; i < d; i++) {
    let p = i;
    for (let r = i + 1; r < d; r++) if (Math.abs(A[r]![i]!) > Math.abs(A[p]![i]!)) p = r;
    [A[i], A[p]] = [A[p]!, A[i]!];
    [b[i], b[p]] = [b[p]!, b[i]!];
    for (let r = i + 1; r < d; r++) {
      const f = A[r]![i]! / A[i]![i]!;
      for (let c = i; c < d; c++) A[r]![c]! -= f * A[i]![c]!;
      b[r]! -= f * b[i]!;
    }
  }
  const w = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let c = i + 1; c < d; c++) s -= A[i]![c]! * w[c]!;
    w[i] = s / A[i]![i]!;
  }
  return w;
}
const names = ['offset', 'heading', 'curv5', 'curv10'];
const std = new Array(L).fill(0);
for (let i = 0; i < L; i++) {
  let m = 0;
  for (const x of X) m += x[i]!;
  m /= X.length;
  let v = 0;
  for (const x of X) v += (x[i]! - m) ** 2;
  std[i] = Math.sqrt(v / X.length);
}
console.log('latent std per dim:', std.map((s) => s.toFixed(2)).join(' '));
for (let c = 0; c < names.length; c++) {
  const w = solve(c);
  let ss = 0,
    st = 0,
    mean = 0;
  for (let k = nt; k < n; k++) mean += Y[k]![c]!;
  mean /= n - nt;
  for (let k = nt; k < n; k++) {
    const p = X[k]!.reduce((a2, x, i) => a2 + x * w[i]!, 0);
    ss += (p - Y[k]![c]!) ** 2;
    st += (Y[k]![c]! - mean) ** 2;
  }
  let ss2 = 0,
    st2 = 0,
    mean2 = 0;
  for (let k = 0; k < nt; k++) mean2 += Y[k]![c]!;
  mean2 /= nt;
  for (let k = 0; k < nt; k++) {
    const p = X[k]!.reduce((a2, x, i) => a2 + x * w[i]!, 0);
    ss2 += (p - Y[k]![c]!) ** 2;
    st2 += (Y[k]![c]! - mean2) ** 2;
  }
  console.log(`${names[c]}: held-out R^2 ${(1 - ss / st).toFixed(3)}, train R^2 ${(1 - ss2 / st2).toFixed(3)}`);
}
