/**
 * Evaluation in a thread of its own (rl/actors/eval-thread.ts), as a learner on a backend
 * without synchronous reads evaluates: the same episodes, returns and lengths as the same policy
 * evaluated in this thread on the same backend; a malformed request is refused with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/rng.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { Mlp } from '../../../../src-main/ml/mlp.js';
import { evaluateInThread } from '../../../../src-main/rl/actors/eval-thread.js';
import type { EvalRequest } from '../../../../src-main/rl/actors/eval-protocol.js';
import { policyFromWeights } from '../../../../src-main/rl/policy/policy.js';
import { evaluateRunPolicy } from '../../../../src-main/rl/train/evaluate.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';
import { EnvConfig } from '../../../../src-shared/config/envs/index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('evaluation in a thread of its own', () => {
  it('gives what evaluating the same weights here gives', { timeout: 60_000 }, async () => {
    const spec = { inputDim: 3, hidden: [8], outputDim: 1, outputActivation: 'tanh' as const };
    const mlp = new Mlp(spec, new Rng(5), 'eval-test');
    const weights = mlp.getWeights();
    mlp.dispose();
    const env = EnvConfig.parse({ id: 'pendulum' });
    const request: EvalRequest = { env, episodes: 3, actorSpec: spec, weights, backend: 'cpu' };
    const there = await evaluateInThread(request);
    const policy = policyFromWeights({ spec, weights });
    const envs = [makeEnv(env), makeEnv(env), makeEnv(env)];
    const here = evaluateRunPolicy((o, n) => policy.act(o, n), env, 3, envs);
    policy.dispose();
    expect(there).toEqual(here);
    expect(there.lengths).toEqual([200, 200, 200]);
    // With validation seeds instead of the held-out ones.
    const seeds = [7, 8];
    expect((await evaluateInThread({ ...request, episodes: 2, seeds })).seeds).toEqual(seeds);
  });

  it("runs the env's own protocol (the lane's test routes) as here", { timeout: 60_000 }, async () => {
    const env = EnvConfig.parse({ id: 'lane', obs: 'state' });
    const probe = makeEnv(env);
    const spec = { inputDim: probe.observationSpace.shape[0]!, hidden: [8], outputDim: 1, outputActivation: 'tanh' as const };
    probe.close?.();
    const mlp = new Mlp(spec, new Rng(6), 'eval-test-lane');
    const weights = mlp.getWeights();
    mlp.dispose();
    const there = await evaluateInThread({ env, episodes: 3, actorSpec: spec, weights, backend: 'cpu' });
    const policy = policyFromWeights({ spec, weights });
    const here = evaluateRunPolicy((o, n) => policy.act(o, n), env, 3, []);
    policy.dispose();
    expect(there.protocol).toBeDefined();
    expect(there).toEqual(here);
  });

  it('refuses a malformed request with the reason', async () => {
    const bad = {
      env: { id: 'pendulum' },
      episodes: 0,
      actorSpec: { inputDim: 3, hidden: [8], outputDim: 1, outputActivation: 'tanh' },
      weights: [],
      backend: 'cpu',
    };
    await expect(evaluateInThread(bad as unknown as EvalRequest)).rejects.toThrow(/evaluation failed: eval-worker: bad request: .*episodes/);
  });
});
