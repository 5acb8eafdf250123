/**
 * The live side of the app, end to end in headless Chromium (browser mode), on a real `lane`
 * training run: created from the New-run form (state observation, small budget), started;
 * curves, the 3D view and the agent camera update; pause and resume; a manual takeover with the
 * keyboard logs a "manual" disengagement; an episode replays with the scrubber; the Export
 * dialog exports and verifies the policy. Screenshots of the main screens go to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EventOf } from '../../src-shared/contract.js';
import { canvasStats, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { chartPoints, openApp } from './support/app.js';

describe('live view, takeover, replay and export on a lane run', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';
  let lastProgress: EventOf<'run.progress'> | undefined;
  const frames: Array<EventOf<'run.frame'>> = [];

  beforeAll(async () => {
    ctx = await startServer();
    ctx.engine.bus.on('run.progress', (p) => (lastProgress = p));
    ctx.engine.bus.on('run.frame', (f) => frames.push(f));
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/new`));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const input = (key: string) => page.locator(`[data-testid="input-${key}"]`);
  const status = () => page.getAttribute('[data-testid="run-view"] [data-testid="status-chip"]', 'data-status');
  const tab = async (name: string) => {
    await page.click(`[data-testid="tab-${name}"]`);
    await expect.poll(() => page.getAttribute(`[data-testid="tab-${name}"]`, 'aria-selected')).toBe('true');
  };

  it('creates a lane run (state observation, small budget) from the New-run form and starts it', async () => {
    await page.waitForSelector('[data-testid="new-run-form"]');
    await input('env.id').selectOption('lane');
    expect(await input('env.obs').inputValue()).toBe('state');
    await input('name').fill('e2e lane');
    await input('totalSteps').fill('4000');
    await input('evalEvery').fill('0');
    await input('evalEpisodes').fill('1');
    await input('logEvery').fill('200');
    await input('checkpointEvery').fill('0');
    await input('td3.learningStarts').fill('150');
    await input('td3.batchSize').fill('32');
    await input('td3.actorHidden').fill('32, 32');
    await input('td3.criticHidden').fill('32, 32');
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="run-view"]');
    id = (await page.getAttribute('[data-testid="run-view"]', 'data-run-id'))!;
    const detail = await ctx.engine.client().request('runs.get', { id });
    expect(detail.config.env.id).toBe('lane');
    expect(detail.config.totalSteps).toBe(4000);
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 15_000 }).toBe('running');
    await expect.poll(() => lastProgress?.step ?? 0, { timeout: 30_000 }).toBeGreaterThan(200);
  });

  it('draws the curves, the 3D scene and the agent camera, all updating', async () => {
    await expect.poll(() => chartPoints(page, 'episode-return'), { timeout: 30_000 }).toBeGreaterThan(2);
    await tab('live');
    await page.waitForSelector('[data-testid="scene-canvas"][data-ready="true"]', { timeout: 20_000 });
    const a = await canvasStats(page, '[data-testid="scene-canvas"]');
    expect(a.distinctColours).toBeGreaterThan(200);
    await page.waitForTimeout(600);
    const b = await canvasStats(page, '[data-testid="scene-canvas"]');
    expect(b.checksum).not.toBe(a.checksum);
    // The agent's camera: a 64x64 driver view that changes as the car moves.
    const c1 = await canvasStats(page, '[data-testid="agent-camera"]');
    expect(c1.width).toBe(64);
    expect(c1.distinctColours).toBeGreaterThan(50);
    await page.waitForTimeout(400);
    const c2 = await canvasStats(page, '[data-testid="agent-camera"]');
    expect(c2.checksum).not.toBe(c1.checksum);
    expect(await page.textContent('[data-testid="q-value"]')).toMatch(/\d/);
    expect(frames.length).toBeGreaterThan(10);
    const fps = Number(await page.getAttribute('[data-testid="scene-canvas"]', 'data-fps'));
    console.log(`3D view: ${fps} frames/s in headless Chromium (software WebGL); ${frames.length} run.frame events so far`);
    await screenshot(page, 'live-lane');
    await page.click('[data-testid="cam-driver"]');
    await page.waitForTimeout(300);
    await screenshot(page, 'live-lane-driver');
    await page.click('[data-testid="cam-chase"]');
  });

  it('pauses and resumes', async () => {
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 10_000 }).toBe('paused');
    const held = lastProgress!.step;
    await page.waitForTimeout(500);
    expect(lastProgress!.step).toBe(held);
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 10_000 }).toBe('running');
    await expect.poll(() => lastProgress!.step, { timeout: 15_000 }).toBeGreaterThan(held);
  });

  it('takes over with the keyboard, logs a "manual" disengagement, and hands back with Escape', async () => {
    await page.locator('body').focus();
    await page.keyboard.down('ArrowLeft');
    await page.waitForSelector('[data-testid="driving-banner"]', { timeout: 10_000 });
    expect(await page.getAttribute('[data-testid="drive-panel"]', 'data-driving')).toBe('true');
    await page.waitForTimeout(700);
    await page.keyboard.up('ArrowLeft');
    // The frames come from the user: steering left, in real time.
    await expect.poll(() => frames.filter((f) => f.source === 'manual' && f.action[0]! > 0.3).length, { timeout: 10_000 }).toBeGreaterThan(3);
    await screenshot(page, 'live-lane-driving');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="driving-banner"]', { state: 'detached', timeout: 10_000 });
    await expect.poll(() => frames.at(-1)?.source, { timeout: 10_000 }).not.toBe('manual');
    await tab('disengagements');
    await page.waitForSelector('[data-testid="dis-row"][data-cause="manual"]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="dis-summary"]')).toContain('manual 1');
    await page.waitForTimeout(500);
    const map = await canvasStats(page, '[data-testid="road-map"]');
    expect(map.distinctColours).toBeGreaterThan(5);
    await screenshot(page, 'disengagements');
  });

  it('replays the seconds before a disengagement with the timeline scrubber', async () => {
    await page.click('[data-testid="dis-row"][data-cause="manual"] [data-testid="dis-replay"]');
    await page.waitForSelector('[data-testid="replay-bar"]');
    await expect.poll(() => page.getAttribute('[data-testid="tab-live"]', 'aria-selected')).toBe('true');
    await expect.poll(() => page.isDisabled('[data-testid="replay-scrubber"]'), { timeout: 10_000 }).toBe(false);
    await page.click('[data-testid="replay-play"]'); // pause
    const setT = (v: string) =>
      page.$eval(
        '[data-testid="replay-scrubber"]',
        (el, value) => {
          const input = el as HTMLInputElement;
          input.value = value === 'min' ? input.min : value === 'max' ? input.max : value;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        },
        v,
      );
    await setT('min');
    await page.waitForTimeout(250);
    const t0 = await page.textContent('[data-testid="replay-time"]');
    const a = await canvasStats(page, '[data-testid="scene-canvas"]');
    await setT('max');
    await page.waitForTimeout(250);
    const t1 = await page.textContent('[data-testid="replay-time"]');
    const b = await canvasStats(page, '[data-testid="scene-canvas"]');
    expect(t1).not.toBe(t0);
    expect(b.checksum).not.toBe(a.checksum);
    await page.click('[data-testid="replay-play"]');
    await screenshot(page, 'replay');
    await page.click('[data-testid="replay-close"]');
    await page.waitForSelector('[data-testid="replay-bar"]', { state: 'detached' });
  });

  it('exports the policy from the Export dialog, verified', async () => {
    await page.click('[data-testid="btn-export"]');
    await page.waitForSelector('[data-testid="export-dialog"][open]');
    await page.click('[data-testid="export-last"]');
    await page.click('[data-testid="export-submit"]');
    await page.waitForSelector('[data-testid="export-result"], [data-testid="export-error"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="export-error"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="export-diff"]')).toMatch(/max \|Δ\| = \d/);
    const dir = (await page.textContent('[data-testid="export-dir"]'))!;
    expect(dir).toContain(id);
    await screenshot(page, 'export-dialog');
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  });

  it('looks right in the dark theme', async () => {
    const dark = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    await dark.goto(`${ctx.server.url}#/runs/${id}/live`);
    await dark.waitForSelector('[data-testid="scene-canvas"][data-ready="true"]', { timeout: 20_000 });
    await dark.waitForTimeout(800);
    await screenshot(dark, 'live-lane-dark');
    await dark.goto(`${ctx.server.url}#/runs/${id}/disengagements`);
    await dark.waitForSelector('[data-testid="dis-row"]');
    await dark.waitForTimeout(500);
    await screenshot(dark, 'disengagements-dark');
    await dark.close();
  });
});
