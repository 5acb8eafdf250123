/**
 * The header's episode count and the Live view's replay list agree, end to end in headless
 * Chromium (browser mode) on a lane run in real time: the header counts finished episodes
 * (the run's episode metric lines) and the replay list's newest entry is that episode, while
 * the agent drives, while the user drives after a takeover (the trainer reports no progress
 * then, though the takeover ended an episode), and once paused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, slowLaneRun } from './support/app.js';

describe('the header counts the episodes the replay list shows', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    const run = await client.request('runs.create', {
      config: slowLaneRun('episode count'),
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/live`));
    await page.setViewportSize({ width: 1400, height: 900 });
    await client.request('train.start', { id });
    await client.request('train.setSpeed', { id, speed: 'realtime' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  /** The header's count. */
  const header = async () => Number((await page.getAttribute('[data-testid="progress-episodes"]', 'data-episodes')) ?? -1);
  /** Ordinals in the replay list, and its newest agent episode. */
  const listed = async () => {
    const values = await page.$$eval('[data-testid="replay-select"] option', (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    const agent = values.filter((v) => v.endsWith(':a')).map((v) => Number(v.split(':')[0]));
    const manual = values.filter((v) => v.endsWith(':m')).map((v) => Number(v.split(':')[0]));
    return { newest: Math.max(0, ...agent), manual };
  };
  /** Finished episodes as the run's metrics count them. */
  const finished = async () => (await ctx.engine.client().request('runs.metrics', { id })).lines.filter((l) => l.kind === 'episode').length;

  it('agrees while training, while the user drives and once paused', async () => {
    const client = ctx.engine.client();
    await expect.poll(finished, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    // While the agent drives: the header follows the finished episodes, the list the header.
    await expect.poll(async () => (await header()) === (await finished()) && (await listed()).newest === (await header()), { timeout: 10_000 }).toBe(true);
    const before = await header();

    // A takeover ends the agent's episode; no progress comes while the user drives.
    await client.request('train.takeover', { id, on: true, recordFrames: false });
    const steer = setInterval(() => void client.request('train.drive', { id, steer: 0.2, throttle: 0.5 }).catch(() => {}), 100);
    let during: number;
    try {
      await page.waitForSelector('[data-testid="driving-banner"]', { timeout: 10_000 });
      during = await finished();
      expect(during).toBeGreaterThan(before);
      await expect.poll(header, { timeout: 5_000 }).toBe(during);
      await page.waitForTimeout(1500);
      expect(await header()).toBe(during);
    } finally {
      clearInterval(steer);
    }
    await client.request('train.takeover', { id, on: false });
    await page.waitForSelector('[data-testid="driving-banner"]', { state: 'detached', timeout: 10_000 });
    // The drive carries the ordinal of the episode its takeover ended.
    await expect.poll(async () => (await listed()).manual, { timeout: 10_000 }).toContain(during);

    // The agent drives again, then the run pauses: both say the same last episode.
    await expect.poll(finished, { timeout: 20_000 }).toBeGreaterThan(during + 1);
    await client.request('train.pause', { id });
    const total = await finished();
    await expect.poll(async () => ({ header: await header(), newest: (await listed()).newest }), { timeout: 10_000 }).toEqual({ header: total, newest: total });
    const text = (await page.textContent('[data-testid="progress-episodes"]'))?.replace(/\s+/g, ' ').trim();
    expect(text).toBe(`· ${total} episodes`);
    console.log(`header ${text}; replay list newest episode ${(await listed()).newest}; the takeover ended episode ${during}`);
    await screenshot(page, 'episode-count');
    expect(errors).toEqual([]);
  });
});
