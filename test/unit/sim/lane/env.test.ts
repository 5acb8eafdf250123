import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { LaneEnvConfig, type LaneEnvConfigInput } from '../../../../src-shared/config/envs/lane.js';
import { laneKeeperPolicy } from '../../../../src-main/sim/lane/evaluate.js';
import { LaneEnv, type LaneDisengagement, type LaneEpisodeMetrics } from '../../../../src-main/sim/lane/lane-env.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const make = (input: Omit<LaneEnvConfigInput, 'id'> = {}) => new LaneEnv(LaneEnvConfig.parse({ id: 'lane', ...input }));
const act = (...a: number[]) => Float32Array.from(a);
const SEED = 1_000_004;

function runUntilEnd(env: LaneEnv, action: Float32Array, max = 5000) {
  for (let i = 0; i < max; i++) {
    const r = env.step(action);
    if (r.terminated || r.truncated) return { ...r, steps: i + 1 };
  }
  throw new Error('episode did not end');
}

describe('lane env', () => {
  it('is registered and has the documented spaces', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'lane' }));
    expect(env.id).toBe('lane');
    expect(env.observationSpace.shape).toEqual([8]);
    expect(env.actionSpace.shape).toEqual([1]);
    const px = make({ obs: 'pixels', camera: { width: 40, height: 20 } });
    expect(px.observationSpace.shape).toEqual([40 * 20 * 3 + 2]);
    expect(make({ throttle: true }).actionSpace.shape).toEqual([2]);
  });

  it('rewards progress along the lane and holds the cruise speed', () => {
    const env = make();
    const { obs } = env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    expect(obs[0]).toBeCloseTo(0, 6);
    const keeper = laneKeeperPolicy(env.config);
    let o = obs;
    let total = 0;
    for (let i = 0; i < 200; i++) {
      const r = env.step(keeper(o));
      o = r.obs;
      total += r.reward;
      expect(r.terminated).toBe(false);
      expect(r.reward).toBeGreaterThan(0.3); // 8 m/s * 0.05 s = 0.4 m
      expect(r.reward).toBeLessThan(0.5);
    }
    expect(total).toBeCloseTo(env.progress, 6);
    expect(env.laneState.speed).toBeCloseTo(8, 1);
    expect(o[6]).toBeCloseTo(8 / 15, 2); // speed / maxSpeed
  });

  it('ends at a lane departure with a disengagement event and episode metrics', () => {
    const env = make();
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    const r = runUntilEnd(env, act(1)); // full left
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    const [ev] = r.info.events as LaneDisengagement[];
    expect(ev).toMatchObject({ kind: 'disengagement', cause: 'lane', step: r.steps, seed: SEED });
    expect(ev!.offset).toBeGreaterThan(env.scene.cross.laneWidth / 2); // left
    expect(ev!.t).toBeCloseTo(r.steps * 0.05, 9);
    expect(ev!.distance).toBeCloseTo(ev!.s - env.scene.startS, 9);
    const ep = r.info.episode as LaneEpisodeMetrics;
    expect(ep).toMatchObject({ disengagements: 1, steps: r.steps, cause: 'lane', seed: SEED });
    expect(ep.mpd).toBeCloseTo(ep.distance, 9);
    expect(ep.meanSpeed).toBeGreaterThan(6);
    // A right turn leaves on the right.
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    const right = runUntilEnd(env, act(-1));
    expect((right.info.events as LaneDisengagement[])[0]!.offset).toBeLessThan(0);
  });

  it('takes a speed set-point as a second action (Kendall et al.), held by the cruise controller', () => {
    const env = make({ speedSetpoint: true, maxSpeedMps: 16, targetSpeedMps: 8 });
    expect(env.actionSpace.shape).toEqual([2]);
    const keeper = laneKeeperPolicy(env.config);
    // The lane keeper asks for the target speed: (a + 1) / 2 * 16 = 8 m/s.
    let { obs } = env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    expect(keeper(obs)[1]).toBeCloseTo(0, 6);
    const drive = (setpoint: number, steps: number) => {
      for (let i = 0; i < steps; i++) {
        const a = keeper(obs);
        a[1] = setpoint;
        obs = env.step(a).obs;
      }
      return env.laneState.speed;
    };
    expect(drive(0.5, 300)).toBeCloseTo(12, 0); // 0.75 * 16 m/s
    expect(drive(-0.5, 300)).toBeCloseTo(4, 0); // 0.25 * 16 m/s
    // A set-point of zero stops the car: a stall, as a disengagement.
    const stop = make({ speedSetpoint: true, stallSeconds: 1 });
    stop.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    expect((runUntilEnd(stop, act(0, -1)).info.events as LaneDisengagement[])[0]!.cause).toBe('stall');
    expect(() => make({ speedSetpoint: true, throttle: true })).toThrow(/throttle and speedSetpoint/);
  });

  it('ends on the heading limit and on a stall', () => {
    const env = make({ headingLimitDeg: 5 });
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    expect((runUntilEnd(env, act(0.6)).info.events as LaneDisengagement[])[0]!.cause).toBe('heading');
    const braking = make({ throttle: true, stallSeconds: 1 });
    braking.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    const r = runUntilEnd(braking, act(0, -1));
    expect((r.info.events as LaneDisengagement[])[0]!.cause).toBe('stall');
    expect(Math.abs(braking.laneState.speed)).toBeLessThan(0.5);
  });

  it('truncates at the distance limit', () => {
    const env = make({ maxDistanceM: 60 });
    let { obs } = env.reset(2, { roadSeed: SEED });
    const keeper = laneKeeperPolicy(env.config);
    for (;;) {
      const r = env.step(keeper(obs));
      obs = r.obs;
      if (r.terminated || r.truncated) {
        expect(r.truncated).toBe(true);
        expect((r.info.episode as LaneEpisodeMetrics).cause).toBe('distance');
        expect(env.progress).toBeGreaterThanOrEqual(60);
        expect(env.progress).toBeLessThan(61);
        break;
      }
    }
  });

  it('lets the safety driver put the car back in the lane (evaluation protocol)', () => {
    const env = make({ maxDistanceM: 100 });
    env.safetyDriver = true;
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    let events = 0;
    for (let i = 0; i < 2000; i++) {
      const r = env.step(act(0.8));
      expect(r.terminated).toBe(false);
      if (r.info.events) {
        events++;
        expect(Math.abs(env.laneState.offset)).toBeLessThan(1e-6); // back on the centre line
      }
      if (r.truncated) {
        const ep = r.info.episode as LaneEpisodeMetrics;
        expect(ep.disengagements).toBe(events);
        expect(ep.mpd).toBeCloseTo(ep.distance / events, 9);
        break;
      }
    }
    expect(events).toBeGreaterThan(2);
  });

  it.each([
    ['with pose and brightness jitter', { width: 32, height: 24, jitterAngleDeg: 0.5, brightnessJitter: 0.05 }],
    ['without jitter (the bonnet is kept across roads)', { width: 32, height: 24 }],
  ])('is deterministic: same seed and actions give bitwise-identical observations and images, %s', (_name, camera) => {
    const cfg = { obs: 'pixels' as const, camera };
    const a = make(cfg);
    const b = make(cfg);
    b.reset(99); // b has lived through another episode first
    for (let i = 0; i < 30; i++) b.step(act(0.3));
    const ra = a.reset(5);
    const rb = b.reset(5);
    expect(Array.from(rb.obs)).toEqual(Array.from(ra.obs));
    expect(b.seed).toBe(a.seed);
    for (let i = 0; i < 80; i++) {
      const x = act(Math.sin(i / 7));
      const sa = a.step(x);
      const sb = b.step(x);
      expect(sb.reward).toBe(sa.reward);
      expect(sb.obs.every((v, k) => Object.is(v, sa.obs[k]))).toBe(true);
      expect(sb.terminated).toBe(sa.terminated);
      if (sa.terminated || sa.truncated) break;
    }
    // Different seeds give different roads and images.
    expect(Array.from(make(cfg).reset(6).obs)).not.toEqual(Array.from(ra.obs));
  });

  it('writes the pixel observation as exactly the image bytes / 255 (float32), every pixel and step', () => {
    // Sky, bonnet, road, horizon and props pixels are written by different paths of the camera.
    const env = make({ obs: 'pixels', camera: { brightnessJitter: 0.1 } });
    env.reset(3);
    let mismatches = 0;
    for (let i = 0; i < 60; i++) {
      const st = env.laneState;
      const r = env.step(act(Math.max(-1, Math.min(1, -0.5 * st.offset - 2 * st.headingError))));
      const frame = env.frame();
      for (let k = 0; k < frame.length; k++) if (r.obs[k] !== Math.fround(frame[k]! / 255)) mismatches++;
      if (r.terminated || r.truncated) env.reset();
    }
    expect(mismatches).toBe(0);
  });

  it('snapshots and restores the whole state exactly', () => {
    const env = make({ obs: 'pixels', camera: { width: 24, height: 16, jitterAngleDeg: 0.3 } });
    env.reset(3);
    for (let i = 0; i < 20; i++) env.step(act(0.1));
    const state = env.getState();
    const after: number[][] = [];
    for (let i = 0; i < 15; i++) after.push(Array.from(env.step(act(-0.2)).obs));
    const other = make({ obs: 'pixels', camera: { width: 24, height: 16, jitterAngleDeg: 0.3 } });
    other.reset(42);
    other.setState(state);
    for (let i = 0; i < 15; i++) expect(Array.from(other.step(act(-0.2)).obs)).toEqual(after[i]);
    // Later resets draw the same roads too (the RNG is part of the state).
    expect(other.reset().info.seed).toBe(env.reset().info.seed);
  });
});
