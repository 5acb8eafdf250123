/**
 * A drive pipeline run in the app, end to end in headless Chromium: started from the UI, its
 * Pipeline tab shows the stages going from waiting through running to done, the VAE's
 * reconstruction grid, the evaluation plot after each training episode (the VAE agent's and the
 * pixels baseline's), and the report's Table I; the live stream (as the Live view watches it)
 * carries the agent's camera in both RL stages and the VAE's reconstruction in the VAE agent's.
 * Tiny everything (16x16 camera, 48 frames, a 2-layer VAE, 8-unit nets, 2 episodes, 20 m routes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';
import { DRIVE_TD3 } from '../../src-shared/config/drive.js';

describe('drive pipeline run in the app', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';
  const stagesSeen = new Set<string>();
  /** The stage running now, and what the live stream sent during each stage. */
  let stageNow = '';
  const streamed = new Map<string, { frames: number; camera: number; reconstruction: number }>();
  let lease: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    ctx = await startServer();
    ctx.engine.bus.on('run.event', ({ event }) => {
      if (event.kind === 'stage' || event.kind === 'stage_progress') stagesSeen.add(`${String(event.stage)}:${String(event.status)}`);
      if (event.kind === 'stage' && event.status === 'running') stageNow = String(event.stage);
    });
    ctx.engine.bus.on('run.frame', (f) => {
      const s = streamed.get(stageNow) ?? { frames: 0, camera: 0, reconstruction: 0 };
      s.frames++;
      if (f.camera) s.camera++;
      if (f.reconstruction) s.reconstruction++;
      streamed.set(stageNow, s);
    });
    const run = await ctx.engine.client().request('runs.create', {
      config: {
        name: 'e2e drive',
        seed: 3,
        env: { id: 'lane', obs: 'vae', camera: { width: 16, height: 16 } },
        td3: {
          trainSchedule: 'episodes',
          gradientSteps: 5,
          learningStarts: 0,
          batchSize: 8,
          actorHidden: [8],
          criticHidden: [8],
          bufferSize: 5000,
          noise: { type: 'ou', theta: 0.6, sigma: 0.4, dt: 0.05, mu: 0 },
        },
        drive: {
          frames: { count: 48, maxPerEpisode: 16 },
          vae: { filters: [4, 8], latentDim: 4, epochs: 2, batchSize: 8 },
          budgetEpisodes: 2,
          testRoutes: 2,
          routeLengthM: 20,
          pixels: { budgetEpisodes: 2 },
        },
      },
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/pipeline`));
    // As the Live view does while open: keep a watch lease on the run for the whole pipeline.
    const watch = () =>
      void ctx.engine
        .client()
        .request('live.watch', { id, seconds: 5 })
        .catch(() => {});
    watch();
    lease = setInterval(watch, 500);
  });
  afterAll(async () => {
    clearInterval(lease);
    await browser?.close();
    await ctx?.stop();
  });

  const stageStatus = (s: string) => page.getAttribute(`[data-testid="stage-${s}"]`, 'data-status');

  it('shows the stages waiting, runs them from the UI, and ends with reconstructions, evaluations and the report', async () => {
    await page.waitForSelector('[data-testid="pipeline-panel"] [data-testid="stage-collect"]');
    expect(await page.isVisible('[data-testid="tab-pipeline"]')).toBe(true);
    for (const s of ['collect', 'vae', 'rl', 'pixels', 'report']) expect(await stageStatus(s)).toBe('pending');

    await page.click('[data-testid="btn-toggle-training"]');
    // While it runs, the header names the stage instead of a step count against the 10M cap.
    await page.waitForSelector('[data-testid="progress-stage"]', { state: 'attached', timeout: 30_000 });
    // The VAE's reconstruction grid appears once it has trained an epoch.
    await page.waitForSelector('[data-testid="vae-reconstruction"]', { timeout: 60_000 });
    const img = await page.$eval('[data-testid="vae-reconstruction"]', (el) => ({
      w: (el as HTMLImageElement).naturalWidth,
      h: (el as HTMLImageElement).naturalHeight,
    }));
    expect(img.w).toBeGreaterThan(16);
    expect(img.h).toBeGreaterThanOrEqual(32); // originals above reconstructions

    await page.waitForSelector('[data-testid="report-table"]', { timeout: 60_000 });
    expect(await stageStatus('collect')).toBe('done');
    expect(await stageStatus('vae')).toBe('done');
    expect(await stageStatus('rl')).toBe('done');
    expect(await stageStatus('pixels')).toBe('done');
    await expect.poll(() => stageStatus('report'), { timeout: 10_000 }).toBe('done');
    // Each stage was seen running live (stage events) before it was done.
    for (const s of ['collect', 'vae', 'rl', 'pixels', 'report']) expect(stagesSeen.has(`${s}:running`), s).toBe(true);

    // The Live view's stream during the RL stages: the agent's camera in both, the VAE's
    // reconstruction beside it while the VAE agent trains (the pixels agent has no VAE).
    const rl = streamed.get('rl');
    const px = streamed.get('pixels');
    console.log(`live frames streamed: rl ${JSON.stringify(rl)}, pixels ${JSON.stringify(px)}`);
    expect(rl?.camera).toBeGreaterThan(0);
    expect(rl?.reconstruction).toBeGreaterThan(0);
    expect(px?.camera).toBeGreaterThan(0);
    expect(px?.reconstruction).toBe(0);

    // One evaluation point per training episode on the plot, for both agents (the pixels
    // baseline's come from its own pixels/metrics.jsonl), and the summary line.
    expect(await page.locator('[data-testid="eval-plot"] circle.vae').count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.locator('[data-testid="eval-plot"] circle.pixels').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('[data-testid="eval-summary"]')).toMatch(/episode \d/);
    const table = await page.textContent('[data-testid="report-table"]');
    expect(table).toMatch(/Random policy/);
    expect(table).toMatch(/Zero policy/);
    expect(table).toMatch(/VAE/);
    // The runs list shows the agent's env steps (kept after the run finished), not a fraction of the 10M cap.
    await expect
      .poll(() => page.textContent('[data-testid="run-item"][aria-current="page"] [data-testid="run-steps"]'), { timeout: 10_000 })
      .toMatch(/^[1-9][\d.,kM]* env steps · pipeline$/);
    await screenshot(page, 'pipeline-tab');
    expect(errors).toEqual([]);
  }, 150_000);

  it('creates a drive pipeline run from the New-run form\'s "Learning to drive in a day" template', async () => {
    await page.goto(`${ctx.server.url}#/new`);
    await page.click('[data-testid="template-drive"]');
    await page.waitForSelector('[data-testid="template-drive"][aria-current="page"]');
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="run-view"] [data-testid="tab-pipeline"]');
    const runId = await page.getAttribute('[data-testid="run-view"]', 'data-run-id');
    expect(runId).not.toBe(id);
    const detail = await ctx.engine.client().request('runs.get', { id: runId! });
    // The CLI's defaults (src-shared driveRunInput): the VAE latent, the drive recipe (DRIVE_TD3), a drive block.
    expect(detail.config.env).toMatchObject({ id: 'lane', obs: 'vae' });
    expect(detail.config.td3).toMatchObject({
      gamma: DRIVE_TD3.gamma,
      tau: DRIVE_TD3.tau,
      gradientSteps: 250,
      trainSchedule: 'episodes',
      replay: { type: 'uniform', nStep: 10 },
    });
    expect(detail.config.drive?.frames.count).toBe(3000);
    await page.click('[data-testid="tab-pipeline"]');
    await page.waitForSelector('[data-testid="stage-collect"][data-status="pending"]');
    expect(errors).toEqual([]);
  }, 60_000);
});
