/**
 * Feedback and wording, end to end in headless Chromium (browser mode): the welcome screen
 * offers the drive pipeline first; no request 404s (the favicon included); "1 episode", not
 * "1 episodes"; a paused run shows no steps/s rate; number shortcuts work after clicking the
 * theme switch; the disengagement summary counts the agent's own; comparing runs of different
 * envs warns; a lane run's curves are distinct (return and distance merged when equal, MPD
 * counted over training); and when the server stops, the banner says training stopped with it
 * (in browser mode the server is the engine) and the run's actions are disabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, text } from './support/app.js';

describe('feedback and wording', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const missing: string[] = [];
  let serverClosed = false;

  beforeAll(async () => {
    ctx = await startServer();
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/`));
    page.on('response', (r) => r.status() === 404 && missing.push(r.url()));
  });
  afterAll(async () => {
    await browser?.close();
    if (serverClosed) await ctx?.engine.close();
    else await ctx?.stop();
  });

  it('the welcome screen offers the drive pipeline first; nothing 404s', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid="welcome-drive"]');
    const first = page.locator('.welcome a.btn').first();
    expect(await first.getAttribute('href')).toBe('#/new/drive');
    expect(await page.locator('link[rel="icon"]').count()).toBe(1);
    await page.waitForTimeout(500);
    expect(missing).toEqual([]);
  });

  it('"1 episode"; a paused run shows no rate; digits switch tabs after a click on the theme switch', async () => {
    const run = await ctx.engine.client().request('runs.create', { config: { name: 'wording', env: { id: 'pendulum' } } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${run.id}"]`);
    await page.goto(`${ctx.server.url}#/runs/${run.id}/curves`);
    await page.waitForSelector('[data-testid="run-view"]');
    ctx.engine.bus.emit('run.status', { id: run.id, status: 'running', step: 10 });
    ctx.engine.bus.emit('run.progress', { id: run.id, step: 200, totalSteps: 20_000, episodes: 1, envStepsPerS: 500, updatesPerS: 400 });
    await expect.poll(() => text(page, '[data-testid="progress"]')).toContain('1 episode ·');
    expect(await text(page, '[data-testid="progress"]')).not.toContain('1 episodes');
    expect(await page.locator('[data-testid="run-throughput"]').count()).toBe(1);
    ctx.engine.bus.emit('run.status', { id: run.id, status: 'paused', step: 200 });
    await expect.poll(() => page.locator('[data-testid="run-throughput"]').count()).toBe(0);
    await expect.poll(() => text(page, '[data-testid="throughput"]')).toContain('— steps/s');

    await page.click('label:has([data-testid="theme-dark"])');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('theme-dark');
    await page.keyboard.press('4');
    await expect.poll(() => page.getAttribute('[data-testid="tab-config"]', 'aria-selected')).toBe('true');
    await page.keyboard.press('1');
    await expect.poll(() => page.getAttribute('[data-testid="tab-curves"]', 'aria-selected')).toBe('true');
  });

  it("the disengagement summary counts the agent's, not the user's own lane departures while driving", async () => {
    const run = await ctx.engine.client().request('runs.create', { config: { name: 'dis summary', env: { id: 'lane', obs: 'state' } } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${run.id}"]`);
    await page.goto(`${ctx.server.url}#/runs/${run.id}/disengagements`);
    await page.waitForSelector('[data-testid="disengagements"]');
    const t = Date.now();
    ctx.engine.bus.emit('run.event', {
      id: run.id,
      event: { kind: 'disengagement', step: 40, t, episode: 1, seed: 7, cause: 'lane', s: 20, distance: 20, x: 1, y: 2 },
    });
    ctx.engine.bus.emit('run.event', {
      id: run.id,
      event: { kind: 'disengagement', step: 60, t: t + 1, episode: 2, seed: 8, cause: 'manual', s: 10, distance: 10, x: 1, y: 2 },
    });
    ctx.engine.bus.emit('run.event', {
      id: run.id,
      event: { kind: 'disengagement', step: 60, t: t + 2, episode: 2, seed: 8, cause: 'lane', manual: true, s: 30, distance: 20, x: 1, y: 2 },
    });
    await expect.poll(() => page.locator('[data-testid="dis-row"]').count()).toBe(3);
    const summary = await text(page, '[data-testid="dis-summary"]');
    expect(summary).toMatch(/^2 agent disengagements/);
    expect(summary).toContain('lane 1');
    expect(summary).toContain('manual 1');
    expect(await text(page, '[data-testid="dis-yours"]')).toBe('+ 1 while you drove');
  });

  it('comparing runs of different envs on one axis warns', async () => {
    const client = ctx.engine.client();
    const a = await client.request('runs.create', { config: { name: 'cmp pendulum', env: { id: 'pendulum' } } });
    const b = await client.request('runs.create', { config: { name: 'cmp pendulum 2', env: { id: 'pendulum' }, seed: 1 } });
    const c = await client.request('runs.create', { config: { name: 'cmp mountain', env: { id: 'mountaincar' } } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${c.id}"]`);
    await page.goto(`${ctx.server.url}#/runs/${a.id}/curves?compare=${b.id}`);
    await page.waitForSelector('[data-testid="compare-chip"]');
    expect(await page.locator('[data-testid="compare-env-warning"]').count()).toBe(0);
    await page.goto(`${ctx.server.url}#/runs/${a.id}/curves?compare=${b.id},${c.id}`);
    await expect.poll(() => page.locator('[data-testid="compare-chip"]').count()).toBe(2);
    const warning = await text(page, '[data-testid="compare-env-warning"]');
    expect(warning).toContain('"cmp mountain" (mountaincar)');
    expect(warning).toContain('different scales');
  });

  it("a lane run's curves are distinct: return and distance as one chart when equal, MPD over training", async () => {
    const run = await ctx.engine.client().request('runs.create', { config: { name: 'lane curves', env: { id: 'lane', obs: 'state' } } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${run.id}"]`);
    await page.goto(`${ctx.server.url}#/runs/${run.id}/curves`);
    await page.waitForSelector('[data-testid="curves-empty"]');
    const d = [30, 250, 20];
    d.forEach((distance, i) =>
      ctx.engine.bus.emit('run.metric', {
        id: run.id,
        line: { kind: 'episode', step: 100 * (i + 1), return: distance, length: 50, distance, disengagements: i === 1 ? 0 : 1, mpd: distance },
      }),
    );
    await page.waitForSelector('[data-testid="chart-episode-mpd"]');
    expect(await text(page, '[data-testid="chart-episode-return"] h3')).toBe('Episode return = distance per episode (m)');
    expect(await page.locator('[data-testid="chart-episode-distance"]').count()).toBe(0);
    // 300 m over 2 disengagements.
    expect(await text(page, '[data-testid="chart-episode-mpd"] .legend')).toContain('150');
    const titles = await page.locator('[data-testid="charts"] h3').allTextContents();
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('when the server stops, the banner says training stopped with it and actions are disabled', async () => {
    expect(await page.isDisabled('[data-testid="btn-toggle-training"]')).toBe(false);
    await ctx.server.close();
    serverClosed = true;
    await page.waitForSelector('[data-testid="reconnecting-banner"]', { timeout: 15_000 });
    expect(await text(page, '[data-testid="reconnecting-banner"]')).toContain('training stopped with it');
    expect(await page.isDisabled('[data-testid="btn-toggle-training"]')).toBe(true);
    expect(await page.isDisabled('[data-testid="btn-export"]')).toBe(true);
    expect(await page.isDisabled('[data-testid="btn-delete"]')).toBe(true);
    expect(errors).toEqual([]);
  });
});
