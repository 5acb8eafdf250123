/**
 * Budgets that cannot starve learning: the RL stages are bounded by episodes and by their own
 * wall clock, never by a clock shared with the frame and VAE stages. A tiny pipeline runs in
 * process with an injected clock on which the VAE stage takes hours and the pixels stage's
 * episodes take 20 minutes each: the VAE agent still trains its episode budget, the pixels
 * baseline stops at its own cap, and every stage's stop reason is recorded in words in
 * drive.json, the report and the app's view. Plus the budget rules as pure functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveRunInput } from '../../../../src-shared/config/drive.js';
import { DriveRunView } from '../../../../src-shared/drive-view.js';
import type { RunConfigInput } from '../../../../src-shared/config/run-config.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { capText, rlSecondsLeft, rlStopReason } from '../../../../src-main/pipelines/drive/budget.js';
import { driveRunView } from '../../../../src-main/pipelines/drive/drive-view.js';
import { DrivePipeline, readDriveState } from '../../../../src-main/pipelines/drive/pipeline.js';
import { fakeJob } from '../../rl/fake-job.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('RL budget rules', () => {
  const budget = { episodes: 35, capS: 20 * 60 };
  it('says why a stage stops, in words, clean first', () => {
    expect(rlStopReason({ clean: true, episodes: 4, stageS: 10, budget })).toBe('clean after 4 episodes');
    expect(rlStopReason({ clean: true, episodes: 1, stageS: 10, budget })).toBe('clean after 1 episode');
    expect(rlStopReason({ clean: false, episodes: 35, stageS: 10, budget })).toBe('episode budget (35) reached');
    expect(rlStopReason({ clean: false, episodes: 3, stageS: 1200, budget })).toBe('wall-clock cap (20 min) reached');
    expect(rlStopReason({ clean: false, episodes: 3, stageS: 1199, budget })).toBeNull();
    expect(capText(90)).toBe('1.5 min');
    expect(capText(30)).toBe('30 s');
  });

  it('estimates the time left from the mean episode time, never beyond the cap', () => {
    expect(rlSecondsLeft({ episodes: 5, stageS: 100, budget })).toBe(30 * 20);
    expect(rlSecondsLeft({ episodes: 5, stageS: 1000, budget })).toBe(200);
    expect(rlSecondsLeft({ episodes: 0, stageS: 0, budget })).toBe(1200);
  });
});

describe('a slow VAE stage does not shorten the RL stage', () => {
  const runDir = join(tmp.dir, 'slow-vae');
  const phaseJumps: Record<string, number> = { vae: 3 * 3600_000, pixels: 20 * 60_000 };
  let phase = '';
  let skew = 0;
  // Every reading of the clock during the VAE stage moves it 3 hours on, during the pixels stage 20 minutes.
  const clock = () => {
    skew += phaseJumps[phase] ?? 0;
    return performance.now() + skew;
  };

  beforeAll(async () => {
    await selectBackend('wasm');
    const base = driveRunInput({ seed: 3, algo: 'td3', drive: {} });
    const input = {
      ...base,
      backend: 'wasm',
      env: { ...(base.env as object), camera: { width: 16, height: 16 } },
      td3: { ...(base.td3 as object), actorHidden: [8], criticHidden: [8], gradientSteps: 5, batchSize: 8 },
      drive: {
        frames: { count: 32, maxPerEpisode: 16 },
        vae: { filters: [4, 8], latentDim: 4, epochs: 1, batchSize: 8 },
        budgetEpisodes: 2,
        testRoutes: 2,
        freshRoutes: 3,
        routeLengthM: 150,
        pixels: { budgetEpisodes: 5, budgetMinutes: 30 },
      },
    } as RunConfigInput;
    const f = fakeJob(runDir, input);
    f.job.out.stage = (u) => {
      if (u.status === 'running' && u.message.endsWith(': started')) phase = u.stage;
    };
    try {
      await new DrivePipeline(f.job, {}, undefined, clock).run();
    } finally {
      f.close();
    }
    expect(f.statuses.at(-1)?.status).toBe('finished');
  }, 300_000);

  // With this seed neither agent is clean on the 150 m routes (the budget branches run); a clean
  // evaluation would be a legitimate earlier stop, checked for its words instead.
  it('the VAE stage took hours on its clock; the VAE agent still trained to its episode budget (or clean)', () => {
    const s = readDriveState(runDir)!;
    expect(s.stages.vae.seconds).toBeGreaterThan(3 * 3600);
    expect(s.stages.vae.stopReason).toBe('1 epoch done (its own budget)');
    expect(s.stages.collect.stopReason).toBe('32 frames collected');
    const rl = s.stages.rl;
    const episodes = rl.detail?.episodes as number;
    if (rl.stopReason!.startsWith('clean')) expect(rl.stopReason).toBe(`clean after ${episodes} episode${episodes === 1 ? '' : 's'}`);
    else {
      expect(episodes).toBe(2);
      expect(rl.stopReason).toBe('episode budget (2) reached');
    }
    expect(rl.etaS).toBeUndefined();
  });

  it('the pixels baseline stops at its own wall-clock cap, after its episodes, not at the pipeline clock', () => {
    const px = readDriveState(runDir)!.stages.pixels;
    if (!px.stopReason!.startsWith('clean')) {
      expect(px.stopReason).toBe('wall-clock cap (30 min) reached');
      expect(px.detail?.episodes).toBe(2);
    }
  });

  it('drives the final policies on fresh routes and reports every stop reason (drive.json, report, app view)', () => {
    const s = readDriveState(runDir)!;
    const fresh = s.stages.rl.detail?.fresh as { routes: number; seeds: number[] };
    expect(fresh.routes).toBe(3);
    expect(fresh.seeds).toEqual([1_000_002, 1_000_004]);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    expect(report.stages.rl.stopReason).toBe(s.stages.rl.stopReason);
    expect(report.vae.stopReason).toBe(s.stages.rl.stopReason);
    expect(report.vae.fresh.routes).toBe(3);
    expect(report.pixels.fresh.routes).toBe(3);
    expect(report.protocol.fresh).toMatchObject({ routes: 3, seeds: [1_000_002, 1_000_004] });
    expect(report.protocol.rule).toBe('centre');
    expect(report.protocol.note).toMatch(/centre rule/);
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toContain(`Its training stopped: ${s.stages.rl.stopReason}.`);
    expect(md).toMatch(/## Generalization: fresh held-out routes/);
    expect(md).toContain(`| pixels | done |`);
    expect(md).toContain(s.stages.pixels.stopReason!);
    const view = DriveRunView.parse(driveRunView(runDir));
    expect(view.stages.find((x) => x.id === 'rl')?.stopReason).toBe(s.stages.rl.stopReason);
    expect(view.stages.find((x) => x.id === 'vae')?.stopReason).toBe('1 epoch done (its own budget)');
    expect(view.report?.fresh?.map((x) => x.agent)).toEqual(['vae', 'pixels']);
  });
});
