import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneTestSeeds } from '../../../src-shared/config/envs/lane.js';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { loadPolicy } from '../../../src-main/rl/checkpoint/policy.js';
import { policyFromWeights } from '../../../src-main/rl/policy/policy.js';
import { evaluatePolicy, evaluateRunPolicy } from '../../../src-main/rl/train/evaluate.js';
import { EVAL_SEED_BASE, evalSeeds, VALIDATION_SEED_BASE, validationSeeds } from '../../../src-main/rl/train/seeds.js';
import { makeEnv } from '../../../src-main/sim/registry.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { tempDir } from '../../helpers/tmp.js';
import { train } from './fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

describe('selectBest: keep the policy that scored best on validation seeds, score it on the held-out seeds', () => {
  it('validation seeds are disjoint from the training seeds [0, 2^30) and the held-out seeds 2^30 + k', () => {
    expect(VALIDATION_SEED_BASE).toBe(2 ** 30 + 2 ** 29);
    expect(validationSeeds(3)).toEqual([1610612736, 1610612737, 1610612738]);
    expect(EVAL_SEED_BASE + 1000 < VALIDATION_SEED_BASE).toBe(true);
    const held = new Set(evalSeeds(1000));
    expect(validationSeeds(1000).some((s) => held.has(s) || s < 2 ** 30)).toBe(false);
  });

  it('is absent from configs that do not ask for it (their digest is unchanged)', () => {
    expect('selectBest' in buildRunConfig({ env: { id: 'cartpole' }, algo: 'dqn' })).toBe(false);
  });

  const input = {
    env: { id: 'cartpole' as const, maxEpisodeSteps: 60 },
    algo: 'dqn' as const,
    totalSteps: 600,
    evalEvery: 150,
    evalEpisodes: 3,
    checkpointEvery: 300,
    logEvery: 150,
    backend: 'wasm' as const,
    selectBest: true,
    dqn: {
      hidden: [16],
      batchSize: 32,
      learningStarts: 60,
      bufferSize: 10_000,
      trainFreq: 1,
      gradientSteps: 1,
      targetUpdateInterval: 50,
      lr: 1e-2,
      explorationFraction: 0.3,
    },
  };
  const newRunDir = (name: string) => {
    const d = join(tmp.dir, name);
    mkdirSync(d);
    return d;
  };

  it('evaluates on validation seeds during training and writes the chosen policy held-out result to eval.json', async () => {
    const runDir = newRunDir('run');
    const f = await train(runDir, input);
    expect(f.statuses.at(-1)?.status).toBe('finished');
    const evals = f.metrics().filter((l: MetricLine) => l.kind === 'eval');
    // Every evalEvery steps, plus one validation of the last policy at the end.
    expect(evals.map((l) => l.step)).toEqual([150, 300, 450, 600]);
    const returns = evals.map((l) => l.mean_return as number);
    const bestIdx = returns.indexOf(Math.max(...returns)); // the first maximum, as SB3's EvalCallback (strictly better replaces)
    const ev = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')) as {
      mean_return: number;
      seeds: number[];
      selected: { step: number; validation_return: number };
    };
    // This tiny run improves, then gets worse: the choice is neither the first policy nor the last.
    expect(bestIdx > 0 && bestIdx < evals.length - 1).toBe(true);
    expect(ev.selected).toEqual({ step: evals[bestIdx]!.step, validation_return: returns[bestIdx] });
    expect(ev.seeds).toEqual(evalSeeds(3));
    // Recompute both scores of the chosen snapshot by hand.
    const policy = policyFromWeights(loadPolicy(runDir, 'best'));
    const env = makeEnv(buildRunConfig(input).env);
    const act = (obs: Float32Array, n: number) => policy.act(obs, n);
    expect(evaluatePolicy(act, [env], validationSeeds(3)).mean_return).toBe(returns[bestIdx]);
    expect(evaluatePolicy(act, [env], evalSeeds(3)).mean_return).toBe(ev.mean_return);
    policy.dispose();
    f.close();
    // Stopped after the best snapshot was written and resumed, the run chooses and scores the same.
    const split = newRunDir('split');
    const first = await train(split, input, { hooks: (j) => ({ onStep: (v) => v.step >= 470 && j.stop() }) });
    expect(first.statuses.at(-1)).toMatchObject({ status: 'stopped' });
    const second = await train(split, input, { resume: true });
    expect(second.statuses.at(-1)).toMatchObject({ status: 'finished', step: 600 });
    expect(readFileSync(join(split, 'eval.json'), 'utf8')).toBe(readFileSync(join(runDir, 'eval.json'), 'utf8'));
  }, 60_000);

  it("on the lane env: validation routes during training, the chosen policy's final evaluation on the test routes", async () => {
    const lane = {
      ...input,
      env: { id: 'lane' as const, steeringBins: 5 },
      totalSteps: 400,
      evalEvery: 200,
      evalEpisodes: 2,
      checkpointEvery: 200,
      logEvery: 200,
    };
    const runDir = newRunDir('lane');
    const f = await train(runDir, lane);
    expect(f.statuses.at(-1)?.status).toBe('finished');
    const evals = f.metrics().filter((l: MetricLine) => l.kind === 'eval');
    expect(evals.map((l) => l.step)).toEqual([200, 400]); // the last: the validation of the last policy
    const ev = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')) as {
      mean_return: number;
      selected: { step: number; validation_return: number };
      protocol: { routes: Array<{ seed: number }> };
    };
    // The final evaluation drives Kendall et al.'s test routes; the choice was made on others.
    expect(ev.protocol.routes.map((r) => r.seed)).toEqual(laneTestSeeds(2));
    const routes = new Set(laneTestSeeds(110));
    expect(validationSeeds(2).some((s) => routes.has(s))).toBe(false);
    const policy = policyFromWeights(loadPolicy(runDir, 'best'));
    const config = buildRunConfig(lane).env;
    const act = (obs: Float32Array, n: number) => policy.act(obs, n);
    const onValidation = evaluateRunPolicy(act, config, 2, [], validationSeeds(2));
    expect((onValidation.protocol as { routes: Array<{ seed: number }> }).routes.map((r) => r.seed)).toEqual(validationSeeds(2));
    expect(onValidation.mean_return).toBe(ev.selected.validation_return);
    expect(evaluateRunPolicy(act, config, 2, []).mean_return).toBe(ev.mean_return);
    policy.dispose();
    f.close();
  }, 120_000);
});
