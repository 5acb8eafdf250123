/**
 * A3C (Mnih et al. 2016): `workers` threads, each with its own envs, asynchronously apply A2C
 * loss gradients of their own rollouts to one set of shared parameters (worker.ts). Asynchronous
 * by design, so runs are not reproducible step for step; this runner is not the Trainer (no
 * checkpoints, controls or live view): it trains for totalSteps env steps over all workers, then
 * evaluates the shared parameters deterministically on the held-out seeds like any run.
 * It reads the A2C block of `config` (algo "a2c") for everything but the worker count.
 */
import type { RunConfig } from '../../../../src-shared/config/run-config.js';
import { workerEntry, spawnWorker } from '../../../core/spawn.js';
import { selectBackend } from '../../../ml/backend.js';
import { makeEnv } from '../../../sim/registry.js';
import { ActorCritic } from '../../algorithms/on-policy/actor-critic.js';
import { settingsOf } from '../../algorithms/on-policy/settings.js';
import { evaluateRunPolicy, type EvalResult } from '../evaluate.js';
import { deriveSeeds } from '../seeds.js';
import { A3cWorkerMessage, COUNTER_STEPS, COUNTER_UPDATES, type A3cWorkerInit } from './protocol.js';

const A3C_WORKER = workerEntry('a3c-worker', import.meta.url, './worker.ts');

export interface A3cResult {
  steps: number;
  updates: number;
  episodes: Array<{ worker: number; return: number; length: number }>;
  wallClockS: number;
  eval: EvalResult;
}

/**
 * `envsPerWorker` absent: the run's numEnvs split evenly over the workers (each update then sees
 * 1/workers of A2C's batch); given: each worker steps that many envs.
 */
export async function runA3c(config: RunConfig, workers: number, envsPerWorker?: number): Promise<A3cResult> {
  if (config.algo !== 'a2c' || !config.a2c) throw new Error('a3c: give an A2C config (algo "a2c"); A3C reads its block');
  if (envsPerWorker === undefined && config.numEnvs % workers !== 0)
    throw new Error(`a3c: numEnvs (${config.numEnvs}) must split evenly over ${workers} workers`);
  await selectBackend(config.backend);
  const seeds = deriveSeeds(config.seed);
  const probe = makeEnv(config.env);
  const space = probe.actionSpace;
  const obsDim = probe.observationSpace.shape.reduce((a, b) => a * b, 1);
  const actDim = space.shape.reduce((a, b) => a * b, 1);
  const spaces = { obsDim, actDim, ...(space.kind === 'discrete' ? { discreteN: space.n } : {}) };
  const shared = new ActorCritic(spaces, settingsOf(config, 'a2c'), { networks: seeds.networks, learner: seeds.targetNoise }, 'a3c-shared');
  const init = shared.getFlat();
  const buffers = {
    params: new SharedArrayBuffer(init.byteLength),
    rms: new SharedArrayBuffer(init.byteLength),
    counter: new SharedArrayBuffer(12),
  };
  new Float32Array(buffers.params).set(init);
  const episodes: A3cResult['episodes'] = [];
  const t0 = performance.now();
  const threads: Array<ReturnType<typeof spawnWorker>> = [];
  const all = Promise.all(
    Array.from({ length: workers }, (_, index) => {
      const data: A3cWorkerInit = {
        config,
        index,
        seed: (seeds.envs + 7919 * (index + 1)) >>> 1,
        networkSeed: seeds.networks,
        envs: envsPerWorker ?? config.numEnvs / workers,
        workers,
        totalSteps: config.totalSteps,
        buffers,
      };
      const w = spawnWorker(A3C_WORKER, { workerData: data });
      threads.push(w);
      return new Promise<void>((resolve, reject) => {
        w.on('message', (raw: unknown) => {
          const m = A3cWorkerMessage.safeParse(raw);
          if (!m.success) return reject(new Error('a3c: unreadable worker message'));
          if (m.data.type === 'episode') episodes.push({ worker: m.data.worker, return: m.data.return, length: m.data.length });
          else if (m.data.type === 'error') reject(new Error(m.data.message));
          else void w.terminate().then(() => resolve());
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`a3c worker ${index} exited with ${code}`))));
      });
    }),
  );
  // One worker failing (even before the start barrier) ends them all: the others would wait for it.
  await all.catch(async (e: unknown) => {
    await Promise.all(threads.map((t) => t.terminate()));
    throw e;
  });
  const wallClockS = (performance.now() - t0) / 1000;
  const counter = new Int32Array(buffers.counter);
  shared.setFlat(new Float32Array(buffers.params).slice());
  const evalEnvs = Array.from({ length: Math.min(config.evalEpisodes, 16) }, () => makeEnv(config.env));
  const result = evaluateRunPolicy((obs, n) => shared.act(obs, n), config.env, config.evalEpisodes, evalEnvs);
  shared.dispose();
  return { steps: Atomics.load(counter, COUNTER_STEPS), updates: Atomics.load(counter, COUNTER_UPDATES), episodes, wallClockS, eval: result };
}
