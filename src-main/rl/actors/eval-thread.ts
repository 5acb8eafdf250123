/**
 * Evaluating a policy in a thread of its own (./eval-worker.ts) on a CPU backend, from its
 * weights: what a learner on a backend without synchronous reads (WebGPU in Node) does instead of
 * acting through its own networks.
 */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import { spawnWorker, workerEntry } from '../../core/spawn.js';
import type { Learner } from '../algorithms/learner.js';
import type { ObsEncoderSetup } from '../encoder/setup.js';
import type { EvalResult } from '../train/evaluate.js';
import { EvalReply, type EvalRequest } from './eval-protocol.js';

const EVAL_WORKER = workerEntry('eval-worker', import.meta.url, './eval-worker.ts');

/** Runs the evaluation `request` describes in a new thread; rejects with the thread's own error. */
export function evaluateInThread(request: EvalRequest): Promise<EvalResult> {
  return new Promise((resolve, reject) => {
    const worker = spawnWorker(EVAL_WORKER, { workerData: { request }, name: 'evaluation' });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (raw: unknown) => {
      const m = EvalReply.safeParse(raw);
      if (!m.success) return settle(() => reject(new Error('the evaluation thread sent a malformed reply')));
      const msg = m.data;
      if (msg.type === 'error') settle(() => reject(new Error(`evaluation failed: ${msg.message}`)));
      else settle(() => resolve(msg.result as EvalResult));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the evaluation thread ended (exit code ${code}) without a result`))));
  });
}

/**
 * The request that evaluates `learner`'s actor as it is now (its weights read on the host:
 * fetched first where the backend reads only asynchronously), on the run's evaluation episodes.
 */
export function learnerEvalRequest(learner: Learner, config: RunConfig, setup: ObsEncoderSetup | undefined): EvalRequest {
  const encoder = learner.encoder;
  return {
    env: config.env,
    episodes: config.evalEpisodes,
    actorSpec: { ...learner.actor.spec, hidden: [...learner.actor.spec.hidden] },
    weights: learner.actor.getWeights(),
    ...(encoder && setup
      ? { encoder: { spec: { ...setup.spec, filters: [...setup.spec.filters] }, extraDim: setup.extraDim, weights: encoder.getWeights() } }
      : {}),
    ...(learner.policyHead ? { head: learner.policyHead } : {}),
    backend: 'auto',
  };
}
