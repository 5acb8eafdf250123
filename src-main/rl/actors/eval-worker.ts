/**
 * An evaluation thread: runs one deterministic evaluation of a policy given as weights, on a CPU
 * backend, and posts the result. A learner whose backend reads only asynchronously (WebGPU in
 * Node) evaluates here: acting reads every action back, which its own thread cannot do
 * synchronously, and the env protocols (the lane's routes) step synchronously.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatIssues } from '../../../src-shared/protocol.js';
import { selectBackend } from '../../ml/backend.js';
import type { Env } from '../../sim/env.js';
import { envAdapter, makeEnv } from '../../sim/registry.js';
import { policyFromWeights } from '../policy/policy.js';
import { evaluateRunPolicy } from '../train/evaluate.js';
import { EvalRequest, type EvalReply } from './eval-protocol.js';

const MAX_EVAL_ENVS = 16;

const port = parentPort;
if (!port) throw new Error('eval-worker must run in a worker thread');

function send(msg: EvalReply): void {
  port!.postMessage(msg);
}

async function main(): Promise<void> {
  const parsed = EvalRequest.safeParse((workerData as { request?: unknown } | undefined)?.request);
  if (!parsed.success) throw new Error(`eval-worker: bad request: ${formatIssues(parsed.error).join('; ')}`);
  const req = parsed.data;
  await selectBackend(req.backend);
  const policy = policyFromWeights(
    {
      spec: req.actorSpec,
      weights: req.weights,
      ...(req.encoder ? { encoder: req.encoder } : {}),
      ...(req.head ? { head: req.head } : {}),
    },
    'evaluated-policy',
  );
  const envs: Env[] = envAdapter(req.env.id).evaluate ? [] : Array.from({ length: Math.min(req.episodes, MAX_EVAL_ENVS) }, () => makeEnv(req.env));
  try {
    const result = evaluateRunPolicy((obs, n) => policy.act(obs, n), req.env, req.episodes, envs, req.seeds);
    send({ type: 'result', result });
  } finally {
    policy.dispose();
    for (const e of envs) e.close?.();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
