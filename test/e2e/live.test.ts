/**
 * The live side of the app, end to end in headless Chromium (browser mode), on a real `lane`
 * training run (state observation, tiny networks): started from the UI; the 3D view draws the
 * road and the car moving on it; the agent camera shows the image the agent receives, with its
 * action and Q-value; a keyboard takeover logs a "manual" disengagement; the disengagement log
 * fills and an entry replays in 3D with the timeline scrubber; the Export dialog exports and
 * verifies the policy; a reload reattaches to the live run. Screenshots go to test-artifacts/.
 *
 * Pause/resume, speed and the New-run form are covered by training-controls and runs tests.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EventOf } from '../../src-shared/contract.js';
import { canvasStats, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, text, waitConnected } from './support/app.js';

describe('live view, takeover, disengagements, replay, export and reattach on a lane run', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';
  let lastProgress: EventOf<'run.progress'> | undefined;
  const frames: Array<EventOf<'run.frame'>> = [];
  const SCENE = '[data-testid="scene-canvas"]';
  const CAMERA = '[data-testid="agent-camera"]';

  beforeAll(async () => {
    ctx = await startServer();
    ctx.engine.bus.on('run.progress', (p) => (lastProgress = p));
    ctx.engine.bus.on('run.frame', (f) => frames.push(f));
    const run = await ctx.engine.client().request('runs.create', {
      config: {
        name: 'e2e lane',
        env: { id: 'lane', obs: 'state' },
        totalSteps: 50_000,
        evalEvery: 0,
        evalEpisodes: 1,
        logEvery: 200,
        checkpointEvery: 100,
        td3: { learningStarts: 100, batchSize: 16, actorHidden: [16], criticHidden: [16], bufferSize: 10_000 },
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
  /** The 3D view and the agent camera both draw, and both change over `ms`. */
  const expectLive = async (ms: number) => {
    await page.waitForSelector(`${SCENE}[data-ready="true"]`, { timeout: 20_000 });
    await expect.poll(async () => (await canvasStats(page, CAMERA)).distinctColours, { timeout: 10_000 }).toBeGreaterThan(50);
    const a = await canvasStats(page, SCENE);
    const c1 = await canvasStats(page, CAMERA);
    // The road: asphalt, markings, verge, grass, props and sky, not a cleared canvas.
    expect(a.distinctColours).toBeGreaterThan(200);
    // The agent's 64x64 driver view, streamed with each frame.
    expect(c1.width).toBe(64);
    // Both move (the view may hold a pose for a moment while it loads the next episode's road).
    await expect.poll(async () => (await canvasStats(page, SCENE)).checksum, { timeout: 5_000, interval: ms }).not.toBe(a.checksum);
    await expect.poll(async () => (await canvasStats(page, CAMERA)).checksum, { timeout: 5_000, interval: ms }).not.toBe(c1.checksum);
  };
  const t0 = Date.now();
  const mark = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);

  it('starts training from the UI; the 3D view draws the road and the agent camera the live image', async () => {
    await page.waitForSelector('[data-testid="live-view"]');
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 15_000 }).toBe('running');
    mark('running');
    await page.waitForSelector(`${SCENE}[data-ready="true"]`, { timeout: 20_000 });
    mark('3D view ready');
    await expectLive(250);
    mark('live checked');
    expect(await page.textContent('[data-testid="q-value"]')).toMatch(/\d/);
    expect(await page.textContent('[data-testid="action-source"]')).toMatch(/actor|random/);
    expect(frames.length).toBeGreaterThan(10);
    // The frame rate of the 3D view while the run trains (software WebGL here: llvmpipe).
    await page.waitForTimeout(1000);
    const fps = Number(await page.getAttribute(SCENE, 'data-fps'));
    const scale = await page.getAttribute(SCENE, 'data-scale');
    console.log(
      `3D view while training: ${fps} frames/s, render scale ${scale}, software GL ${await page.getAttribute(SCENE, 'data-software')}; ${frames.length} run.frame events; step ${lastProgress?.step}`,
    );
    expect(fps).toBeGreaterThan(0);
    await screenshot(page, 'live-lane');
  });

  it('takes over with the keyboard (a "manual" disengagement) and hands back with Escape', async () => {
    await page.locator('body').focus();
    await page.keyboard.down('ArrowLeft');
    await page.waitForSelector('[data-testid="driving-banner"]', { timeout: 10_000 });
    expect(await page.getAttribute('[data-testid="drive-panel"]', 'data-driving')).toBe('true');
    // The frames now come from the user: steering left, in real time.
    await expect.poll(() => frames.filter((f) => f.source === 'manual' && f.action[0]! > 0.3).length, { timeout: 10_000 }).toBeGreaterThan(3);
    await page.keyboard.up('ArrowLeft');
    expect(await page.textContent('[data-testid="action-source"]')).toBe('you');
    // The 3D view shows the car the user drives, on its road, at once.
    const driven = frames.filter((f) => f.source === 'manual').at(-1)!.pose;
    expect(driven.kind).toBe('car');
    await expect.poll(() => page.getAttribute(SCENE, 'data-road'), { timeout: 5_000 }).toBe(String(driven.kind === 'car' ? driven.roadSeed : -1));
    await screenshot(page, 'live-lane-driving');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="driving-banner"]', { state: 'detached', timeout: 10_000 });
    await expect.poll(() => frames.at(-1)?.source, { timeout: 10_000 }).not.toBe('manual');
  });

  it('fills the disengagement log and map; an entry replays the seconds before it in 3D with the scrubber', async () => {
    // Arrow keys in the tab list move between tabs; they do not take the wheel (one "manual" below).
    await page.focus('[data-testid="tab-live"]');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getAttribute('[data-testid="tab-disengagements"]', 'aria-selected')).toBe('true');
    await page.waitForSelector('[data-testid="dis-row"][data-cause="manual"]', { timeout: 10_000 });
    expect(await text(page, '[data-testid="dis-summary"]')).toContain('manual 1');
    // The agent's own disengagements (random early driving leaves the lane) are logged too.
    await expect.poll(() => page.locator('[data-testid="dis-row"]:not([data-cause="manual"])').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.click('[data-testid="dis-row"][data-cause="manual"]');
    await expect.poll(async () => (await canvasStats(page, '[data-testid="road-map"]')).distinctColours, { timeout: 5_000 }).toBeGreaterThan(5);
    await screenshot(page, 'disengagements');

    // The agent's episode a takeover ends may be a few steps long: replay one it ended itself.
    await page.click('[data-testid="dis-row"]:not([data-cause="manual"]) [data-testid="dis-replay"]');
    await page.waitForSelector('[data-testid="replay-bar"]');
    await expect.poll(() => page.getAttribute('[data-testid="tab-live"]', 'aria-selected')).toBe('true');
    await expect.poll(() => page.isDisabled('[data-testid="replay-scrubber"]'), { timeout: 10_000 }).toBe(false);
    await page.waitForSelector(`${SCENE}[data-ready="true"]`, { timeout: 10_000 });
    await page.click('[data-testid="replay-play"]'); // pause
    const seek = (v: 'min' | 'max') =>
      page.$eval(
        '[data-testid="replay-scrubber"]',
        (el, value) => {
          const input = el as HTMLInputElement;
          input.value = value === 'min' ? input.min : input.max;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        },
        v,
      );
    await seek('min');
    await page.waitForTimeout(300);
    const t0 = await page.textContent('[data-testid="replay-time"]');
    const a = await canvasStats(page, SCENE);
    await seek('max');
    await page.waitForTimeout(300);
    const t1 = await page.textContent('[data-testid="replay-time"]');
    const b = await canvasStats(page, SCENE);
    expect(t1).not.toBe(t0);
    expect(b.checksum).not.toBe(a.checksum);
    await screenshot(page, 'replay');
    await page.click('[data-testid="replay-close"]');
    await page.waitForSelector('[data-testid="replay-bar"]', { state: 'detached' });
  });

  it('exports the policy from the Export dialog, verified, while training is paused', async () => {
    // A checkpoint to export (every 100 steps in this run).
    const ckpts = join(ctx.runsDir, id, 'checkpoints');
    await expect.poll(() => existsSync(join(ckpts, 'latest.json')), { timeout: 20_000 }).toBe(true);
    mark('checkpoint');
    // Paused meanwhile: the export worker gets the CPU (and the pause control is seen to act).
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 10_000 }).toBe('paused');
    await page.click('[data-testid="btn-export"]');
    await page.waitForSelector('[data-testid="export-dialog"][open]');
    await page.click('[data-testid="export-last"]');
    await page.click('[data-testid="export-submit"]');
    await page.waitForSelector('[data-testid="export-result"], [data-testid="export-error"]', { timeout: 30_000 });
    mark('exported');
    expect(await page.locator('[data-testid="export-error"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="export-diff"]')).toMatch(/max \|Δ\| = \d/);
    const dir = (await page.textContent('[data-testid="export-dir"]'))!;
    expect(dir).toContain(id);
    expect(readdirSync(dir).length).toBeGreaterThan(1);
    await screenshot(page, 'export-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="export-dialog"][open]', { state: 'detached' });
    await page.click('[data-testid="btn-toggle-training"]');
    await expect.poll(status, { timeout: 10_000 }).toBe('running');
  });

  it('a reload reattaches to the live run, still training', async () => {
    const before = lastProgress!.step;
    await page.reload();
    await waitConnected(page);
    await page.waitForSelector('[data-testid="live-view"]');
    expect(await status()).toBe('running');
    await expectLive(250);
    mark('reattached');
    expect(lastProgress!.step).toBeGreaterThan(before);
    expect(errors).toEqual([]);
  });
});
