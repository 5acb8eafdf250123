import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs/index.js';
import { LaneEnvConfig } from '../../../../src-shared/config/envs/lane.js';
import { envAdapter, makeEnv } from '../../../../src-main/sim/registry.js';
import { steeringOfBin, steeringPolicy } from '../../../../src-main/sim/lane/discrete-steering.js';

describe('lane with discrete steering (steeringBins)', () => {
  it('maps index k of n to -1 + 2k / (n - 1)', () => {
    expect([0, 1, 2, 3, 4].map((k) => steeringOfBin(k, 5))).toEqual([-1, -0.5, 0, 0.5, 1]);
    const p = steeringPolicy((_obs, n) => Float32Array.from({ length: n }, (_, i) => i), 3);
    expect(Array.from(p(new Float32Array(3 * 9), 3))).toEqual([-1, 0, 1]);
  });

  it('is a Discrete(n) env that steps the simulator with the bin steering', () => {
    const discrete = makeEnv(EnvConfig.parse({ id: 'lane', obs: 'state', steeringBins: 5 }));
    const continuous = makeEnv(EnvConfig.parse({ id: 'lane', obs: 'state' }));
    expect(discrete.actionSpace).toEqual({ kind: 'discrete', n: 5, shape: [1] });
    expect(discrete.id).toBe('lane');
    expect(discrete.reset(11).obs.slice()).toEqual(continuous.reset(11).obs.slice());
    for (const k of [3, 4, 0, 2, 1]) {
      const a = discrete.step(Float32Array.of(k));
      const b = continuous.step(Float32Array.of(steeringOfBin(k, 5)));
      expect(a.obs.slice()).toEqual(b.obs.slice());
      expect(a.reward).toBe(b.reward);
    }
    expect(() => makeEnv(EnvConfig.parse({ id: 'lane', obs: 'state', steeringBins: 5, throttle: true }))).toThrowError(
      /^env.steeringBins: discrete steering needs throttle and speedSetpoint off/,
    );
  });

  it('evaluates with the same Kendall protocol: the middle bin drives as the zero policy', () => {
    const adapter = envAdapter('lane');
    const discrete = LaneEnvConfig.parse({ id: 'lane', obs: 'state', steeringBins: 7 });
    const continuous = LaneEnvConfig.parse({ id: 'lane', obs: 'state' });
    const middle = adapter.evaluate!((_obs, n) => new Float32Array(n).fill(3), discrete, { episodes: 2 });
    const zero = adapter.evaluate!((_obs, n) => new Float32Array(n), continuous, { episodes: 2 });
    expect(middle.returns).toEqual(zero.returns);
    expect(middle.episodeStats).toEqual(zero.episodeStats);
  });
});
