/**
 * A frozen-VAE lane run is evaluated on what its policy was trained on: the trainer's evaluation
 * (eval.json, the best checkpoint) equals `eval --policy <run>` on the same held-out routes.
 * (The trainer used to hand the raw camera image to an actor that reads the VAE latent.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVaeModel } from '../../../../src-main/rl/encoder/vae-model.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { ConvVae } from '../../../../src-main/ml/vae.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir('drive-lab-frozen-eval-');
afterAll(() => tmp.cleanup());
const runDir = join(tmp.dir, 'frozen-run');
const modelDir = join(tmp.dir, 'vae-model');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, '--backend', 'wasm', ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await selectBackend('wasm');
  const vae = new ConvVae(
    { height: 32, width: 32, channels: 3, filters: [4, 8], kernelSize: 4, latentDim: 4, beta: 1, learningRate: 1e-3 },
    new Rng(5),
    'frozen-eval-vae',
  );
  writeVaeModel(modelDir, vae.spec, vae.getWeights());
  vae.dispose();
  const sets = [
    'env.obs=vae',
    `env.vae.model=${modelDir}`,
    'env.vae.mode=frozen',
    'env.vae.normalize=false',
    'env.camera.width=32',
    'env.camera.height=32',
    'env.maxEpisodeSteps=60',
    'td3.actorHidden=[8]',
    'td3.criticHidden=[8]',
    'td3.batchSize=16',
    'td3.learningStarts=60',
    'evalEpisodes=2',
    'evalEvery=0',
    'checkpointEvery=0',
  ].flatMap((s) => ['--set', s]);
  const t = cli('train', '--env', 'lane', '--steps', '120', '--seed', '4', '--out', runDir, ...sets);
  expect(t.code, t.stderr).toBe(0);
}, 300_000);

describe('frozen-VAE lane run', () => {
  it("the trainer's evaluation equals eval --policy on the same routes", () => {
    const trained = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')) as {
      returns: number[];
      seeds: number[];
      protocol: { routes: Array<{ seed: number; distance: number; disengagements: number; steps: number; mpd: number }> };
    };
    expect(trained.seeds).toHaveLength(2);
    const r = cli('--json', 'eval', '--policy', runDir, '--checkpoint', 'best', '--seeds', trained.seeds.join(','));
    expect(r.code, r.stderr).toBe(0);
    const evaluated = JSON.parse(r.stdout) as { seeds: Array<{ seed: number; distance: number; disengagements: number; steps: number; mpd: number }> };
    const pick = (s: { seed: number; distance: number; disengagements: number; steps: number; mpd: number }) => ({
      seed: s.seed,
      distance: s.distance,
      disengagements: s.disengagements,
      steps: s.steps,
      mpd: s.mpd,
    });
    expect(evaluated.seeds.map(pick)).toEqual(trained.protocol.routes.map(pick));
  });
});
