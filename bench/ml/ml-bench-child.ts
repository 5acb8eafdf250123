/**
 * One backend's timings for `bench ml`, of the code runs use: the Td3 learner's update, the drive
 * pipeline's VAE step and the actor's batch-1 inference. In a process of its own (so kernel
 * registration, the native addon and memory are fresh for each backend). Prints one JSON object on stdout;
 * progress goes to stderr. Run by run-ml-bench.ts:
 *   node --import tsx bench/ml/ml-bench-child.ts <backend> <td3Repeats> <vaeRepeats> <inferRepeats>
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src-main/core/rng.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { ConvVae } from '../../src-main/ml/vae.js';
import { vaeSpecFor } from '../../src-main/pipelines/drive/vae-train.js';
import { Td3 } from '../../src-main/rl/algorithms/td3/td3.js';
import { ReplayBuffer } from '../../src-main/rl/replay/replay-buffer.js';
import { Td3Config } from '../../src-shared/config/algo.js';
import { DriveVaeConfig } from '../../src-shared/config/drive.js';
import { BackendName } from '../../src-shared/types.js';

/** TD3 as a run gets it by default (twin critics, 256-256 MLPs, actor every 2nd update), obs 32, action 2. */
export const TD3_BENCH_SPACES = { obsDim: 32, actDim: 2 } as const;
export const TD3_BENCH_BATCH = 256;
/** Transitions in the replay buffer the batches are sampled from. */
export const TD3_BENCH_TRANSITIONS = 10_000;
/** The drive pipeline's VAE (its default config) on 64x64 camera frames, batch 64. */
export const VAE_BENCH_SIZE = 64;
export const VAE_BENCH_BATCH = 64;

export interface ChildResult {
  backend: string;
  detail: string;
  /** What the TD3 figure times (the learner class and its settings). */
  td3_learner: string;
  td3_update_ms: number | null;
  vae_step_ms: number | null;
  actor_infer_ms: number | null;
  td3_update_min_ms: number | null;
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

  // TD3: the learner a run trains (Td3.train), on batches sampled from a replay buffer of random
  // transitions (obs and actions in [-1, 1], rewards N(0, 1), 10% terminated).
  const td3 = new Td3(TD3_BENCH_SPACES, Td3Config.parse({}), { networks: 1, targetNoise: 2 }, 'bench-td3');
  const replay = new ReplayBuffer({ capacity: TD3_BENCH_TRANSITIONS, ...TD3_BENCH_SPACES, numEnvs: 1, seed: 3 });
  const obs = new Float32Array(TD3_BENCH_SPACES.obsDim);
  const action = new Float32Array(TD3_BENCH_SPACES.actDim);
  const fill = (a: Float32Array) => a.forEach((_, i) => (a[i] = rng.uniform(-1, 1)));
  fill(obs);
  for (let i = 0; i < TD3_BENCH_TRANSITIONS; i++) {
    const next = new Float32Array(TD3_BENCH_SPACES.obsDim);
    fill(next);
    fill(action);
    const terminated = rng.next() < 0.1;
    replay.add(0, obs, action, rng.normal(), next, terminated, false);
    if (terminated) fill(obs);
    else obs.set(next);
  }
  // One timed sample is `policyDelay` updates (the critics each time, the actor and targets on the
  // last), divided by their number: the mean cost of an update as training runs them.
  const perSample = td3.cfg.policyDelay;
  const update = () => {
    for (let k = 0; k < perSample; k++) td3.train(replay.sample(TD3_BENCH_BATCH));
    td3.takeStats(); // one small read: waits for the updates to finish on asynchronous backends
  };
  let td3Times: number[] = [];
  if (td3Repeats > 0) {
    for (let i = 0; i < Math.min(3, td3Repeats); i++) update();
    td3Times = timeEach(td3Repeats, `${backend} TD3 update (x${perSample})`, update).map((t) => t / perSample);
  }

  // Batch-1 actor inference, as when acting in the env.
  obs.fill(0.1);
  const act = () => td3.act(obs, 1);
  let infer: number[] = [];
  if (inferRepeats > 0) {
    for (let i = 0; i < 20; i++) act();
    infer = timeEach(inferRepeats, `${backend} actor inference`, act);
  }
  td3.dispose();

  // VAE step: the drive pipeline's ConvVae.trainStep on a batch of 64x64x3 frames in [0, 1].
  let vae: number[] = [];
  if (vaeRepeats > 0) {
    const model = new ConvVae(vaeSpecFor(DriveVaeConfig.parse({}), VAE_BENCH_SIZE, VAE_BENCH_SIZE), rng, 'bench-vae');
    const x = tf.randomUniform([VAE_BENCH_BATCH, VAE_BENCH_SIZE, VAE_BENCH_SIZE, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    model.trainStep(x);
    vae = timeEach(vaeRepeats, `${backend} VAE step`, () => model.trainStep(x));
    x.dispose();
    model.dispose();
  }

  const result: ChildResult = {
    backend: info.name,
    detail: info.reason,
    td3_learner: `Td3.train, policy delay ${perSample}, batch ${TD3_BENCH_BATCH}, hidden ${td3.cfg.criticHidden.join('-')}, ${td3.cfg.nCritics} critics, FlatAdam`,
    td3_update_ms: median(td3Times),
    vae_step_ms: median(vae),
    actor_infer_ms: median(infer),
    td3_update_min_ms: td3Times.length ? Math.min(...td3Times) : null,
    vae_step_min_ms: vae.length ? Math.min(...vae) : null,
    td3_samples: td3Times.length,
    vae_samples: vae.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
