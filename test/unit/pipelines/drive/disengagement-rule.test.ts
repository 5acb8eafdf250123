/**
 * The disengagement rule of the drive evaluations: "centre" (the env's own: the car's centre
 * leaves the lane) by default, "body" (any corner of the body crosses a lane line) as an option.
 * A lane keeper that holds the car 1.2 m left of the lane centre keeps its centre in the lane
 * but its body over the line: clean by the centre rule, disengaging by the body rule.
 */
import { describe, expect, it } from 'vitest';
import { DriveConfig } from '../../../../src-shared/config/drive.js';
import { LaneEnvConfig } from '../../../../src-shared/config/envs/lane.js';
import { bodyCrossesLine, evaluateLane, laneKeeperPolicy } from '../../../../src-main/sim/lane/evaluate.js';

describe('disengagement rule', () => {
  it('the body crosses the line before the centre does, more so when the car is turned', () => {
    expect(bodyCrossesLine(0, 0, 1.75)).toBe(false);
    expect(bodyCrossesLine(0.9, 0, 1.75)).toBe(true); // centre 0.9 m in a 1.75 m half lane, body edge at 1.8 m
    expect(bodyCrossesLine(-0.9, 0, 1.75)).toBe(true);
    expect(bodyCrossesLine(0, 0.3, 1.75)).toBe(false);
    expect(bodyCrossesLine(0.5, 0.3, 1.75)).toBe(true);
    expect(DriveConfig.parse({}).disengagementRule).toBe('centre');
  });

  it('counts a car driving on the line under the body rule only', () => {
    const config = LaneEnvConfig.parse({ id: 'lane', obs: 'state', road: { laneWidthM: [3.5, 3.5] } });
    const half = 0.5 * 3.5;
    const keeper = laneKeeperPolicy(config);
    const shifted = (obs: Float32Array) => {
      const o = Float32Array.from(obs);
      o[0] = o[0]! - 1.2 / half;
      return keeper(o);
    };
    const seeds = [1_000_000, 1_000_001, 1_000_002];
    const centre = evaluateLane(shifted, { config, seeds, routeLengthM: 80 }).overall;
    const body = evaluateLane(shifted, { config, seeds, routeLengthM: 80, rule: 'body' }).overall;
    expect(centre.disengagements).toBe(0);
    expect(body.disengagements).toBeGreaterThan(0);
    expect(body.causes.lane).toBe(body.disengagements);
    // Both drive every route to its end.
    expect(body.distance).toBeGreaterThanOrEqual(3 * 79);
  });
});
