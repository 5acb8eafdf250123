import { describe, expect, it } from 'vitest';
import { ENV_IDS, EnvConfig, type EnvConfigInput, type EnvId } from '../../../src-shared/config/envs/index.js';
import { Rng } from '../../../src-main/core/rng.js';
import { boxSpace, unitActionSpace, type BoxSpace, type Env, type ResetResult, type StepResult } from '../../../src-main/sim/env.js';
import { checkEnv, EnvCheckError, type CheckEnvOptions } from '../../../src-main/sim/env-checker.js';
import { makeEnv } from '../../../src-main/sim/registry.js';

/**
 * Every registered env, as the registry makes it, with short time limits so that an episode ends
 * within the check; lane both with the state observation and with pixels from a small camera.
 */
const CASES: { name: string; id: EnvId; config: EnvConfigInput }[] = [
  { name: 'pendulum', id: 'pendulum', config: { id: 'pendulum', maxEpisodeSteps: 30 } },
  { name: 'mountaincar', id: 'mountaincar', config: { id: 'mountaincar', maxEpisodeSteps: 30 } },
  { name: 'cartpole', id: 'cartpole', config: { id: 'cartpole', maxEpisodeSteps: 30 } },
  { name: 'mountaincar-discrete', id: 'mountaincar-discrete', config: { id: 'mountaincar-discrete', maxEpisodeSteps: 30 } },
  { name: 'lane (state)', id: 'lane', config: { id: 'lane', obs: 'state', maxEpisodeSteps: 40 } },
  { name: 'lane (state, speed set-point)', id: 'lane', config: { id: 'lane', obs: 'state', maxEpisodeSteps: 40, speedSetpoint: true } },
  { name: 'lane (state, 7 steering bins)', id: 'lane', config: { id: 'lane', obs: 'state', maxEpisodeSteps: 40, steeringBins: 7 } },
  { name: 'lane (pixels, 24x16 camera)', id: 'lane', config: { id: 'lane', obs: 'pixels', maxEpisodeSteps: 25, camera: { width: 24, height: 16 } } },
  { name: 'arm-reach', id: 'arm-reach', config: { id: 'arm-reach', maxEpisodeSteps: 8 } },
  { name: 'arm-push', id: 'arm-push', config: { id: 'arm-push', maxEpisodeSteps: 8 } },
  { name: 'arm-reach (pixels, 32x32 camera)', id: 'arm-reach', config: { id: 'arm-reach', obs: 'pixels', cameraSize: 32, maxEpisodeSteps: 8 } },
  { name: 'arm-push (vae: the raw camera observation)', id: 'arm-push', config: { id: 'arm-push', obs: 'vae', cameraSize: 32, maxEpisodeSteps: 8 } },
  {
    name: 'arm-reach (pixels and the previous action)',
    id: 'arm-reach',
    config: { id: 'arm-reach', obs: 'pixels', cameraSize: 32, cameraLastAction: true, maxEpisodeSteps: 8 },
  },
];

describe('checkEnv on every registered env', () => {
  it('covers every env id of the registry', () => {
    expect(new Set(CASES.map((c) => c.id))).toEqual(new Set(ENV_IDS));
  });

  it.each(CASES)(
    '$name passes',
    ({ config }) => {
      const env = makeEnv(EnvConfig.parse(config));
      const report = checkEnv(env, { seed: 3, compareSteps: 12, maxSteps: 200 });
      expect(report.obsDim).toBe(env.observationSpace.low.length);
      expect(report.actDim).toBe(env.actionSpace.shape[0]);
      expect(report.episodeSteps).toBeGreaterThan(0);
      expect(['terminated', 'truncated']).toContain(report.endedBy);
    },
    120_000,
  );
});

/**
 * A small env that keeps the contract (a point drifting on a line, truncated after 5 steps), and
 * breakages of it one at a time.
 */
interface Faults {
  obsOutside?: boolean;
  nondeterministic?: boolean;
  nanReward?: boolean;
  shortObs?: boolean;
  flagsNotBoolean?: boolean;
  noInfo?: boolean;
  throwsAfterEnd?: boolean;
  float64Space?: boolean;
  lowAboveHigh?: boolean;
  wideActions?: boolean;
}

class FakeEnv implements Env {
  readonly id = 'fake';
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  private readonly obs = new Float32Array(2);
  private readonly rng = new Rng(0);
  private x = 0;
  private steps = 0;
  private draws = 0;

  constructor(private readonly faults: Faults = {}) {
    this.observationSpace = boxSpace([-10, 0], faults.lowAboveHigh ? [10, -1] : [10, 100]);
    if (faults.float64Space)
      this.observationSpace = { ...this.observationSpace, low: Float64Array.from([-10, 0]), high: Float64Array.from([10, 100]) } as unknown as BoxSpace;
    this.actionSpace = faults.wideActions ? boxSpace([-2], [2]) : unitActionSpace(1);
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    this.x = this.rng.uniform(-1, 1) + (this.faults.nondeterministic ? 0.001 * this.draws++ : 0);
    this.steps = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult {
    if (this.faults.throwsAfterEnd && this.steps >= 5) throw new Error('fake: reset first');
    const a = Math.max(-1, Math.min(1, action[0]!));
    this.x = Math.max(-10, Math.min(10, this.x + 0.1 * a));
    this.steps++;
    const reward = this.faults.nanReward && this.steps === 3 ? Number.NaN : -Math.abs(this.x);
    const truncated = this.steps >= 5;
    const obs = this.faults.shortObs ? this.observe().subarray(0, 1) : this.observe();
    if (this.faults.obsOutside && this.steps === 2) obs[1] = 1000;
    const flag = this.faults.flagsNotBoolean ? (0 as unknown as boolean) : false;
    const info = this.faults.noInfo ? (undefined as unknown as Record<string, unknown>) : {};
    return { obs, reward, terminated: flag, truncated, info };
  }

  private observe(): Float32Array {
    this.obs[0] = this.x;
    this.obs[1] = this.steps;
    return this.obs;
  }
}

describe('checkEnv catches broken envs', () => {
  const check =
    (faults: Faults, options: CheckEnvOptions = {}) =>
    () =>
      checkEnv(new FakeEnv(faults), { maxSteps: 50, ...options });

  it('passes the intact fake env', () => {
    expect(checkEnv(new FakeEnv(), { maxSteps: 50 })).toEqual({ obsDim: 2, actDim: 1, episodeSteps: 5, endedBy: 'truncated' });
  });

  it.each<[string, Faults, RegExp]>([
    [
      'an observation outside the space',
      { obsOutside: true },
      /checkEnv\(fake\): step 2 after reset\(0\) \(first run\): obs\[1\] = 1000 is outside the observation space \[0, 100\]/,
    ],
    ['a reset that ignores its seed', { nondeterministic: true }, /reset\(0\) twice gave different first observations \(obs\[0\]/],
    ['a NaN reward', { nanReward: true }, /step 3 after reset\(0\) \(first run\): reward must be a finite number \(got number NaN\)/],
    ['an observation of the wrong length', { shortObs: true }, /obs has 1 values, observationSpace has 2/],
    ['flags that are not booleans', { flagsNotBoolean: true }, /terminated must be a boolean \(got number 0\)/],
    ['a step without info', { noInfo: true }, /info must be an object \(got undefined\)/],
    ['float64 bounds', { float64Space: true }, /observationSpace.low and .high must be Float32Arrays \(dtype float32; got a Float64Array of 2/],
    ['low above high', { lowAboveHigh: true }, /observationSpace: low > high at element 1 \(0 > -1\)/],
    ['an action space other than [-1, 1]', { wideActions: true }, /actionSpace must be \[-1, 1\]\^n \(element 0 is \[-2, 2\]\)/],
    [
      'a step after the end that throws where the env should continue',
      { throwsAfterEnd: true },
      /step 1 after the episode ended without reset: the env documents that it continues, but it threw: fake: reset first/,
    ],
  ])('%s', (_name, faults, message) => {
    expect(check(faults)).toThrowError(EnvCheckError);
    expect(check(faults)).toThrowError(message);
  });

  it('checks a step after the end against what the env documents', () => {
    expect(check({ throwsAfterEnd: true }, { afterEnd: 'throws' })).not.toThrow();
    expect(check({}, { afterEnd: 'throws' })).toThrowError(/step 1 after the episode ended without reset: the env documents that it throws, but it returned/);
  });

  it('reports an env whose episodes do not end within the budget', () => {
    expect(check({}, { maxSteps: 3 })).toThrowError(/no episode ended within 3 random steps/);
  });

  it('reports a missing space', () => {
    const env = new FakeEnv();
    (env as unknown as { actionSpace: undefined }).actionSpace = undefined;
    expect(() => checkEnv(env)).toThrowError(/checkEnv\(fake\): actionSpace is missing/);
  });
});
