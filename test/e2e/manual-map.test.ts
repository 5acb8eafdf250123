/**
 * The Disengagements road map draws the user's drive by hand, end to end in headless Chromium
 * (browser mode) on a lane run: the takeover's entry and a lane departure while driving are
 * selected while the user still drives (the drive's track is written when it ends), and once
 * the car is handed back the map draws the drive's path (the same points as its recorded
 * track), beside the agent's path of the episode the takeover ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, slowLaneRun } from './support/app.js';

describe("the road map draws a manual episode's path", () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    const run = await client.request('runs.create', {
      config: slowLaneRun('manual map'),
    });
    id = run.id;
    await client.request('train.start', { id });
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/disengagements`));
    await page.setViewportSize({ width: 1400, height: 900 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const map = '[data-testid="road-map"]';
  const drawn = async () => ({ path: Number(await page.getAttribute(map, 'data-path')), drive: Number(await page.getAttribute(map, 'data-drive')) });

  it('draws the drive once it is recorded, for the takeover and for a departure while driving', async () => {
    const client = ctx.engine.client();
    await expect.poll(async () => (await client.request('runs.episodes', { id })).episodes.length, { timeout: 20_000 }).toBeGreaterThan(0);
    await client.request('train.takeover', { id, on: true, recordFrames: false });
    // Full lock: the car leaves its lane while the user drives (put back on the lane each time).
    let drives = 0;
    const steer = setInterval(() => void client.request('train.drive', { id, steer: 1, throttle: 1 }).then(() => drives++), 50);
    try {
      await page.waitForSelector('[data-testid="dis-row"][data-cause="manual"]', { timeout: 10_000 });
      await page.click('[data-testid="dis-row"][data-cause="manual"]');
      await page.waitForSelector('[data-testid="dis-row"][data-manual="true"]', { timeout: 20_000 });
      // Selected while driving: no drive recorded yet.
      await expect.poll(drawn, { timeout: 5_000 }).toMatchObject({ drive: 0 });
    } finally {
      clearInterval(steer);
    }
    await client.request('train.takeover', { id, on: false });
    // Paused: the agent's own departures would otherwise push the user's rows out of the log's
    // latest entries within seconds on a fast machine.
    await client.request('train.pause', { id });
    const episode = Number((await page.textContent('[data-testid="dis-row"][data-cause="manual"] td.n'))!.trim());
    await expect
      .poll(
        () =>
          client.request('runs.track', { id, episode, manual: true }).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    const recorded = await client.request('runs.track', { id, episode, manual: true });
    // The takeover's entry, still selected, now draws the drive that followed it.
    await expect.poll(async () => (await drawn()).drive, { timeout: 10_000 }).toBe(recorded.stepIndex.length);
    expect(recorded.stepIndex.length).toBeGreaterThan(10);
    // The agent's episode the takeover ended: drawn when recorded (one that had just begun has no track).
    const agentPoints = (await client.request('runs.track', { id, episode, manual: false }).catch(() => null))?.stepIndex.length ?? 0;
    expect((await drawn()).path).toBe(agentPoints < 2 ? 0 : agentPoints);
    await screenshot(page, 'manual-map-takeover');
    // A departure while the user drove: its map draws the drive, not an agent's path.
    await page.click('[data-testid="dis-row"][data-manual="true"]');
    await expect.poll(drawn, { timeout: 10_000 }).toEqual({ path: 0, drive: recorded.stepIndex.length });
    await screenshot(page, 'manual-map-yours');
    console.log(
      `drive of episode ${episode}: ${recorded.stepIndex.length} points drawn (${drives} inputs sent); the agent's episode before it ${agentPoints} points`,
    );
    expect(errors).toEqual([]);
  });
});
