/**
 * The live view of an arm run in headless Chromium: the arm scene (table, links, target) from
 * scene.arm, moved by the streamed poses while the run trains, with one bar per action element
 * and the critic's Q-value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { canvasStats, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';

describe('live view of an arm run', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  beforeAll(async () => {
    ctx = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  it('draws the arm scene and moves it with the streamed poses', async () => {
    const client = ctx.engine.client();
    const run = await client.request('runs.create', {
      config: {
        name: 'arm live',
        env: { id: 'arm-reach' },
        totalSteps: 50_000,
        evalEvery: 0,
        checkpointEvery: 0,
        logEvery: 200,
        td3: { learningStarts: 100, batchSize: 16, actorHidden: [16], criticHidden: [16] },
      },
    });
    let frames = 0;
    ctx.engine.bus.on('run.frame', (f) => {
      if (f.id === run.id && f.pose.kind === 'arm') frames++;
    });
    const { page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${run.id}/live`);
    await client.request('train.start', { id: run.id });
    await page.waitForSelector('[data-testid="scene-canvas"][data-ready="true"]', { timeout: 20_000 });
    await expect.poll(() => frames, { timeout: 30_000 }).toBeGreaterThan(10);
    const a = await canvasStats(page, '[data-testid="scene-canvas"]');
    expect(a.distinctColours).toBeGreaterThan(100);
    await expect.poll(async () => (await canvasStats(page, '[data-testid="scene-canvas"]')).checksum, { timeout: 5_000, interval: 250 }).not.toBe(a.checksum);
    await expect.poll(() => page.locator('[data-testid="action-bar"]').count(), { timeout: 5_000 }).toBeGreaterThan(1);
    expect(await page.textContent('[data-testid="q-value"]')).toMatch(/\d/);
    await screenshot(page, 'live-arm');
    await client.request('train.stop', { id: run.id });
    expect(errors).toEqual([]);
  });
});
