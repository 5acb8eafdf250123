/**
 * Watching a lane run whose conv encoder trains (obs "vae", mode "scratch": the encoder sits in
 * the learner) does not stop it: the Live view streams frames with their Q values (the critic
 * reads the camera image through the encoder) for 20 s, one keyboard takeover hands the car to
 * the user and back, and the run keeps training (status running, the step grows, no failure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EventOf } from '../../src-shared/contract.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';

describe('live view and takeover on a scratch-encoder lane run', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';
  let lastProgress: EventOf<'run.progress'> | undefined;
  const statuses: Array<EventOf<'run.status'>> = [];
  const frames: Array<EventOf<'run.frame'>> = [];

  beforeAll(async () => {
    ctx = await startServer();
    ctx.engine.bus.on('run.progress', (p) => (lastProgress = p));
    ctx.engine.bus.on('run.frame', (f) => frames.push(f));
    ctx.engine.bus.on('run.status', (s) => statuses.push(s));
    const run = await ctx.engine.client().request('runs.create', {
      config: {
        name: 'e2e scratch encoder',
        env: { id: 'lane', obs: 'vae', vae: { mode: 'scratch', filters: [4, 8], latentDim: 8 }, camera: { width: 32, height: 32 } },
        totalSteps: 50_000,
        evalEvery: 0,
        evalEpisodes: 1,
        logEvery: 200,
        checkpointEvery: 0,
        td3: { learningStarts: 60, batchSize: 8, actorHidden: [16], criticHidden: [16], bufferSize: 5_000 },
      },
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/live`));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const status = () => page.getAttribute('[data-testid="run-view"] [data-testid="status-chip"]', 'data-status');
  const failed = () => statuses.filter((s) => s.id === id && s.status === 'failed');

  it('is watched for 20 s with one takeover and keeps training', async () => {
    await page.waitForSelector('[data-testid="live-view"]');
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 15_000 }).toBe('running');
    const watchStart = Date.now();
    // Past the warm-up, the actor drives and the critic reads the camera through the encoder.
    await expect.poll(() => lastProgress?.step ?? 0, { timeout: 60_000 }).toBeGreaterThan(100);
    await expect.poll(() => frames.filter((f) => f.id === id && f.source === 'agent' && f.q !== null).length, { timeout: 20_000 }).toBeGreaterThan(3);
    expect(await page.textContent('[data-testid="q-value"]')).toMatch(/\d/);
    expect(failed()).toEqual([]);

    // One takeover: the frames come from the user, with Q values; Escape hands back.
    await page.locator('body').focus();
    await page.keyboard.down('ArrowLeft');
    await page.waitForSelector('[data-testid="driving-banner"]', { timeout: 10_000 });
    await expect.poll(() => frames.filter((f) => f.id === id && f.source === 'manual' && f.q !== null).length, { timeout: 10_000 }).toBeGreaterThan(3);
    await page.keyboard.up('ArrowLeft');
    await screenshot(page, 'live-lane-scratch-encoder-driving');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="driving-banner"]', { state: 'detached', timeout: 10_000 });
    await expect.poll(() => frames.at(-1)?.source, { timeout: 10_000 }).not.toBe('manual');

    // Watched for 20 s in all; the run trains on.
    const left = 20_000 - (Date.now() - watchStart);
    if (left > 0) await page.waitForTimeout(left);
    const before = lastProgress!.step;
    await expect.poll(() => lastProgress!.step, { timeout: 20_000 }).toBeGreaterThan(before);
    expect(await status()).toBe('running');
    expect(failed()).toEqual([]);
    const q = frames.filter((f) => f.id === id && f.q !== null).at(-1)!.q!;
    expect(Number.isFinite(q)).toBe(true);
    expect(errors).toEqual([]);
  });
});
