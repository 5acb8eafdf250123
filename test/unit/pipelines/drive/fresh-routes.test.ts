/** The fresh held-out routes: disjoint from the stopping routes, held-out test seeds, the default range. */
import { describe, expect, it } from 'vitest';
import { DriveConfig } from '../../../../src-shared/config/drive.js';
import { isLaneTestSeed } from '../../../../src-shared/config/envs/lane.js';
import { freshSeeds, stoppingSeeds } from '../../../../src-main/pipelines/drive/fresh-routes.js';

describe('fresh routes', () => {
  it('are 100 test seeds 1,000,010..1,000,109 by default, after the 10 stopping routes', () => {
    const d = DriveConfig.parse({});
    expect(d.freshRoutes).toBe(100);
    const f = freshSeeds(d.testRoutes, d.freshRoutes);
    expect(f).toHaveLength(100);
    expect([f[0], f.at(-1)]).toEqual([1_000_010, 1_000_109]);
  });

  it('never share a seed with the stopping routes, for any counts the schema allows', () => {
    for (const stopping of [1, 2, 10, 37, 1000]) {
      for (const fresh of [0, 1, 5, 100, 1000]) {
        const s = new Set(stoppingSeeds(stopping));
        const f = freshSeeds(stopping, fresh);
        expect(f).toHaveLength(fresh);
        expect(new Set(f).size).toBe(fresh);
        expect(f.filter((x) => s.has(x))).toEqual([]);
        expect(f.every(isLaneTestSeed)).toBe(true);
      }
    }
  });

  it('old configs load: the new field gets its default', () => {
    expect(DriveConfig.parse({ budgetEpisodes: 30, budgetMinutes: 8, testRoutes: 10 }).freshRoutes).toBe(100);
  });
});
