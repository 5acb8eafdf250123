/**
 * The on-policy learning benchmark: PPO, A2C and REINFORCE (with a learned baseline) on
 * CartPole-v1 and PPO on Pendulum-v1, through the real training loop (in this process, one run
 * after another), with RL Zoo's hyperparameters where it has them. Goal (issue table): the final
 * deterministic evaluation (10 episodes on held-out seeds) >= 475 on CartPole for every seed.
 *
 *   CartPole-v1  PPO        100k steps   rl-zoo ppo.yml: 8 envs, n_steps 32, batch 256, lambda 0.8,
 *                                        gamma 0.98, 20 epochs, lr lin_1e-3, clip lin_0.2, ent 0
 *                A2C        500k steps   rl-zoo a2c.yml: 8 envs, ent 0 (SB3 defaults otherwise)
 *                REINFORCE  1000 episodes  (no zoo entry) 1 env, Adam lr 1e-3, one episode per update, the
 *                                        lecture's estimator: advantages G_t - V(s_t) as they are (not
 *                                        normalized per batch: normalizing one episode's advantages to
 *                                        mean 0 discourages half of its actions even when the whole
 *                                        episode beat the baseline, e.g. every step of a 500-step run)
 *   Pendulum-v1  PPO        100k steps   rl-zoo ppo.yml without gSDE: 4 envs, n_steps 1024, lambda
 *                                        0.95, gamma 0.9, 10 epochs, lr 1e-3, clip 0.2
 */
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildRunConfig, type BackendChoice, type RunConfigInput } from '../../src-shared/config/run-config.js';
import type { BackendInfo, MetricLine } from '../../src-shared/types.js';
import { JsonlAppender, readJsonIfExists, readJsonlLines } from '../../src-main/core/durable-write.js';
import { RUN_FILES } from '../../src-main/store/run-store.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import type { TrainJob } from '../../src-main/rl/train/types.js';
import { runTraining } from '../../src-main/workers/run-training.js';
import { runA3c } from '../../src-main/rl/train/a3c/run.js';

export const CARTPOLE_GOAL = 475;

export interface OnPolicyCase {
  env: 'cartpole' | 'pendulum';
  algo: 'ppo' | 'a2c' | 'reinforce';
  /** Env-step budget, or an episode budget (REINFORCE). */
  budget: { steps: number } | { episodes: number };
  config: RunConfigInput;
  /** RL Zoo's published figure, for RESULTS.md. */
  zoo: string;
}

const evalEvery = (steps: number) => ({ evalEvery: steps / 10, checkpointEvery: 0, logEvery: steps / 20, evalEpisodes: 10 });

export const CASES: OnPolicyCase[] = [
  {
    env: 'cartpole',
    algo: 'ppo',
    budget: { steps: 100_000 },
    zoo: 'PPO 500 at 100k',
    config: {
      numEnvs: 8,
      ...evalEvery(100_000),
      ppo: {
        nSteps: 32,
        batchSize: 256,
        gaeLambda: 0.8,
        gamma: 0.98,
        nEpochs: 20,
        entCoef: 0,
        lr: 1e-3,
        lrSchedule: 'linear',
        clipRange: 0.2,
        clipSchedule: 'linear',
      },
    },
  },
  { env: 'cartpole', algo: 'a2c', budget: { steps: 500_000 }, zoo: 'A2C 500 at 500k', config: { numEnvs: 8, ...evalEvery(500_000), a2c: { entCoef: 0 } } },
  {
    env: 'cartpole',
    algo: 'reinforce',
    budget: { episodes: 1000 },
    zoo: '-',
    config: {
      numEnvs: 1,
      totalSteps: 500_000,
      evalEvery: 50_000,
      checkpointEvery: 0,
      logEvery: 10_000,
      evalEpisodes: 10,
      reinforce: { lr: 1e-3, normalizeAdvantage: false },
    },
  },
  {
    env: 'pendulum',
    algo: 'ppo',
    budget: { steps: 100_000 },
    zoo: 'PPO (gSDE) -172 at 100k',
    config: { numEnvs: 4, ...evalEvery(100_000), ppo: { nSteps: 1024, gaeLambda: 0.95, gamma: 0.9, nEpochs: 10, lr: 1e-3, clipRange: 0.2 } },
  },
];

export interface OnPolicyRunResult {
  env: string;
  algo: string;
  seed: number;
  steps: number;
  episodes: number;
  final: number;
  finalStd: number;
  wallClockS: number;
  evals: Array<[number, number]>;
}

export interface OnPolicyBenchResult {
  date: string;
  machine: { cpus: number; model: string; memGiB: number; node: string };
  backend: string;
  runs: OnPolicyRunResult[];
}

function job(runDir: string, input: RunConfigInput, backend: BackendInfo): { job: TrainJob; close(): void; steps: () => number } {
  mkdirSync(join(runDir, RUN_FILES.checkpoints), { recursive: true });
  const metrics = new JsonlAppender(join(runDir, RUN_FILES.metrics));
  const events = new JsonlAppender(join(runDir, RUN_FILES.events));
  let last = 0;
  return {
    steps: () => last,
    close() {
      metrics.close();
      events.close();
    },
    job: {
      runId: 'bench',
      runDir,
      config: buildRunConfig(input),
      resume: false,
      backend,
      controls: { stopRequested: false, paused: false, speed: 'fast', waitWhilePaused: () => Promise.resolve(), takeEvaluateRequest: () => false },
      out: {
        metric: (l) => metrics.append(l),
        event: (e) => events.append(e),
        progress: () => {},
        status: (_s, step, message) => {
          last = step;
          if (message) process.stderr.write(`${message}\n`);
        },
        log: () => {},
      },
    },
  };
}

export async function runOnPolicyCase(c: OnPolicyCase, seed: number, outDir: string, backend: BackendChoice): Promise<OnPolicyRunResult> {
  const info = await selectBackend(backend);
  const runDir = join(outDir, `${c.algo}-${c.env}-seed${seed}`);
  rmSync(runDir, { recursive: true, force: true });
  const steps = 'steps' in c.budget ? c.budget.steps : undefined;
  const maxEpisodes = 'episodes' in c.budget ? c.budget.episodes : undefined;
  const input: RunConfigInput = { name: runDir, env: { id: c.env }, algo: c.algo, seed, backend, ...c.config, ...(steps ? { totalSteps: steps } : {}) };
  const j = job(runDir, input, info);
  const t0 = performance.now();
  try {
    await runTraining(j.job, maxEpisodes ? { afterEpisode: (t) => (t.episodes >= maxEpisodes ? { finish: true } : undefined) } : {});
  } finally {
    j.close();
  }
  const wallClockS = (performance.now() - t0) / 1000;
  const ev = readJsonIfExists<{ mean_return: number; std_return: number; step: number }>(join(runDir, 'eval.json'));
  const lines = readJsonlLines(join(runDir, RUN_FILES.metrics)).lines as MetricLine[];
  const evals = lines.filter((l) => l.kind === 'eval').map((l) => [l.step, l.mean_return as number] as [number, number]);
  return {
    env: c.env,
    algo: c.algo,
    seed,
    steps: ev?.step ?? j.steps(),
    episodes: lines.filter((l) => l.kind === 'episode').length,
    final: ev?.mean_return ?? Number.NaN,
    finalStd: ev?.std_return ?? Number.NaN,
    wallClockS,
    evals,
  };
}

/**
 * A3C on CartPole-v1 with A2C's case (500k steps over all workers; each worker `envsPerWorker`
 * envs, or A2C's 8 split over the workers), for its wall clock beside A2C's (rl/train/a3c/run.ts;
 * not through the Trainer).
 */
export async function runA3cCase(seed: number, workers: number, backend: BackendChoice, envsPerWorker?: number): Promise<OnPolicyRunResult> {
  const a2c = CASES.find((c) => c.algo === 'a2c' && c.env === 'cartpole')!;
  const steps = (a2c.budget as { steps: number }).steps;
  const config = buildRunConfig({ name: 'a3c', env: { id: 'cartpole' }, algo: 'a2c', seed, backend, ...a2c.config, totalSteps: steps });
  const r = await runA3c(config, workers, envsPerWorker);
  return {
    env: 'cartpole',
    algo: `a3c-${workers}-workers${envsPerWorker ? `-${envsPerWorker}-envs-each` : ''}`,
    seed,
    steps: r.steps,
    episodes: r.episodes.length,
    final: r.eval.mean_return,
    finalStd: r.eval.std_return,
    wallClockS: r.wallClockS,
    evals: [[r.steps, r.eval.mean_return]],
  };
}

export function machine(): OnPolicyBenchResult['machine'] {
  return { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}
