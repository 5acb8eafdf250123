import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('lane CLI', () => {
  it('evaluates a baseline on held-out seeds as JSON, next to Kendall et al.', () => {
    const r = cli('--json', 'lane', 'eval', '--policy', 'zero', '--seeds', 'test:2', '--route', '100');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.seeds.map((s: { seed: number }) => s.seed)).toEqual([1_000_000, 1_000_001]);
    expect(out.routeLengthM).toBe(100);
    expect(out.overall.routes).toBe(2);
    expect(out.kendallTableI[0]).toMatchObject({ method: 'Random policy', mpd: 7.35, disengagements: 34 });
  });

  it('saves a camera frame as PNG and refuses bad input with one line', () => {
    const file = join(tmp.dir, 'frames', 'f.png');
    const r = cli('lane', 'frame', '--seed', '1000003', '--steps', '20', '--width', '40', '--height', '20', '--scale', '2', '--out', file);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(80); // width 40 x scale 2
    const bad = cli('lane', 'eval', '--seeds', '12,x');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--seeds/);
  });
});
