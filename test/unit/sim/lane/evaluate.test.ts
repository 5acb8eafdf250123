import { describe, expect, it } from 'vitest';
import { LaneEnvConfig, laneTestSeeds } from '../../../../src-shared/config/envs/lane.js';
import { evaluateLane, laneKeeperPolicy, randomPolicy, zeroPolicy } from '../../../../src-main/sim/lane/evaluate.js';

const config = LaneEnvConfig.parse({ id: 'lane', obs: 'state' });
const seeds = laneTestSeeds(3);

describe("Kendall et al.'s evaluation protocol", () => {
  it('drives every route to its end, counting disengagements and MPD', () => {
    const r = evaluateLane(zeroPolicy(1), { config, seeds });
    expect(r.routeLengthM).toBe(250);
    expect(r.seeds.map((s) => s.seed)).toEqual(seeds);
    for (const s of r.seeds) {
      expect(s.distance).toBeGreaterThanOrEqual(250);
      expect(s.distance).toBeLessThan(251);
      expect(s.disengagements).toBe(s.events.length);
      expect(s.mpd).toBeCloseTo(s.distance / Math.max(1, s.disengagements), 9);
      expect(s.disengagements).toBeGreaterThan(0); // straight ahead leaves the lane at the first bend
      // Distances between disengagements add up to where the last one happened.
      const sum = s.events.reduce((a, e) => a + e.distance, 0);
      expect(sum).toBeCloseTo(s.events.at(-1)!.s - 30, 6);
    }
    expect(r.overall.disengagements).toBe(r.seeds.reduce((a, s) => a + s.disengagements, 0));
    expect(r.overall.mpd).toBeCloseTo(r.overall.distance / r.overall.disengagements, 9);
  });

  it('separates the baselines: lane keeper clean, zero better than random', () => {
    const keeper = evaluateLane(laneKeeperPolicy(config), { config, seeds });
    expect(keeper.overall.disengagements).toBe(0);
    expect(keeper.overall.cleanRoutes).toBe(3);
    expect(keeper.overall.meanAbsOffset).toBeLessThan(0.15);
    const zero = evaluateLane(zeroPolicy(1), { config, seeds });
    const random = evaluateLane(randomPolicy(1, 0), { config, seeds });
    expect(random.overall.disengagements).toBeGreaterThan(zero.overall.disengagements);
    // Deterministic: the same policy and seeds give the same result.
    expect(evaluateLane(randomPolicy(1, 0), { config, seeds }).overall).toEqual(random.overall);
  });

  it('evaluates pixel policies through the same function', () => {
    const px = LaneEnvConfig.parse({ id: 'lane', obs: 'pixels', camera: { width: 16, height: 16 } });
    let calls = 0;
    const r = evaluateLane(
      (obs) => {
        calls++;
        expect(obs.length).toBe(16 * 16 * 3 + 2);
        return Float32Array.of(0);
      },
      { config: px, seeds: seeds.slice(0, 1), routeLengthM: 40 },
    );
    expect(calls).toBe(r.seeds[0]!.steps);
    expect(r.seeds[0]!.distance).toBeGreaterThanOrEqual(40);
  });
});
