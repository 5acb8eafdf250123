/**
 * Nothing is clipped in a small window, end to end in headless Chromium (browser mode): at
 * 1024x700 and 1400x900 the run list's cards (a drive pipeline run with its template's long
 * default name among them), the Live view's camera buttons, the disengagement log's columns and
 * replay buttons and the road map's legend all lie inside their containers; the sidebar
 * collapses to give the run more room, and the choice survives a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { driveRunInput } from '../../src-shared/config/drive.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, slowLaneRun, waitConnected } from './support/app.js';
import { clippedElements } from './support/layout.js';

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1400, height: 900 },
] as const;

describe('small windows: nothing clipped, a collapsible sidebar', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    await client.request('runs.create', { config: driveRunInput({ seed: 0, algo: 'td3', name: 'Learning to drive in a day' }) });
    const run = await client.request('runs.create', {
      config: slowLaneRun('small window lane'),
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/live`));
    await page.click('[data-testid="btn-toggle-training"]');
    // Random driving leaves the lane within seconds: disengagements to list and map.
    await page.click('[data-testid="tab-disengagements"]');
    await page.waitForSelector('[data-testid="dis-row"]', { timeout: 30_000 });
    await page.click('[data-testid="btn-toggle-training"]'); // pause: a still page to measure
    await page.waitForSelector('[data-testid="run-view"] [data-testid="status-chip"][data-status="paused"]', { timeout: 15_000 });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const expectNothingClipped = async (where: string, selector: string) => {
    const clipped = await clippedElements(page, selector);
    if (clipped.length) console.log(`${where}:`, clipped);
    expect(clipped, where).toEqual([]);
  };

  for (const size of SIZES) {
    const at = `${size.width}x${size.height}`;
    it(`at ${at}: run cards, camera buttons, the disengagement log and the road map legend fit`, async () => {
      await page.setViewportSize(size);
      await page.click('[data-testid="tab-live"]');
      await page.waitForSelector('[data-testid="cam-orbit"]');
      await page.waitForTimeout(300);
      await expectNothingClipped(`${at} sidebar`, 'nav.sidebar');
      await expectNothingClipped(`${at} live view`, '[data-testid="run-view"]');
      await screenshot(page, `small-window-live-${at}`);
      await page.click('[data-testid="tab-disengagements"]');
      await page.waitForSelector('[data-testid="dis-row"]');
      await page.waitForTimeout(300);
      await expectNothingClipped(`${at} disengagements`, '[data-testid="run-view"]');
      // Each row's cause and replay button are on screen, inside the table's box.
      const table = (await page.locator('[data-testid="dis-row"]').first().boundingBox())!;
      const replayBtn = (await page.locator('[data-testid="dis-row"] [data-testid="dis-replay"]').first().boundingBox())!;
      expect(replayBtn.x + replayBtn.width).toBeLessThanOrEqual(table.x + table.width + 1);
      expect(replayBtn.x + replayBtn.width).toBeLessThanOrEqual(size.width);
      await screenshot(page, `small-window-disengagements-${at}`);
    });
  }

  it('collapses the sidebar for more room, and keeps it collapsed after a reload', async () => {
    await page.setViewportSize(SIZES[0]);
    const mainBefore = (await page.locator('[data-testid="main"]').boundingBox())!;
    await page.click('[data-testid="sidebar-toggle"]');
    await expect.poll(async () => (await page.locator('[data-testid="main"]').boundingBox())!.width).toBeGreaterThan(mainBefore.width + 150);
    expect(await page.getAttribute('[data-testid="sidebar-toggle"]', 'aria-expanded')).toBe('false');
    await page.reload();
    await waitConnected(page);
    await page.waitForSelector('[data-testid="run-view"]');
    expect(await page.getAttribute('[data-testid="sidebar-toggle"]', 'aria-expanded')).toBe('false');
    expect((await page.locator('[data-testid="main"]').boundingBox())!.width).toBeGreaterThan(mainBefore.width + 150);
    await expectNothingClipped('1024x700 collapsed', 'body');
    await screenshot(page, 'small-window-collapsed');
    await page.click('[data-testid="sidebar-toggle"]');
    expect(await page.getAttribute('[data-testid="sidebar-toggle"]', 'aria-expanded')).toBe('true');
    expect(errors).toEqual([]);
  });
});
