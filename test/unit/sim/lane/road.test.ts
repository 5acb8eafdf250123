import { describe, expect, it } from 'vitest';
import { LaneEnvConfig } from '../../../../src-shared/config/envs/lane.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { generateRoadPieces, pieceTurn, sampleRoad } from '../../../../src-main/sim/lane/road-gen.js';
import { Road } from '../../../../src-main/sim/lane/road.js';
import { buildLaneWorld } from '../../../../src-main/sim/lane/scene-gen.js';

const config = LaneEnvConfig.parse({ id: 'lane' });
const opts = { length: 1200, minRadius: 25, curviness: 0.5, maxHeading: (75 * Math.PI) / 180, leadIn: 50 };

describe('road generator', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = generateRoadPieces(new Rng(7), opts);
    const b = generateRoadPieces(new Rng(7), opts);
    const c = generateRoadPieces(new Rng(8), opts);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('makes roads of at least 1 km within the curvature and heading limits, with bends and straights', () => {
    let tight = 0;
    let straights = 0;
    let sBends = 0;
    for (let seed = 0; seed < 30; seed++) {
      const pieces = generateRoadPieces(new Rng(seed), opts);
      const total = pieces.reduce((a, p) => a + p.length, 0);
      expect(total).toBeGreaterThanOrEqual(1200);
      let heading = 0;
      for (const p of pieces) {
        expect(Math.abs(p.k0)).toBeLessThanOrEqual(1 / 25 + 1e-12);
        expect(Math.abs(p.k1)).toBeLessThanOrEqual(1 / 25 + 1e-12);
        heading += pieceTurn(p);
        expect(Math.abs(heading)).toBeLessThanOrEqual(opts.maxHeading + 1e-9);
        if (p.k0 === 0 && p.k1 === 0 && p.length >= 20) straights++;
        if (p.k0 === p.k1 && Math.abs(p.k0) > 1 / 36) tight++;
        if (p.k0 * p.k1 < 0) sBends++;
        // Curvature never jumps: every piece starts where the previous one ended.
      }
      for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.k0).toBeCloseTo(pieces[i - 1]!.k1, 12);
    }
    expect(tight).toBeGreaterThan(5);
    expect(straights).toBeGreaterThan(30);
    expect(sBends).toBeGreaterThan(5);
  });

  it('samples the centreline consistently with the pieces', () => {
    // A circle of radius 50 m: the point at s is (r sin(s/r), r (1 - cos(s/r))).
    const r = 50;
    const s = sampleRoad([{ length: 80, k0: 1 / r, k1: 1 / r }], 80, 0.25);
    const n = s.x.length - 1;
    expect(n * 0.25).toBe(80);
    expect(s.x[n]!).toBeCloseTo(r * Math.sin(80 / r), 3);
    expect(s.y[n]!).toBeCloseTo(r * (1 - Math.cos(80 / r)), 3);
    expect(s.heading[n]!).toBeCloseTo(80 / r, 12);
    // A clothoid from 0 to 1/r over 40 m turns (1/r) * 40 / 2.
    const c = sampleRoad([{ length: 40, k0: 0, k1: 1 / r }], 40, 1);
    expect(c.heading[40]!).toBeCloseTo(0.4, 12);
    expect(c.curvature[20]!).toBeCloseTo(0.5 / r, 12);
  });
});

describe('road queries', () => {
  const { road, scene } = buildLaneWorld(config, 1_000_003);

  it('projects map points back to the (s, d) they came from', () => {
    const rng = new Rng(1);
    const out = new Float64Array(3);
    for (let k = 0; k < 500; k++) {
      const s = rng.uniform(5, road.length - 5);
      const d = rng.uniform(-road.band + 0.5, road.band - 0.5);
      road.poseAt(s, d, out);
      expect(road.projectAny(out[0]!, out[1]!)).toBe(true);
      expect(Math.abs(road.ps - s)).toBeLessThan(0.03);
      expect(Math.abs(road.pd - d)).toBeLessThan(0.02);
      // Also from a hint 20 m away (the camera walks from its neighbours' answers).
      expect(road.project(out[0]!, out[1]!, road.indexAt(Math.max(0, s - 20)))).toBe(true);
      expect(Math.abs(road.pd - d)).toBeLessThan(0.02);
    }
  });

  it('rules out points far from the road in one lookup', () => {
    const out = new Float64Array(3);
    road.poseAt(300, road.band + 20, out);
    expect(road.hint(out[0]!, out[1]!)).toBe(-1);
    expect(road.hint(1e6, 1e6)).toBe(-1);
  });

  it('keeps distant parts of the road far apart (no loops or overlaps)', () => {
    const { x, y } = road;
    const step = 5;
    for (let i = 0; i < road.n; i += step) {
      for (let j = i + 150; j < road.n; j += step) {
        expect(Math.hypot(x[i]! - x[j]!, y[i]! - y[j]!)).toBeGreaterThan(2 * road.band);
      }
    }
    expect(scene.road.length).toBeGreaterThanOrEqual(1000);
  });

  it('interpolates curvature and is exact on arcs', () => {
    const arc = new Road(sampleRoad([{ length: 100, k0: 0.02, k1: 0.02 }], 100, 1), 10);
    const out = new Float64Array(3);
    arc.poseAt(37.3, 0, out);
    expect(out[0]!).toBeCloseTo(Math.sin(0.02 * 37.3) / 0.02, 3);
    expect(out[1]!).toBeCloseTo((1 - Math.cos(0.02 * 37.3)) / 0.02, 3);
    expect(arc.curvatureAt(50)).toBeCloseTo(0.02, 12);
  });
});
