/**
 * The UI survives what a desktop app meets: a reload reattaches to the runs and their
 * curves; a dropped WebSocket is shown, reconnects by itself, and the curves catch up with
 * the metrics written while the link was down, then keep following live events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { chartPoints, openApp, text, trackSockets, waitConnected } from './support/app.js';
import { appendMetrics, learningCurve, streamMetrics } from './support/metrics.js';

describe('reload and reconnect', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let sockets: ReturnType<typeof trackSockets>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id: string;
  const history = learningCurve({ totalSteps: 4_000, seed: 9 });
  const episodes = history.filter((l) => l.kind === 'episode').length;
  let step = 4_000;
  const nextEpisodes = (n: number) =>
    Array.from({ length: n }, () => {
      step += 200;
      return { kind: 'episode', step, return: -200, length: 200 };
    });

  beforeAll(async () => {
    ctx = await startServer();
    sockets = trackSockets(ctx.server);
    id = (await ctx.engine.client().request('runs.create', { config: { name: 'survivor' } })).id;
    appendMetrics(ctx.engine, id, history);
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/curves`));
  });
  let revived: Awaited<ReturnType<typeof import('../../src-main/server/serve.js').serve>> | undefined;
  afterAll(async () => {
    await browser?.close();
    await revived?.close();
    await ctx?.stop();
  });

  it('reattaches after a reload: same view, same run, history and live events', async () => {
    await expect.poll(() => chartPoints(page, 'episode-return')).toBe(episodes);
    ctx.engine.bus.emit('run.status', { id, status: 'running', step: 4_000 });
    await page.reload();
    await waitConnected(page);
    // The hash route brings back the same run and tab.
    expect(await page.getAttribute('[data-testid="run-view"]', 'data-run-id')).toBe(id);
    await expect.poll(() => chartPoints(page, 'episode-return')).toBe(episodes);
    streamMetrics(ctx.engine, id, nextEpisodes(3));
    await expect.poll(() => chartPoints(page, 'episode-return')).toBe(episodes + 3);
    // Progress events update the view without refetching the run or its metrics.
    let requests = 0;
    const count = () => requests++;
    const get = ctx.engine.store.get.bind(ctx.engine.store);
    const metrics = ctx.engine.store.metrics.bind(ctx.engine.store);
    ctx.engine.store.get = (runId) => (count(), get(runId));
    ctx.engine.store.metrics = (runId, from, limit) => (count(), metrics(runId, from, limit));
    for (let i = 1; i <= 10; i++) {
      ctx.engine.bus.emit('run.progress', { id, step: 4_000 + 60 * i, totalSteps: 20_000, episodes: 23, envStepsPerS: 300, updatesPerS: 290 });
      await page.waitForTimeout(20);
    }
    await expect.poll(() => text(page, '[data-testid="progress"]')).toContain('4,600');
    expect(requests).toBe(0);
    ctx.engine.store.get = get;
    ctx.engine.store.metrics = metrics;
  });

  it('shows a dropped link, reconnects by itself and catches up on what it missed', async () => {
    expect(sockets.drop()).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid="reconnecting-banner"]', { timeout: 5_000 }).catch(() => undefined);
    // Metrics written while the link is down: the page cannot get these events.
    streamMetrics(ctx.engine, id, nextEpisodes(5));
    await waitConnected(page);
    await expect.poll(() => chartPoints(page, 'episode-return')).toBe(episodes + 3 + 5);
    expect(await page.locator('[data-testid="reconnecting-banner"]').count()).toBe(0);
    await expect.poll(() => page.textContent('[data-testid="toasts"]')).toContain('Reconnected');
    // And live events flow again, each counted once.
    streamMetrics(ctx.engine, id, nextEpisodes(2));
    await expect.poll(() => chartPoints(page, 'episode-return')).toBe(episodes + 3 + 5 + 2);
    await page.waitForTimeout(300);
    expect(await chartPoints(page, 'episode-return')).toBe(episodes + 10);
  });

  it('says so while the engine is unreachable, and recovers when it is back', async () => {
    // Close the server; the page keeps retrying with backoff.
    const port = new URL(ctx.server.url).port;
    await ctx.server.close();
    await page.waitForSelector('[data-testid="reconnecting-banner"]');
    expect(await text(page, '[data-testid="connection"]')).toBe('reconnecting…');
    await screenshot(page, 'reconnecting');
    streamMetrics(ctx.engine, id, nextEpisodes(4));
    // The same engine serves again on the same port (as after restarting `npm run serve`).
    const { serve } = await import('../../src-main/server/serve.js');
    revived = await serve(ctx.engine, { port: Number(port) });
    await waitConnected(page);
    await expect.poll(() => chartPoints(page, 'episode-return'), { timeout: 15_000 }).toBe(episodes + 14);
    expect(errors).toEqual([]);
  });
});
