import { describe, expect, it } from 'vitest';
import { EnvConfig, ENV_IDS } from '../../../../src-shared/config/envs';
import { ARM_OBS, ArmEnv } from '../../../../src-main/sim/arm/arm-env.js';
import { isGoalEnv } from '../../../../src-main/sim/goal-env.js';
import { CUBE, JOINTS, N_JOINTS, PUSH_XY_RANGE, REACH_TARGET_HIGH, REACH_TARGET_LOW } from '../../../../src-main/sim/arm/model.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const zero = () => new Float32Array(N_JOINTS);

describe('arm envs', () => {
  it('are registered with documented defaults (panda-gym: 50 steps, 5 cm)', () => {
    expect(ENV_IDS).toContain('arm-reach');
    expect(ENV_IDS).toContain('arm-push');
    const c = EnvConfig.parse({ id: 'arm-reach' });
    expect(c).toMatchObject({ maxEpisodeSteps: 50, distanceThreshold: 0.05, reward: 'dense', control: 'velocity' });
    // Push defaults to the sparse reward (with hindsight replay in its preset); dense stays an option.
    expect(EnvConfig.parse({ id: 'arm-push' })).toMatchObject({ reward: 'sparse', control: 'velocity' });
    const env = makeEnv(c);
    expect(env).toBeInstanceOf(ArmEnv);
    expect(isGoalEnv(env)).toBe(true);
    expect(env.actionSpace.shape).toEqual([N_JOINTS]);
    expect(env.observationSpace.shape).toEqual([19]);
    expect(makeEnv(EnvConfig.parse({ id: 'arm-push' })).observationSpace.shape).toEqual([32]);
  });

  it('lays out the reach observation as documented and draws targets in the 0.3 m cube', () => {
    const env = new ArmEnv(EnvConfig.parse({ id: 'arm-reach' }) as never);
    for (let seed = 0; seed < 30; seed++) {
      const { obs, info } = env.reset(seed);
      for (let i = 0; i < N_JOINTS; i++) expect(obs[ARM_OBS.joints + i]).toBeCloseTo(JOINTS[i]!.neutral, 5);
      for (let i = 0; i < N_JOINTS; i++) expect(obs[ARM_OBS.speeds + i]).toBe(0);
      const target = obs.slice(-3);
      for (let k = 0; k < 3; k++) {
        expect(target[k]).toBeGreaterThanOrEqual(REACH_TARGET_LOW[k]! - 1e-6);
        expect(target[k]).toBeLessThanOrEqual(REACH_TARGET_HIGH[k]! + 1e-6);
      }
      expect(Array.from(info.desired_goal as Float32Array)).toEqual(Array.from(target));
      expect(Array.from(info.achieved_goal as Float32Array)).toEqual(Array.from(obs.slice(ARM_OBS.endEffector, ARM_OBS.endEffector + 3)));
      expect(env.goal).toEqual({ size: 3, achievedOffset: ARM_OBS.endEffector, desiredOffset: 16 });
    }
  });

  it('puts the push cube and goal on the table within the panda-gym ranges', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-push' })) as ArmEnv;
    for (let seed = 0; seed < 20; seed++) {
      const { obs, info } = env.reset(seed);
      const cube = obs.slice(ARM_OBS.cube, ARM_OBS.cube + 3);
      expect(Math.abs(cube[0]!)).toBeLessThanOrEqual(PUSH_XY_RANGE);
      expect(Math.abs(cube[1]!)).toBeLessThanOrEqual(PUSH_XY_RANGE);
      expect(cube[2]).toBeCloseTo(CUBE.halfSize, 6);
      expect(Array.from(obs.slice(ARM_OBS.cube + 3, ARM_OBS.cube + 7))).toEqual([0, 0, 0, 1]);
      expect(obs[obs.length - 1]).toBeCloseTo(CUBE.halfSize, 6);
      expect(Array.from(info.achieved_goal as Float32Array)).toEqual(Array.from(cube));
    }
  });

  it('pays the reward computeReward gives, dense and sparse, and reports success', () => {
    for (const reward of ['dense', 'sparse'] as const) {
      const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', reward })) as ArmEnv;
      env.reset(1);
      for (let t = 0; t < 5; t++) {
        const r = env.step(zero());
        const a = r.info.achieved_goal as Float32Array;
        const d = r.info.desired_goal as Float32Array;
        expect(r.reward).toBe(env.computeReward(a, d));
        const dist = Math.hypot(a[0]! - d[0]!, a[1]! - d[1]!, a[2]! - d[2]!);
        expect(r.info.distance).toBeCloseTo(dist, 9);
        expect(r.info.is_success).toBe(dist < 0.05);
        if (reward === 'dense') expect(r.reward).toBeCloseTo(-dist, 9);
        else expect(r.reward).toBe(dist < 0.05 ? 0 : -1);
      }
      // Hindsight relabelling: the achieved goal as the goal is a success.
      const a = Float32Array.of(0.1, 0.2, 0.3);
      expect(env.isSuccess(a, a)).toBe(true);
      expect(env.computeReward(a, a)).toBe(reward === 'dense' ? -0 : 0);
      expect(env.computeReward(a, Float32Array.of(0.1, 0.2, 0.36))).toBeCloseTo(reward === 'dense' ? -0.06 : -1, 6);
    }
  });

  it('truncates at 50 steps, terminates on success only when asked', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach' }));
    env.reset(2);
    let n = 0;
    for (;;) {
      const r = env.step(zero());
      n++;
      expect(r.terminated).toBe(false);
      if (r.truncated) {
        // The last step reports the episode's outcome (the training loop's eval lines average it).
        expect(r.info.episode).toEqual({ is_success: r.info.is_success, final_distance: r.info.distance });
        break;
      }
      expect(r.info.episode).toBeUndefined();
    }
    expect(n).toBe(50);
    const stop = makeEnv(EnvConfig.parse({ id: 'arm-reach', terminateOnSuccess: true })) as ArmEnv;
    // A target at the resting end-effector: success at once.
    const { info } = stop.reset(0);
    const ee = Array.from(info.achieved_goal as Float32Array);
    stop.reset(0, { target: ee });
    const r = stop.step(Float32Array.from(JOINTS.map((j) => ((j.neutral - j.lower) / (j.upper - j.lower)) * 2 - 1)));
    expect(r.info.is_success).toBe(true);
    expect(r.terminated).toBe(true);
    expect(r.info.episode).toEqual({ is_success: true, final_distance: r.info.distance });
  });

  it('holds its pose under a zero velocity action and moves a joint under a velocity action', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', control: 'velocity' })) as ArmEnv;
    const { obs } = env.reset(0);
    const start = obs.slice(0, N_JOINTS);
    let last = obs;
    for (let t = 0; t < 50; t++) last = env.step(zero()).obs;
    for (let i = 0; i < N_JOINTS; i++) expect(Math.abs(last[i]! - start[i]!)).toBeLessThan(0.01);
    // Base yaw at full speed for 12 steps (0.5 s) turns it by about maxSpeed * 0.5 s.
    const a = zero();
    a[0] = 1;
    for (let t = 0; t < 12; t++) last = env.step(a).obs;
    expect(last[0]).toBeGreaterThan(0.8 * JOINTS[0]!.maxSpeed * 0.5);
    expect(last[0]).toBeLessThan(1.05 * JOINTS[0]!.maxSpeed * 0.5);
  });

  it('drives joints to position targets spanning their ranges', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', control: 'position' })) as ArmEnv;
    env.reset(0);
    const a = Float32Array.of(0.5, -0.2, 0.3, -0.4, 0.6);
    let obs = env.step(a).obs;
    for (let t = 0; t < 30; t++) obs = env.step(a).obs;
    for (let i = 0; i < N_JOINTS; i++) {
      const j = JOINTS[i]!;
      const target = j.lower + 0.02 + ((a[i]! + 1) / 2) * (j.upper - j.lower - 0.04);
      expect(Math.abs(obs[i]! - target), j.name).toBeLessThan(0.01);
    }
  });

  it('adds seeded noise to the start pose when asked', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', initialJointNoise: 0.1 }));
    const a = env.reset(1).obs.slice(0, N_JOINTS);
    const b = env.reset(2).obs.slice(0, N_JOINTS);
    expect(a).not.toEqual(b);
    expect(env.reset(1).obs.slice(0, N_JOINTS)).toEqual(a);
    for (let i = 0; i < N_JOINTS; i++) expect(Math.abs(a[i]! - JOINTS[i]!.neutral)).toBeLessThanOrEqual(0.1 + 1e-6);
  });

  it('clips out-of-range and NaN actions instead of failing', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', control: 'velocity' }));
    env.reset(0);
    const r = env.step(Float32Array.of(5, -7, Number.NaN, 1e9, -Infinity));
    expect(r.obs.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('rejects malformed reset options with a clear message', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-push' }));
    expect(() => env.reset(0, { target: [1, 2] })).toThrow(/target.*3/);
    expect(() => env.reset(0, { cube: 'x' })).toThrow(/cube/);
    const { obs } = env.reset(0, { cube: [0.1, -0.1], target: [-0.1, 0.1, 5] });
    expect(obs[ARM_OBS.cube]).toBeCloseTo(0.1, 6);
    expect(obs[obs.length - 1]).toBeCloseTo(CUBE.halfSize, 6);
  });
});
