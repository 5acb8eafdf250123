/** `eval` on a trained lane run and on its export follows Kendall et al.'s protocol. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANE_TEST_SEEDS } from '../../../../src-shared/config/envs/lane.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir('drive-lab-lane-eval-');
afterAll(() => tmp.cleanup());
const runDir = join(tmp.dir, 'lane-run');
const exportDir = join(tmp.dir, 'lane-export');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const small = ['--set', 'td3.actorHidden=[16]', '--set', 'td3.criticHidden=[16]', '--set', 'td3.learningStarts=100', '--set', 'evalEpisodes=1'];
  const t = cli('train', '--env', 'lane', '--steps', '200', '--seed', '2', '--out', runDir, ...small);
  expect(t.code, t.stderr).toBe(0);
  const e = cli('export', '--run', runDir, '--checkpoint', 'last', '--format', 'tfjs', '--out', exportDir);
  expect(e.code, e.stderr).toBe(0);
}, 240_000);

describe('eval on lane', () => {
  it('drives held-out routes with the trained actor and reports MPD and disengagements', () => {
    const r = cli('--json', 'eval', '--policy', runDir, '--checkpoint', 'last', '--seeds', 'test:2', '--route', '60');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.protocol).toBe('kendall-2018');
    expect(out.routeLengthM).toBe(60);
    expect(out.seeds.map((s: { seed: number }) => s.seed)).toEqual([LANE_TEST_SEEDS.first, LANE_TEST_SEEDS.first + 1]);
    for (const s of out.seeds) {
      // The safety driver recentres the car, so every route is driven to its end.
      expect(s.distance).toBeGreaterThanOrEqual(59);
      expect(s.mpd).toBeCloseTo(s.distance / Math.max(1, s.disengagements), 6);
    }
    expect(out.overall.routes).toBe(2);
  });

  it('gives the same evaluation from the export folder', () => {
    const a = JSON.parse(cli('--json', 'eval', '--policy', runDir, '--checkpoint', 'last', '--seeds', 'test:2', '--route', '60').stdout);
    const b = cli('--json', 'eval', '--policy', exportDir, '--seeds', 'test:2', '--route', '60');
    expect(b.code, b.stderr).toBe(0);
    const out = JSON.parse(b.stdout);
    expect(out.overall.disengagements).toBe(a.overall.disengagements);
    expect(out.overall.distance).toBeCloseTo(a.overall.distance, 3);
  });
});
