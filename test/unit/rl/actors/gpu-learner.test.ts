/**
 * A run on `--backend webgpu`, end to end through the CLI in a child process (the Vulkan driver
 * is chosen per process: ml/webgpu/vulkan.ts; CI has Chromium's SwiftShader): the learner trains
 * on the GPU behind an actor thread on a CPU backend, its statistics, evaluations (in their own
 * thread) and checkpoints read the GPU only asynchronously, and what it writes evaluates again on
 * the cpu backend to the same figure. Skipped, with the reason, only where no Vulkan driver
 * exists. The learning figure (pendulum to >= -200) is a benchmark: bench/RESULTS.md, "WebGPU".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planVulkan, vulkanChildEnv } from '../../../../src-main/ml/webgpu/vulkan.js';
import { tempDir } from '../../../helpers/tmp.js';

const env = vulkanChildEnv();
if (!env) console.warn(`webgpu run test skipped: ${planVulkan().detail}`);
const tmp = tempDir('drive-lab-gpu-learner-');
afterAll(() => tmp.cleanup());

function cli(args: string[]): { code: number; out: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', join(tmp.dir, 'runs'), ...args], {
    encoding: 'utf8',
    timeout: 240_000,
    env: env ?? process.env,
  });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
}

describe.skipIf(!env)('a training run on the webgpu backend', () => {
  it('trains behind an actor thread, evaluates and checkpoints without synchronous reads', { timeout: 300_000 }, () => {
    const dir = join(tmp.dir, 'gpu-run');
    const small = [
      'td3.actorHidden=[16,16]',
      'td3.criticHidden=[16,16]',
      'td3.batchSize=16',
      'td3.learningStarts=100',
      'evalEvery=200',
      'evalEpisodes=2',
      'checkpointEvery=200',
      'logEvery=100',
    ];
    const r = cli(['--backend', 'webgpu', 'train', '--env', 'pendulum', '--steps', '300', '--out', dir, ...small.flatMap((s) => ['--set', s])]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/finished at step 300\/300 .*\(webgpu\)/);
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { backend: string; config: { actors?: { mode: string } } };
    expect(stored.backend).toBe('webgpu');
    expect(stored.config.actors?.mode).toBe('async');
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; critic_loss?: number; mean_return?: number });
    const train = lines.filter((l) => l.kind === 'train' && l.critic_loss !== undefined);
    expect(train.length).toBeGreaterThan(0);
    for (const l of train) expect(Number.isFinite(l.critic_loss)).toBe(true);
    // The final evaluation always; the one at step 200 only when the learner took a batch that
    // ended between 200 and 300 (several batches queued behind the slow adapter can take it from
    // below 200 to the end at once, and the final evaluation then stands for both).
    expect(lines.filter((l) => l.kind === 'eval').length).toBeGreaterThanOrEqual(1);
    const final = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as { step: number; mean_return: number; episodes: number };
    expect(final).toMatchObject({ step: 300, episodes: 2 });
    const ckpts = readdirSync(join(dir, 'checkpoints'));
    expect(ckpts).toContain('ckpt-000000000300');
    expect(existsSync(join(dir, 'checkpoints', 'best.json'))).toBe(true);
    // The last checkpoint's policy, read back on the cpu backend, scores what the run's final evaluation did.
    const again = cli(['--backend', 'cpu', 'eval', '--policy', dir, '--checkpoint', 'last', '--json']);
    expect(again.code, again.out).toBe(0);
    const mean = (JSON.parse(again.stdout) as { mean_return: number }).mean_return;
    expect(mean).toBeCloseTo(final.mean_return, 3);
  });
});
