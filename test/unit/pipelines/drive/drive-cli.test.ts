/**
 * The drive command end to end on a tiny budget (16x16 camera, a 2-conv VAE, 2 VAE epochs, 2
 * training episodes of 5 updates, 2 short test routes, 1 pixels-baseline episode), then the
 * export of its VAE-observation policy: raw images in, verified in ONNX and TF.js, and driving
 * the test routes exactly as the pipeline's own last evaluation did.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonlLines } from '../../../../src-main/core/durable-write.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const runDir = join(tmp.dir, 'drive-tiny');
const tiny = {
  env: { camera: { width: 16, height: 16 } },
  td3: { actorHidden: [8], criticHidden: [8], gradientSteps: 5, batchSize: 8 },
  drive: {
    frames: { count: 48, maxPerEpisode: 16 },
    vae: { filters: [4, 8], latentDim: 4, epochs: 2, batchSize: 8 },
    routeLengthM: 20,
    freshRoutes: 3,
  },
};
let summary: Record<string, any>;

beforeAll(() => {
  const cfg = join(tmp.dir, 'tiny.json');
  writeFileSync(cfg, JSON.stringify(tiny));
  const r = cli(
    '--json',
    'drive',
    '--seed',
    '2',
    '--algo',
    'ddpg',
    '--out',
    runDir,
    '--config',
    cfg,
    '--episodes',
    '2',
    '--test-routes',
    '2',
    '--pixels-episodes',
    '1',
  );
  expect(r.code, r.stderr).toBe(0);
  summary = JSON.parse(r.stdout);
}, 180_000);

describe('drive command', () => {
  it('runs every stage and writes the report with a Table I', () => {
    expect(summary).toMatchObject({ dir: runDir, status: 'finished', algo: 'ddpg', seed: 2 });
    const state = JSON.parse(readFileSync(join(runDir, 'drive.json'), 'utf8'));
    for (const s of ['collect', 'vae', 'rl', 'pixels', 'report']) expect(state.stages[s].status, s).toBe('done');
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    expect(report.table.map((r: { method: string }) => r.method.split(' (')[0])).toEqual([
      'Random policy',
      'Zero policy',
      'Deep RL from pixels',
      'Deep RL from VAE',
    ]);
    expect(report.protocol).toMatchObject({ routes: 2, routeLengthM: 20 });
    expect(report.frames.count).toBe(48);
    expect(report.vae.evaluations).toBeGreaterThanOrEqual(1);
    expect(report.vae.evaluations).toBeLessThanOrEqual(2);
    expect(report.pixels.evaluations).toBe(1);
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toMatch(/## Table I/);
    expect(md).toMatch(/\| Deep RL from VAE/);
    expect(summary.report.table).toHaveLength(4);
  });

  it('prints the headline figures flat in --json: episodes to clean, wall clock, stop reason, the fresh routes', () => {
    const state = JSON.parse(readFileSync(join(runDir, 'drive.json'), 'utf8'));
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    expect(summary.episodes_to_clean).toBe(report.vae.firstCleanEpisode);
    expect(summary.episodes_to_clean === null || Number.isInteger(summary.episodes_to_clean)).toBe(true);
    expect(summary.wall_s).toBeGreaterThan(0);
    expect(summary.stop_reason).toBe(state.stages.rl.stopReason);
    expect(summary.stop_reason).toMatch(/^(clean after \d+ episodes?|episode budget \(2\) reached)$/);
    expect(Object.keys(summary.fresh).sort()).toEqual(['clean_routes', 'disengagements', 'mpd', 'routes']);
    expect(summary.fresh.routes).toBe(3);
    expect(summary.fresh.clean_routes).toBeLessThanOrEqual(3);
    expect(summary.fresh).toEqual({
      routes: 3,
      clean_routes: report.vae.fresh.clean_routes,
      disengagements: report.vae.fresh.disengagements,
      mpd: report.vae.fresh.mpd,
    });
  });

  it("keeps the VAE agent's env steps as the run's step (status messages used to reset it to 0)", () => {
    const evals = (readJsonlLines(join(runDir, 'metrics.jsonl')).lines as Array<Record<string, any>>).filter((l) => l.kind === 'drive_eval');
    const last = evals[evals.length - 1]!.step as number;
    expect(last).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).step).toBe(last);
  });

  it('keeps the VAE losses, the reconstruction grid and one evaluation per training episode', () => {
    const lines = readJsonlLines(join(runDir, 'metrics.jsonl')).lines as Array<Record<string, any>>;
    const val = lines.filter((l) => l.kind === 'vae' && typeof l.val_loss === 'number');
    expect(val).toHaveLength(2);
    const png = readFileSync(join(runDir, 'vae', 'reconstructions.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const episodes = lines.filter((l) => l.kind === 'episode').length;
    const evals = lines.filter((l) => l.kind === 'drive_eval');
    expect(evals.length).toBe(episodes);
    expect(evals.every((e) => e.routes === 2 && e.agent === 'vae')).toBe(true);
    const pixels = readJsonlLines(join(runDir, 'pixels', 'metrics.jsonl')).lines as Array<Record<string, any>>;
    expect(pixels.filter((l) => l.kind === 'drive_eval' && l.agent === 'pixels')).toHaveLength(1);
  });

  it('exports the policy with its encoder: raw camera images in, verified in both formats', () => {
    const exportDir = join(tmp.dir, 'export');
    const e = cli('--json', 'export', '--run', runDir, '--checkpoint', 'last', '--format', 'tfjs,onnx', '--out', exportDir);
    expect(e.code, e.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(exportDir, 'metadata.json'), 'utf8'));
    expect(meta.observation).toMatchObject({ kind: 'image', image: { height: 16, width: 16, channels: 3, layout: 'NHWC' } });
    expect(meta.observation.extra.shape).toEqual([2]);
    expect(meta.architecture.encoder).toMatchObject({ imageShape: [16, 16, 3], latentDim: 4, extraDim: 2 });
    expect(meta.io.inputs.map((i: { name: string }) => i.name)).toEqual(['image', 'extra']);
    expect(meta.verification.maxAbsDiff.onnx).toBeLessThan(1e-4);
    expect(meta.verification.maxAbsDiff.tfjs).toBeLessThan(1e-4);
    expect(existsSync(join(exportDir, 'policy.onnx')) || meta.formats.onnx).toBeTruthy();
    // The export drives the test routes as the pipeline's last evaluation of the same actor did.
    const lines = readJsonlLines(join(runDir, 'metrics.jsonl')).lines as Array<Record<string, any>>;
    const last = lines.filter((l) => l.kind === 'drive_eval').at(-1)!;
    const ev = cli('--json', 'eval', '--policy', exportDir, '--seeds', 'test:2', '--route', '20');
    expect(ev.code, ev.stderr).toBe(0);
    const r = JSON.parse(ev.stdout);
    const overall = r.overall ?? r;
    expect(overall.disengagements).toBe(last.disengagements);
    expect(overall.distance).toBeCloseTo(last.distance, 0);
  });

  it('rejects bad options with a one-line reason', () => {
    const r = cli('drive', '--algo', 'sac');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--algo must be one of td3, ddpg for the drive pipeline/);
    const again = cli('drive', '--out', runDir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });
});
