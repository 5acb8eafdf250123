/**
 * Export of an on-policy run: a short PPO run on pendulum, its last checkpoint exported to ONNX through the verified export path; the exported actor is the Gaussian's mean action, so
 * the standalone runner reproduces the run's own deterministic evaluation on the same seeds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('drive-lab-export-ppo-');
afterAll(() => tmp.cleanup());
const runDir = join(tmp.dir, 'trained');
const exportDir = join(tmp.dir, 'exported');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let trained: { mean_return: number; returns: number[]; seeds: number[] };

beforeAll(() => {
  const small = [
    '--set',
    'ppo.actorHidden=[16]',
    '--set',
    'ppo.criticHidden=[16]',
    '--set',
    'ppo.nSteps=100',
    '--set',
    'evalEpisodes=3',
    '--set',
    'env.maxEpisodeSteps=60',
  ];
  const t = cli('--json', 'train', '--env', 'pendulum', '--algo', 'ppo', '--steps', '400', '--seed', '1', '--out', runDir, ...small);
  expect(t.code, t.stderr).toBe(0);
  trained = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8'));
  const e = cli('--json', 'export', '--run', runDir, '--checkpoint', 'last', '--format', 'onnx', '--out', exportDir);
  expect(e.code, e.stderr).toBe(0);
}, 240_000);

describe('export of a PPO run', () => {
  it('records the run and its actor (tanh mean action)', () => {
    const meta = JSON.parse(readFileSync(join(exportDir, 'metadata.json'), 'utf8'));
    expect(meta.source).toMatchObject({ selector: 'last', step: 400 });
    expect(JSON.stringify(meta)).toContain('"ppo"');
    expect(meta.evalSummary.mean_return).toBe(trained.mean_return);
  });

  // (The TF.js format goes through the same actor: from-training.test.ts covers it.)
  it.each(['onnx'])('policy run (%s) reproduces the run evaluation on its seeds', (format) => {
    const r = cli('--json', 'policy', 'run', '--model', exportDir, '--format', format, '--seeds', trained.seeds.join(','));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    out.seeds.forEach((s: { returns: number[] }, i: number) => {
      expect(Math.abs(s.returns[0]! - trained.returns[i]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(trained.returns[i]!)));
    });
  });
});
