/**
 * One A3C worker thread: its own envs and a local copy of the actor-critic. Loop: take the shared
 * parameters, collect nSteps x envs steps with the rollout loop of the trainer (rollout-loop.ts),
 * compute the A2C loss gradient on that rollout and apply it to the shared parameters
 * (shared-rmsprop.ts), until all workers together have taken totalSteps env steps.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatIssues } from '../../../../src-shared/protocol.js';
import { RunConfig } from '../../../../src-shared/config/run-config.js';
import { selectBackend } from '../../../ml/backend.js';
import { makeEnv } from '../../../sim/registry.js';
import { VecEnv } from '../../../sim/vec-env.js';
import { ActorCritic } from '../../algorithms/on-policy/actor-critic.js';
import { settingsOf } from '../../algorithms/on-policy/settings.js';
import { newStepView } from '../hooks.js';
import { RolloutLoop } from '../rollout-loop.js';
import { Throughput } from '../throughput.js';
import { A3cWorkerInit, COUNTER_READY, COUNTER_STEPS, COUNTER_UPDATES, type A3cWorkerMessage } from './protocol.js';
import { applySharedRmsprop } from './shared-rmsprop.js';

const port = parentPort;
if (!port) throw new Error('a3c worker must run in a worker thread');
const send = (m: A3cWorkerMessage) => port.postMessage(m);

const parsed = A3cWorkerInit.safeParse(workerData);
if (!parsed.success) send({ type: 'error', message: `a3c worker: bad init: ${formatIssues(parsed.error).join('; ')}` });
else
  run(parsed.data).catch((e: unknown) => {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  });

async function run(init: A3cWorkerInit): Promise<void> {
  const config = RunConfig.parse(init.config);
  await selectBackend(config.backend);
  const settings = settingsOf(config, 'a2c');
  const envs = Array.from({ length: init.envs }, () => makeEnv(config.env));
  const space = envs[0]!.actionSpace;
  const vec = new VecEnv(envs, init.seed);
  const spaces = { obsDim: vec.obsDim, actDim: vec.actDim, ...(space.kind === 'discrete' ? { discreteN: space.n } : {}) };
  const learner = new ActorCritic(spaces, settings, { networks: init.networkSeed, learner: init.seed }, `a3c-worker-${init.index}`);
  const params = new Float32Array(init.buffers.params);
  const rms = new Float32Array(init.buffers.rms);
  const counter = new Int32Array(init.buffers.counter);
  if (params.length !== learner.getFlat().length)
    throw new Error(`a3c worker: ${params.length} shared parameters, the network has ${learner.getFlat().length}`);
  learner.setFlat(params.slice());
  vec.reset();
  const prevObs = new Float32Array(vec.numEnvs * vec.obsDim);
  const actions = new Float32Array(vec.numEnvs * vec.actDim);
  let updates = 0;
  const loop = new RolloutLoop({
    learner,
    vec,
    out: {
      metric: (l) => {
        if (l.kind === 'episode') send({ type: 'episode', worker: init.index, return: l.return as number, length: l.length as number });
      },
      event: () => {},
      progress: () => {},
      status: () => {},
      log: () => {},
    },
    hooks: {},
    rates: new Throughput(),
    totalSteps: init.totalSteps,
    prevObs,
    actions,
    view: newStepView(vec.numEnvs, prevObs, actions, vec.obs),
    learn: (batch) => {
      const grad = learner.gradient(batch);
      applySharedRmsprop(params, rms, grad, { lr: settings.lr, alpha: 0.99, eps: 1e-5, maxGradNorm: settings.maxGradNorm });
      Atomics.add(counter, COUNTER_UPDATES, 1);
      updates++;
      learner.setFlat(params.slice());
    },
  });
  const local = { step: 0, vecSteps: 0, episodes: 0 };
  // A fair start: no worker steps before every worker has its backend, envs and networks (a
  // worker slow to start would otherwise find the run's steps all taken).
  Atomics.add(counter, COUNTER_READY, 1);
  Atomics.notify(counter, COUNTER_READY);
  for (let ready = Atomics.load(counter, COUNTER_READY); ready < init.workers; ready = Atomics.load(counter, COUNTER_READY))
    Atomics.wait(counter, COUNTER_READY, ready, 1000);
  while (Atomics.load(counter, COUNTER_STEPS) < init.totalSteps) {
    loop.iterate(local);
    Atomics.add(counter, COUNTER_STEPS, vec.numEnvs);
  }
  learner.dispose();
  send({ type: 'done', worker: init.index, steps: local.step, updates });
}
