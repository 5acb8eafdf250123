/**
 * One backend's timings for `bench ml`, in a process of its own (so kernel registration, the
 * native addon and memory are fresh for each backend). Prints one JSON object on stdout;
 * progress goes to stderr. Run by run-ml-bench.ts:
 *   node --import tsx bench/ml/ml-bench-child.ts <backend> <td3Repeats> <vaeRepeats> <inferRepeats>
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src-main/core/rng.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { ConvVae } from '../../src-main/ml/vae.js';
import { BackendName } from '../../src-shared/types.js';
import { disposeTd3Batch, disposeTd3Nets, makeTd3Nets, randomTd3Batch, td3Update, TD3_BENCH_HYPER } from './td3-update.js';

export const TD3_BENCH_SIZES = { obsDim: 32, actDim: 2, hidden: [256, 256], nCritics: 2 } as const;
export const TD3_BENCH_BATCH = 256;
export const VAE_BENCH_BATCH = 64;

export interface ChildResult {
  backend: string;
  detail: string;
  td3_update_ms: number | null;
  vae_step_ms: number | null;
  actor_infer_ms: number | null;
  td3_update_min_ms: number | null;
  /** The same update with tf.train.adam instead of the project's Adam (for learners choosing). */
  td3_update_tfjs_adam_ms: number | null;
  vae_step_min_ms: number | null;
  td3_samples: number;
  vae_samples: number;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times n calls of f. Progress goes to stderr at most every 2 s: each line wakes the parent
 * process (which forwards it), and on a 2-core machine that would slow the next calls.
 */
function timeEach(n: number, label: string, f: (i: number) => void): number[] {
  const out: number[] = [];
  let lastReport = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f(i);
    const t1 = performance.now();
    out.push(t1 - t0);
    if (t1 - lastReport > 2000 && i + 1 < n) {
      process.stderr.write(`  ${label} ${i + 1}/${n}\n`);
      lastReport = t1;
    }
  }
  if (n) process.stderr.write(`  ${label}: ${n} timed, median ${median(out)!.toFixed(1)} ms\n`);
  return out;
}

async function main(): Promise<void> {
  const [backendArg, td3Arg, vaeArg, inferArg] = process.argv.slice(2);
  const backend = BackendName.parse(backendArg);
  const [td3Repeats, vaeRepeats, inferRepeats] = [td3Arg, vaeArg, inferArg].map((a) => Math.max(0, Number(a) || 0)) as [number, number, number];
  const info = await selectBackend(backend);
  const rng = new Rng(1);

  // TD3 update: twin critics + actor (every step) + Polyak, batch 256, 256-256 MLPs, obs 32, action 2.
  const nets = makeTd3Nets({ ...TD3_BENCH_SIZES, hidden: [...TD3_BENCH_SIZES.hidden] }, TD3_BENCH_HYPER, rng);
  const batch = randomTd3Batch({ ...TD3_BENCH_SIZES, hidden: [...TD3_BENCH_SIZES.hidden] }, TD3_BENCH_BATCH, rng);
  const update = (i: number) => {
    const l = td3Update(nets, batch, TD3_BENCH_HYPER, true, i);
    l.criticLoss.dataSync(); // waits for the update to finish on asynchronous backends
    tf.dispose([l.criticLoss, l.actorLoss!]);
  };
  let td3: number[] = [];
  if (td3Repeats > 0) {
    for (let i = 0; i < Math.min(3, td3Repeats); i++) update(i);
    td3 = timeEach(td3Repeats, `${backend} TD3 update`, update);
  }

  // The same update with tf.train.adam (what a learner gets without the project's Adam).
  let td3Tfjs: number[] = [];
  if (td3Repeats > 0) {
    const tfjsNets = makeTd3Nets({ ...TD3_BENCH_SIZES, hidden: [...TD3_BENCH_SIZES.hidden] }, TD3_BENCH_HYPER, new Rng(2), 'tfjs', 'tfjs_adam_');
    const upd = (i: number) => {
      const l = td3Update(tfjsNets, batch, TD3_BENCH_HYPER, true, i);
      l.criticLoss.dataSync();
      tf.dispose([l.criticLoss, l.actorLoss!]);
    };
    for (let i = 0; i < Math.min(3, td3Repeats); i++) upd(i);
    td3Tfjs = timeEach(Math.max(1, Math.ceil(td3Repeats / 2)), `${backend} TD3 update (tf.train.adam)`, upd);
    disposeTd3Nets(tfjsNets);
  }

  // Batch-1 actor inference, as when acting in the env.
  const obs = tf.tensor2d(new Float32Array(TD3_BENCH_SIZES.obsDim).fill(0.1), [1, TD3_BENCH_SIZES.obsDim]);
  const act = () => tf.tidy(() => nets.actor.apply(obs).dataSync());
  let infer: number[] = [];
  if (inferRepeats > 0) {
    for (let i = 0; i < 20; i++) act();
    infer = timeEach(inferRepeats, `${backend} actor inference`, act);
  }
  obs.dispose();
  disposeTd3Batch(batch);
  disposeTd3Nets(nets);

  // VAE step: batch 64 of 64x64x3, the default ConvVae, Adam.
  let vae: number[] = [];
  if (vaeRepeats > 0) {
    const model = new ConvVae({}, rng);
    const x = tf.randomUniform([VAE_BENCH_BATCH, 64, 64, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    model.trainStep(x);
    vae = timeEach(vaeRepeats, `${backend} VAE step`, () => model.trainStep(x));
    x.dispose();
    model.dispose();
  }

  const result: ChildResult = {
    backend: info.name,
    detail: info.reason,
    td3_update_ms: median(td3),
    vae_step_ms: median(vae),
    actor_infer_ms: median(infer),
    td3_update_min_ms: td3.length ? Math.min(...td3) : null,
    td3_update_tfjs_adam_ms: median(td3Tfjs),
    vae_step_min_ms: vae.length ? Math.min(...vae) : null,
    td3_samples: td3.length,
    vae_samples: vae.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
