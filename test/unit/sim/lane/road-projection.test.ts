/**
 * Road.projectAt always settles for a point on the road: over many generated roads, offsets
 * across the whole band and starts near and far (the env walks from the car's last sample, the
 * camera from its neighbours' answers or the hint grid), the projection returns the (s, d) the
 * point came from. A walk that does not settle (a point almost half-way between two samples
 * that both put it past the half-way mark; a far start on a bend) brackets and bisects instead
 * of giving up, which used to log a spurious "lane" disengagement at offset ~0.
 */
import { describe, expect, it } from 'vitest';
import { LaneEnvConfig } from '../../../../src-shared/config/envs/lane.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { generateRoadPieces, sampleRoad } from '../../../../src-main/sim/lane/road-gen.js';
import { Road } from '../../../../src-main/sim/lane/road.js';
import { buildLaneWorld, ROAD_SPACING } from '../../../../src-main/sim/lane/scene-gen.js';

const config = LaneEnvConfig.parse({ id: 'lane' });
const BAND = 9;

describe('Road.projectAt', () => {
  it('returns the point it came from, within tolerance, over many roads, offsets and starts', () => {
    const rng = new Rng(11);
    const out = new Float64Array(3);
    let checked = 0;
    for (let seed = 0; seed < 60; seed++) {
      const pieces = generateRoadPieces(new Rng(seed), {
        length: 1200,
        minRadius: 25,
        curviness: 0.5 + (seed % 3) * 0.25,
        maxHeading: (75 * Math.PI) / 180,
        leadIn: 50,
      });
      const total = pieces.reduce((a, p) => a + p.length, 0);
      const road = new Road(sampleRoad(pieces, Math.min(total, 1200), ROAD_SPACING), BAND);
      for (let t = 0; t < 300; t++) {
        // Half of the points sit almost exactly half-way between two samples, where walks cycle.
        const s = t % 2 ? rng.uniform(3, road.length - 3) : Math.floor(rng.uniform(3, road.length - 3)) + 0.5 + rng.uniform(-1e-3, 1e-3);
        const d = rng.uniform(-6, 6);
        road.poseAt(s, d, out);
        const starts = [road.indexAt(s), road.indexAt(s - 3), road.indexAt(s + 3), road.indexAt(s - 12), road.indexAt(s + 12), road.hint(out[0]!, out[1]!)];
        for (const start of starts) {
          const ok = road.project(out[0]!, out[1]!, start);
          if (!ok || Math.abs(road.ps - s) > 0.03 || Math.abs(road.pd - d) > 0.02) {
            throw new Error(`seed ${seed}, s ${s}, d ${d}, start ${start}: ${ok ? `(${road.ps}, ${road.pd})` : 'did not settle'}`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(60 * 300 * 6);
  });

  it('settles where the walk used to cycle between two samples (default world, road 76)', () => {
    const { road } = buildLaneWorld(config, 76);
    const out = new Float64Array(3);
    const rng = new Rng(1);
    let settled = 0;
    // The point found by a sweep: s 791.499 m, d 5.28 m; and its neighbours at half-sample positions.
    for (let k = 0; k < 200; k++) {
      const s = 791.499 + (k === 0 ? 0 : Math.floor(rng.uniform(-300, 300)) + rng.uniform(-1e-3, 1e-3));
      const d = k === 0 ? 5.28 : rng.uniform(-6, 6);
      road.poseAt(s, d, out);
      for (const start of [road.indexAt(s), road.indexAt(s - 3), road.indexAt(s + 3)]) {
        expect(road.project(out[0]!, out[1]!, start)).toBe(true);
        expect(Math.abs(road.ps - s)).toBeLessThan(0.03);
        expect(Math.abs(road.pd - d)).toBeLessThan(0.02);
        settled++;
      }
    }
    expect(settled).toBe(600);
  });

  it('still refuses points beyond the ends of the road', () => {
    const road = new Road(sampleRoad([{ length: 100, k0: 0, k1: 0 }], 100, 1), BAND);
    expect(road.project(-5, 0, 0)).toBe(false);
    expect(road.project(105, 0, 100)).toBe(false);
    expect(road.project(105, 0, 10)).toBe(false);
  });
});
