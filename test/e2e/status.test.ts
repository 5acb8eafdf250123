import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { canvasStats, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { APP_VERSION } from '../../src-main/core/version.js';

describe('browser mode end to end', () => {
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

  it('shows the engine status fetched over the contract and renders the 3D canvas', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(ctx.server.url);
    await expect.poll(() => page.textContent('[data-testid="connection"]'), { timeout: 30_000 }).toBe('connected');
    await page.waitForSelector('[data-testid="engine-version"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="engine-version"]')).toContain(APP_VERSION);
    const backend = (await ctx.engine.backend()).name;
    expect(await page.textContent('[data-testid="engine-backend"]')).toContain(backend);
    // WebGL draws something (a procedural road, fetched over scene.lane): many colours, and the
    // animation changes the pixels.
    await expect.poll(async () => (await canvasStats(page, '[data-testid="scene-canvas"]')).distinctColours, { timeout: 10_000 }).toBeGreaterThan(20);
    const a = await canvasStats(page, '[data-testid="scene-canvas"]');
    expect(a.width).toBeGreaterThan(100);
    await page.waitForTimeout(700);
    const b = await canvasStats(page, '[data-testid="scene-canvas"]');
    expect(b.checksum).not.toBe(a.checksum);
    await screenshot(page, 'status');
    expect(errors).toEqual([]);
  });
});
