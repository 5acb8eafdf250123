/**
 * Replay shows replayed data only, end to end in headless Chromium (browser mode), on a `lane`
 * run that keeps training (live frames keep coming): while an episode replays (paused at a
 * step), the agent panel shows that episode and step and its recorded steering, not the live
 * run's camera, Q-value or episode counter; a replay HUD over the 3D view gives the episode,
 * step, speed and offset; and the replay list grows as the run records new episodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EventOf } from '../../src-shared/contract.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, slowLaneRun } from './support/app.js';

describe('replay panels show the replayed episode only', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';
  const frames: Array<EventOf<'run.frame'>> = [];

  beforeAll(async () => {
    ctx = await startServer();
    ctx.engine.bus.on('run.frame', (f) => frames.push(f));
    const run = await ctx.engine.client().request('runs.create', {
      config: slowLaneRun('replay data'),
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/live`));
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.click('[data-testid="btn-toggle-training"]');
    await page.waitForSelector('[data-testid="run-view"] [data-testid="status-chip"][data-status="running"]', { timeout: 30_000 });
    // Real time: the live episode counter moves slowly enough to tell apart from a replayed one.
    await ctx.engine.client().request('train.setSpeed', { id, speed: 'realtime' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const options = () => page.locator('[data-testid="replay-select"] option').count();

  it('the replay list grows while the run records episodes', async () => {
    await expect.poll(options, { timeout: 20_000 }).toBeGreaterThan(1);
    const before = await options();
    await expect.poll(options, { timeout: 20_000, interval: 1000 }).toBeGreaterThan(before);
  });

  it('a paused replay shows its episode, step and steering, no live camera or Q, and a HUD', async () => {
    const value = await page.$eval('[data-testid="replay-select"] option:nth-child(2)', (o) => (o as HTMLOptionElement).value);
    const episode = Number(value.split(':')[0]);
    await page.selectOption('[data-testid="replay-select"]', value);
    await expect.poll(() => page.isDisabled('[data-testid="replay-scrubber"]'), { timeout: 10_000 }).toBe(false);
    await page.click('[data-testid="replay-play"]'); // pause
    await page.$eval('[data-testid="replay-scrubber"]', (el) => {
      const input = el as HTMLInputElement;
      input.value = String((Number(input.min) + Number(input.max)) / 2);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForTimeout(300);
    const shown = async () => ({
      source: (await page.textContent('[data-testid="action-source"]'))?.trim(),
      episode: (await page.textContent('[data-testid="live-episode"]'))?.trim(),
      steer: await page.getAttribute('[data-testid="steer-bar"]', 'aria-valuenow'),
      hud: (await page.textContent('[data-testid="replay-hud"]'))?.replace(/\s+/g, ' ').trim(),
    });
    const a = await shown();
    const liveBefore = frames.length;
    await page.waitForTimeout(1500);
    const b = await shown();
    console.log(
      `replay of episode ${episode}: ${JSON.stringify(a)}; live frames meanwhile ${frames.length - liveBefore}, live episode now ${frames.at(-1)?.episode}`,
    );
    // The live run went on meanwhile, the panels did not follow it.
    expect(frames.length - liveBefore).toBeGreaterThan(5);
    expect(b).toEqual(a);
    expect(a.source).toMatch(/^replay/);
    expect(a.episode).toMatch(new RegExp(`^${episode} · \\d+$`));
    expect(a.hud).toContain(`episode ${episode}`);
    expect(a.hud).toMatch(/step \d+/);
    expect(a.hud).toMatch(/km\/h/);
    expect(await page.locator('[data-testid="q-value"]').count()).toBe(0);
    expect(await page.locator('[data-testid="agent-camera"]').count()).toBe(0);
    expect(await page.locator('[data-testid="hud"]').count()).toBe(0);
    // The recorded steering of that step, from the episode's track.
    const track = await ctx.engine.client().request('runs.track', { id, episode, manual: false });
    const step = Number(a.episode!.split(' · ')[1]);
    // A small Buffer is a view into Node's shared pool: copy its own bytes, not the pool's start.
    const bytes = Buffer.from(track.rows, 'base64');
    const rows = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const row = track.stepIndex.indexOf(step);
    expect(row).toBeGreaterThanOrEqual(0);
    expect(Number(a.steer)).toBeCloseTo(rows[row * track.columns.length + track.columns.indexOf('a0')]!, 5);
    await screenshot(page, 'replay-data');
    await page.click('[data-testid="replay-close"]');
    await expect.poll(async () => (await page.textContent('[data-testid="action-source"]'))?.trim()).not.toMatch(/^replay/);
    expect(errors).toEqual([]);
  });
});
