/**
 * The curves' hover legend with a sparse series, end to end in headless Chromium: comparing two
 * runs whose evaluations fall at different steps aligns them on the union of their steps, so
 * at most hovered steps one run has no point. Its legend entry then shows its nearest earlier
 * value, dimmed and with the step it was taken at, or a dash before its first point; a run
 * with a point at the hovered step shows that point's value alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { MetricLine } from '../../src-shared/types.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';
import { appendMetrics } from './support/metrics.js';

describe('the hover legend of a sparse series', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const evals = (steps: number[], sign: number): MetricLine[] =>
    steps.map((step) => ({ kind: 'eval', step, mean_return: (sign * step) / 10, std_return: 5, episodes: 5 }) as MetricLine);
  const LAST = 20_000;

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    const dense = (await client.request('runs.create', { config: { name: 'hover dense' } })).id;
    const sparse = (await client.request('runs.create', { config: { name: 'hover sparse' } })).id;
    // Dense: every 2,000 steps; sparse: at 5,000 and 15,000 only.
    appendMetrics(
      ctx.engine,
      dense,
      evals(
        Array.from({ length: LAST / 2000 }, (_, i) => (i + 1) * 2000),
        1,
      ),
    );
    appendMetrics(ctx.engine, sparse, evals([5000, 15_000], -1));
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${dense}/curves?compare=${sparse}`));
    await page.setViewportSize({ width: 1400, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const CHART = '[data-testid="chart-eval-return"]';
  /** Hovers the plot at an env step (the x axis spans 0 to the last step) and reads the legend. */
  const hoverAt = async (step: number) => {
    const box = (await page.locator(`${CHART} .u-over`).boundingBox())!;
    await page.mouse.move(box.x + Math.min(box.width - 1, (box.width * step) / LAST), box.y + box.height / 2);
    await expect.poll(() => page.textContent(`${CHART} .legend .step`)).toBe(`step ${step.toLocaleString('en-US')}`);
    return page.$$eval(`${CHART} [data-testid="legend-item"]`, (items) =>
      items.map((el) => ({
        label: el.textContent!.includes('hover sparse') ? 'sparse' : 'dense',
        value: el.querySelector('[data-testid="legend-value"]')!.textContent!.trim(),
        earlier: el.querySelector('[data-testid="legend-value"]')!.classList.contains('earlier'),
        at: el.querySelector('[data-testid="legend-at"]')?.textContent?.trim() ?? null,
      })),
    );
  };

  it('shows the nearest earlier value of a series with no point at the hovered step, or a dash before its first', async () => {
    await page.waitForSelector(`${CHART} .u-over`, { timeout: 15_000 });
    await expect.poll(() => page.locator(`${CHART} [data-testid="legend-item"]`).count()).toBe(2);
    // Before the sparse run's first evaluation: a dash.
    expect(await hoverAt(4000)).toEqual([
      { label: 'dense', value: '400.0', earlier: false, at: null },
      { label: 'sparse', value: '—', earlier: false, at: null },
    ]);
    // After it: its value at 5,000, marked as earlier.
    expect(await hoverAt(8000)).toEqual([
      { label: 'dense', value: '800.0', earlier: false, at: null },
      { label: 'sparse', value: '−500.0', earlier: true, at: 'at step 5,000' },
    ]);
    await screenshot(page, 'curves-hover-sparse');
    // At the sparse run's own point the dense run is the one that shows an earlier value.
    expect(await hoverAt(15_000)).toEqual([
      { label: 'dense', value: '1400', earlier: true, at: 'at step 14k' },
      { label: 'sparse', value: '−1500', earlier: false, at: null },
    ]);
    // Past its last point it keeps its last value.
    expect((await hoverAt(LAST)).find((v) => v.label === 'sparse')).toEqual({ label: 'sparse', value: '−1500', earlier: true, at: 'at step 15k' });
    expect(errors).toEqual([]);
  });
});
