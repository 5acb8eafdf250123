/**
 * The `export` and `policy` CLI commands, and export from a run folder through the glue
 * (here a test loader standing in for the learner's checkpoint reader).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli/main.js';
import { Rng } from '../../../src-main/core/rng.js';
import { APP_VERSION } from '../../../src-main/core/version.js';
import { ExportError } from '../../../src-main/export/errors.js';
import { evaluatePolicy } from '../../../src-main/export/runner.js';
import { exportRun, loadActorFromRun, parseCheckpointSelector } from '../../../src-main/export/run-source.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { RunStore, RUN_FILES } from '../../../src-main/store/run-store.js';
import { tempDir } from '../../helpers/tmp.js';
import { readMeta, writeMeta } from './helpers.js';

const tmp = tempDir('drive-lab-export-cli-');
const runsDir = join(tmp.dir, 'runs');
const store = new RunStore(runsDir, APP_VERSION);
const mlp = new Mlp({ inputDim: 3, hidden: [32, 32], outputDim: 1, outputActivation: 'tanh' }, new Rng(8), 'actor');
let runId = '';
let exportDir = '';

/** The real `npm run cli` path: a child process. */
function spawnCli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', runsDir, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same commands in-process (fast): main() with stdout and stderr captured. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(['--runs-dir', runsDir, '--backend', 'cpu', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  const run = store.create({ name: 'exported', env: { id: 'pendulum', maxEpisodeSteps: 100 }, algo: 'ddpg', seed: 3 });
  runId = run.id;
  writeFileSync(join(run.dir, 'eval.json'), JSON.stringify({ step: 2000, mean_return: -321.5, std_return: 12, episodes: 10 }));
  // The glue as the founder will wire it: here it returns our Mlp as checkpoint "best".
  const r = await exportRun({
    runDir: run.dir,
    checkpoint: 'best',
    loadActor: async (_dir, sel) => ({ actor: mlp, checkpoint: `checkpoints/${String(sel)}`, step: 2000 }),
    options: { samples: 200 },
  });
  exportDir = r.dir;
});
afterAll(() => {
  mlp.dispose();
  tmp.cleanup();
});

describe('export from a run', () => {
  it("writes into the run's exports folder with the run's env, algorithm, config, evaluation and provenance", () => {
    expect(exportDir.startsWith(join(runsDir, runId, 'exports', 'best-'))).toBe(true);
    const meta = readMeta(exportDir);
    expect(meta.envId).toBe('pendulum');
    expect(meta.algo).toBe('ddpg');
    expect(meta.config).toMatchObject({ name: 'exported', seed: 3, env: { id: 'pendulum', maxEpisodeSteps: 100 }, td3: { nCritics: 1, policyDelay: 1 } });
    expect(meta.evalSummary).toEqual({ step: 2000, mean_return: -321.5, std_return: 12, episodes: 10 });
    expect(meta.source).toMatchObject({ checkpoint: 'checkpoints/best', selector: 'best', step: 2000 });
  });

  it('the glue says clearly when a run has no checkpoint; selectors parse', async () => {
    const run = store.create({ name: 'untrained' });
    const e = await loadActorFromRun(run.dir, 'last').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExportError);
    expect((e as ExportError).code).toBe('no-checkpoint');
    expect((e as Error).message).toMatch(/^no checkpoint found in .*checkpoints \(the run has not saved one yet\)/);
    expect(parseCheckpointSelector('best')).toBe('best');
    expect(parseCheckpointSelector('last')).toBe('last');
    expect(parseCheckpointSelector('5000')).toBe(5000);
    expect(() => parseCheckpointSelector('newest')).toThrow(/--checkpoint must be best, last or a step number/);
  });
});

describe('cli', () => {
  it('lists export and policy in --help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n  export \[options\]/);
    expect(r.stdout).toMatch(/\n  policy\b/);
  });

  it('export: a run without checkpoints fails with "no checkpoint found"; a bad run or format is bad input', async () => {
    const run = store.create({ name: 'empty run' });
    const r = await cli('export', '--run', run.id, '--format', 'onnx', '--out', join(tmp.dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no checkpoint found in .*checkpoints/);
    expect(existsSync(join(tmp.dir, 'never'))).toBe(false);
    const bad = await cli('export', '--run', 'no-such-run');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: no run "no-such-run"/);
    const fmt = await cli('export', '--run', run.id, '--format', 'pt');
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format: unknown format "pt"/);
  });

  it('policy run --json: per-seed returns from ONNX and TF.js equal the Mlp run directly, on the run env (100 steps)', async () => {
    const direct = await evaluatePolicy(
      (o) => tf.tidy(() => Float32Array.from(mlp.apply(tf.tensor2d(o, [1, 3])).dataSync())),
      { id: 'pendulum', maxEpisodeSteps: 100 },
      { seeds: [4, 5, 6], episodes: 2 },
    );
    for (const format of ['onnx', 'tfjs']) {
      const args = ['--json', 'policy', 'run', '--model', exportDir, '--env', 'pendulum', '--seeds', '4-5,6', '--episodes', '2', '--format', format];
      // ONNX through the real `npm run cli` process; TF.js in-process.
      const r = format === 'onnx' ? spawnCli(...args) : await cli(...args);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.format).toBe(format);
      expect(out.env).toEqual({ id: 'pendulum', maxEpisodeSteps: 100 });
      expect(out.seeds.map((s: { seed: number }) => s.seed)).toEqual([4, 5, 6]);
      out.seeds.forEach((s: { returns: number[]; lengths: number[] }, i: number) => {
        expect(s.lengths).toEqual([100, 100]);
        s.returns.forEach((ret, e) => expect(Math.abs(ret - direct.seeds[i]!.returns[e]!)).toBeLessThan(1e-3));
      });
      expect(Math.abs(out.meanReturn - direct.meanReturn)).toBeLessThan(1e-3);
    }
  });

  it('policy run / check refuse a wrong env, a tampered export, and a missing folder', async () => {
    const wrongEnv = await cli('policy', 'run', '--model', exportDir, '--env', 'mountaincar');
    expect(wrongEnv.code).toBe(2);
    expect(wrongEnv.stderr).toMatch(/^error: this policy was exported for "pendulum", not "mountaincar"/);
    const ok = await cli('policy', 'check', '--model', exportDir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: /);
    const tampered = join(tmp.dir, 'tampered');
    mkdirSync(tampered);
    for (const f of ['metadata.json', 'model.json', 'weights.bin', 'policy.onnx', 'README.md'])
      writeFileSync(join(tampered, f), readFileSync(join(exportDir, f)));
    const meta = readMeta(tampered);
    meta.files['policy.onnx'] = '0'.repeat(64);
    writeMeta(tampered, meta);
    const bad = await cli('policy', 'check', '--model', tampered);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: policy.onnx: sha256 [0-9a-f]{12}\.\.\. differs from metadata.json's 000000000000\.\.\./);
    const missing = await cli('policy', 'run', '--model', join(tmp.dir, 'nothing-here'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: no policy export at .*nothing-here \(folder not found\)/);
    expect(existsSync(join(runsDir, runId, RUN_FILES.exports))).toBe(true);
  });
});
