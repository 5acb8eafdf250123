/**
 * Curves from a run's metrics.jsonl (written with the engine's JsonlAppender, in the format
 * the learner writes): history loaded in pages through runs.metrics, live run.metric events
 * appended, env-specific fields charted without UI changes, smoothing, log axes, comparison.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { canvasStats, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { chartPoints, openApp, text } from './support/app.js';
import { appendMetrics, learningCurve, streamMetrics } from './support/metrics.js';

describe('curves', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let main: string;
  let other: string;
  const pages: Array<{ id: string; from: number; limit: number }> = [];
  // 21,000 steps with 2-step episodes: 10,500 episode lines, so history takes two pages of 10,000.
  const history = learningCurve({
    totalSteps: 21_000,
    episodeLength: 2,
    logEvery: 1_000,
    evalEvery: 5_000,
    seed: 3,
    episodeExtras: (ret) => ({ distance: Math.max(0, 300 + ret / 5) }),
  });
  const episodes = history.filter((l) => l.kind === 'episode').length;
  const trains = history.filter((l) => l.kind === 'train').length;
  const evals = history.filter((l) => l.kind === 'eval').length;

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    main = (await client.request('runs.create', { config: { name: 'curves main' } })).id;
    other = (await client.request('runs.create', { config: { name: 'curves other', algo: 'ddpg' } })).id;
    appendMetrics(ctx.engine, main, history);
    appendMetrics(ctx.engine, other, learningCurve({ totalSteps: 12_000, seed: 4 }));
    // Record the pages the UI asks for.
    const read = ctx.engine.store.metrics.bind(ctx.engine.store);
    ctx.engine.store.metrics = (id, from, limit) => {
      pages.push({ id, from, limit });
      return read(id, from, limit);
    };
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${main}/curves`));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const canvas = (chart: string) => `[data-testid="chart-${chart}"] canvas`;

  it('loads the whole history in pages and draws a chart per metric, env fields included', async () => {
    expect(episodes).toBeGreaterThan(10_000);
    await expect.poll(() => chartPoints(page, 'episode-return'), { timeout: 15_000 }).toBe(episodes);
    expect(pages.filter((p) => p.id === main).map((p) => p.from)).toEqual([0, 10_000]);
    const ids = await page.locator('[data-testid="charts"] figure').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(ids).toEqual([
      'chart-episode-return',
      'chart-eval-return',
      'chart-episode-distance',
      'chart-critic-loss',
      'chart-actor-loss',
      'chart-q-values',
      'chart-throughput',
      'chart-episode-length',
    ]);
    expect(await chartPoints(page, 'eval-return')).toBe(evals);
    expect(await chartPoints(page, 'q-values')).toBe(trains);
    expect(await chartPoints(page, 'throughput')).toBe(2 * trains);
    expect(await chartPoints(page, 'episode-distance')).toBe(episodes);
    for (const id of ['episode-return', 'eval-return', 'critic-loss', 'throughput']) {
      const s = await canvasStats(page, canvas(id));
      expect(s.width, id).toBeGreaterThan(300);
      expect(s.distinctColours, id).toBeGreaterThan(20);
    }
    // The legend shows the latest (smoothed) value, a plot rather than a table of numbers.
    expect(await text(page, '[data-testid="chart-eval-return"]')).toMatch(/mean return\s*−\d/);
    await screenshot(page, 'curves');
  });

  it('appends live run.metric events to the plot', async () => {
    const before = await canvasStats(page, canvas('episode-return'));
    const last = history[history.length - 1]!.step;
    const live = Array.from({ length: 40 }, (_, i) => ({ kind: 'episode', step: last + 2 * (i + 1), return: 400 + 10 * i, length: 2, distance: 500 }));
    streamMetrics(ctx.engine, main, live);
    await expect.poll(() => chartPoints(page, 'episode-return')).toBe(episodes + live.length);
    await expect.poll(async () => (await canvasStats(page, canvas('episode-return'))).checksum).not.toBe(before.checksum);
    streamMetrics(ctx.engine, main, [{ kind: 'eval', step: last + 80, mean_return: -120, std_return: 15, episodes: 10 }]);
    await expect.poll(() => chartPoints(page, 'eval-return')).toBe(evals + 1);
    // A field no chart knows yet gets its own chart as soon as it appears.
    streamMetrics(ctx.engine, main, [{ kind: 'episode', step: last + 90, return: 1, length: 2, distance: 1, mpd: 42.5, lane_offset: 0.3 }]);
    await page.waitForSelector('[data-testid="chart-episode-mpd"]');
    await page.waitForSelector('[data-testid="chart-episode-lane_offset"]');
    expect(await text(page, '[data-testid="chart-episode-lane_offset"] h3')).toBe('Episode: lane offset');
  });

  it('switches a chart between linear and log axes', async () => {
    const toggle = page.locator('[data-testid="log-toggle-episode-return"]');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    const before = await canvasStats(page, canvas('episode-return'));
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    // Returns are negative, so the log axis is a symmetric log.
    expect(await text(page, '[data-testid="log-toggle-episode-return"]')).toBe('symlog');
    await expect.poll(async () => (await canvasStats(page, canvas('episode-return'))).checksum).not.toBe(before.checksum);
    // Critic loss is positive: a plain log axis, on by default.
    expect(await text(page, '[data-testid="log-toggle-critic-loss"]')).toBe('log');
    await toggle.click();
    expect(await text(page, '[data-testid="log-toggle-episode-return"]')).toBe('linear');
  });

  it('smooths with the EMA slider', async () => {
    const before = await canvasStats(page, canvas('episode-return'));
    await page.locator('[data-testid="smoothing"]').fill('0.95');
    await expect.poll(async () => (await canvasStats(page, canvas('episode-return'))).checksum).not.toBe(before.checksum);
    const smoothLegend = await text(page, '[data-testid="chart-episode-return"] .legend');
    await page.locator('[data-testid="smoothing"]').fill('0');
    await expect.poll(() => text(page, '[data-testid="chart-episode-return"] .legend')).not.toBe(smoothLegend);
    await page.locator('[data-testid="smoothing"]').fill('0.6');
  });

  it('overlays another run for comparison', async () => {
    await page.selectOption('[data-testid="compare-add"]', other);
    await page.waitForSelector('[data-testid="compare-chip"]');
    expect(page.url()).toContain(`compare=${other}`);
    await expect.poll(() => text(page, '[data-testid="chart-episode-return"] .legend')).toContain('curves other');
    expect(await text(page, '[data-testid="chart-episode-return"] .legend')).toContain('curves main');
    await expect.poll(() => chartPoints(page, 'episode-return')).toBeGreaterThan(episodes + 40);
    await screenshot(page, 'curves-compare');
    await page.click('[data-testid="compare-chip"] button');
    await expect.poll(() => page.locator('[data-testid="compare-chip"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
