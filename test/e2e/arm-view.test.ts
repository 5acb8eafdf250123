/**
 * The arm's Live view, end to end in headless Chromium (browser mode), on a training arm-reach
 * run: the action bars are named after the joints they drive, a HUD gives the distance to the
 * goal, whether it is reached and a legend of the goal marker; there is no Disengagements tab;
 * the orbit zoom the user set is kept when they go to another tab and back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';

const SCENE = '[data-testid="scene-canvas"]';

describe('arm live view: joint names, goal readout, zoom kept', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';

  beforeAll(async () => {
    ctx = await startServer();
    const run = await ctx.engine.client().request('runs.create', {
      config: {
        name: 'arm view',
        env: { id: 'arm-reach' },
        totalSteps: 50_000,
        evalEvery: 0,
        checkpointEvery: 0,
        logEvery: 200,
        td3: { learningStarts: 100, batchSize: 16, actorHidden: [16], criticHidden: [16] },
      },
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/live`));
    await ctx.engine.client().request('train.start', { id });
    await page.waitForSelector(`${SCENE}[data-ready="true"]`, { timeout: 30_000 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  it('names the action bars after the joints and reads out the goal distance', async () => {
    const scene = await ctx.engine.client().request('scene.arm', { env: 'arm-reach', seed: 0 });
    await expect.poll(() => page.locator('[data-testid="action-name"]').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const names = await page.locator('[data-testid="action-name"]').allTextContents();
    expect(names).toEqual(scene.joints.map((j) => j.name).slice(0, names.length));
    expect(names.some((n) => /^Action \d/.test(n))).toBe(false);
    await expect.poll(() => page.locator('[data-testid="arm-distance"]').count(), { timeout: 10_000 }).toBe(1);
    expect(Number(await page.textContent('[data-testid="arm-distance"]'))).toBeGreaterThanOrEqual(0);
    expect(await page.textContent('[data-testid="arm-success"]')).toMatch(/^(reached|not reached)$/);
    expect(await page.textContent('[data-testid="arm-hud"]')).toContain(`goal  reached (within ${(scene.target.threshold * 100).toFixed(0)} cm)`);
    await screenshot(page, 'arm-view');
    // An arm has no disengagements: no such tab.
    expect(await page.locator('[data-testid="tab-disengagements"]').count()).toBe(0);
  });

  it('keeps the orbit zoom across tabs', async () => {
    const distance = async () => Number(await page.getAttribute(SCENE, 'data-camera-distance'));
    await expect.poll(distance).toBeGreaterThan(0);
    const before = await distance();
    const box = (await page.locator(SCENE).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -200);
    await expect.poll(distance, { timeout: 5_000 }).toBeLessThan(before * 0.8);
    await page.waitForTimeout(800); // damping settles
    const zoomed = await distance();
    await page.click('[data-testid="tab-curves"]');
    await page.waitForSelector(SCENE, { state: 'detached' });
    await page.click('[data-testid="tab-live"]');
    await page.waitForSelector(`${SCENE}[data-ready="true"]`, { timeout: 20_000 });
    await expect.poll(distance, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(await distance()).toBeCloseTo(zoomed, 2);
    await ctx.engine.client().request('train.stop', { id });
    expect(errors).toEqual([]);
  });
});
