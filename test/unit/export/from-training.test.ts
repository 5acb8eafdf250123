/**
 * Policy export end to end: train a short run for real, export its last checkpoint in both formats,
 * and check that the standalone runner and `eval` on the export reproduce the run's own final
 * evaluation on the same held-out seeds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src-main/rl/checkpoint/policy.js';
import { importPolicy } from '../../../src-main/export/load.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('drive-lab-export-train-');
afterAll(() => tmp.cleanup());
const runDir = join(tmp.dir, 'trained');
const exportDir = join(tmp.dir, 'exported');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface EvalJson {
  mean_return: number;
  returns: number[];
  seeds: number[];
}
let trained: EvalJson;

beforeAll(() => {
  const small = [
    '--set',
    'td3.actorHidden=[16]',
    '--set',
    'td3.criticHidden=[16]',
    '--set',
    'td3.learningStarts=100',
    '--set',
    'evalEpisodes=3',
    '--set',
    'env.maxEpisodeSteps=60',
  ];
  const t = cli('--json', 'train', '--env', 'pendulum', '--algo', 'td3', '--steps', '400', '--seed', '1', '--out', runDir, ...small);
  expect(t.code, t.stderr).toBe(0);
  trained = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8'));
  const e = cli('--json', 'export', '--run', runDir, '--checkpoint', 'last', '--format', 'tfjs,onnx', '--out', exportDir);
  expect(e.code, e.stderr).toBe(0);
}, 240_000);

describe('export of a trained run', () => {
  it('records the checkpoint it came from', () => {
    const meta = JSON.parse(readFileSync(join(exportDir, 'metadata.json'), 'utf8'));
    expect(meta.source).toMatchObject({ selector: 'last', step: 400 });
    expect(meta.source.checkpoint).toMatch(/^checkpoints\//);
    expect(meta.evalSummary.mean_return).toBe(trained.mean_return);
  });

  it.each(['onnx', 'tfjs'])('policy run (%s) reproduces the run evaluation on its seeds', (format) => {
    const r = cli('--json', 'policy', 'run', '--model', exportDir, '--format', format, '--seeds', trained.seeds.join(','));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.seeds.map((s: { seed: number }) => s.seed)).toEqual(trained.seeds);
    out.seeds.forEach((s: { returns: number[] }, i: number) => {
      // Same actor, same seeds: only float rounding differs between the runtimes.
      expect(Math.abs(s.returns[0]! - trained.returns[i]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(trained.returns[i]!)));
    });
  });

  it('eval accepts the export folder and defaults to the held-out seeds', () => {
    const r = cli('--json', 'eval', '--policy', exportDir, '--episodes', String(trained.seeds.length));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.seeds).toEqual(trained.seeds);
    expect(Math.abs(out.mean_return - trained.mean_return)).toBeLessThan(1e-2 * Math.abs(trained.mean_return));
  });

  it('a best checkpoint exists after evaluation and exports too', () => {
    const r = cli('--json', 'export', '--run', runDir, '--checkpoint', 'best', '--format', 'onnx', '--out', join(tmp.dir, 'best'));
    expect(r.code, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(tmp.dir, 'best', 'metadata.json'), 'utf8'));
    expect(meta.source.selector).toBe('best');
  });

  it('starts a new run from the export (import): the actor begins with the exported weights', async () => {
    const next = join(tmp.dir, 'continued');
    // learningStarts beyond the run's length: no gradient step, so the actor keeps the imported weights.
    const t = cli(
      '--json',
      'train',
      '--env',
      'pendulum',
      '--steps',
      '40',
      '--out',
      next,
      '--init-policy',
      exportDir,
      '--set',
      'td3.actorHidden=[16]',
      '--set',
      'td3.criticHidden=[16]',
      '--set',
      'td3.learningStarts=1000',
      '--set',
      'evalEpisodes=1',
    );
    expect(t.code, t.stderr).toBe(0);
    const imported = await importPolicy(exportDir);
    const actor = loadPolicy(next, 'last');
    expect(actor.weights.map((w) => Array.from(w))).toEqual(imported.actor.weights.map((w) => Array.from(w)));
    const stored = JSON.parse(readFileSync(join(next, 'config.json'), 'utf8'));
    expect(stored.config.initPolicy).toBe(exportDir);
  });

  it('refuses an export whose actor does not fit the run', () => {
    const t = cli('train', '--env', 'pendulum', '--steps', '20', '--out', join(tmp.dir, 'misfit'), '--init-policy', exportDir, '--set', 'td3.actorHidden=[32]');
    expect(t.code).not.toBe(0);
    expect(t.stderr).toMatch(/the actor in .* is 3-16-1; this run's actor is 3-32-1/);
  });
});
