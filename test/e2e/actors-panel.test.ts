/**
 * The actors panel of an async run, end to end in headless Chromium (browser mode): a lane run
 * with 2 in-process actors shows one row per actor, and both rows update from the run's live
 * "actors" events (steps taken grow; steps/s, version lag and last heartbeat are shown).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, slowLaneRun, text } from './support/app.js';

describe('the actors panel of an async run', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let id = '';

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    const run = await client.request('runs.create', {
      config: {
        ...slowLaneRun('actors panel'),
        // Tiny networks and few updates: the learner must not hold the actors back on a busy machine.
        td3: { learningStarts: 200, batchSize: 16, actorHidden: [16], criticHidden: [16], bufferSize: 10_000 },
        actors: { mode: 'async', count: 2, updatesPerStep: 0.05, weightSyncEvery: 5 },
      },
    });
    id = run.id;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}`));
    await client.request('train.start', { id });
  }, 60_000);
  afterAll(async () => {
    await ctx?.engine
      .client()
      .request('train.stop', { id })
      .catch(() => {});
    await browser?.close();
    await ctx?.stop();
  });

  /** The rows as the panel shows them, by slot. */
  const rows = async () =>
    page.$$eval('[data-testid="actor-row"]', (trs) =>
      trs.map((tr) => ({
        slot: Number(tr.getAttribute('data-slot')),
        steps: Number(tr.getAttribute('data-steps')),
        alive: tr.getAttribute('data-alive') === 'true',
        rate: tr.querySelector('[data-testid="actor-rate"]')?.textContent?.trim() ?? '',
        lag: tr.querySelector('[data-testid="actor-lag"]')?.textContent?.trim() ?? '',
        heard: tr.querySelector('[data-testid="actor-heard"]')?.textContent?.trim() ?? '',
      })),
    );
  const stepsOf = async () =>
    Object.fromEntries(
      (await rows())
        .filter((r) => r.alive)
        .map((r) => [r.slot, r.steps])
        .sort(),
    ) as Record<number, number>;

  it('shows both actors and updates their rows', async () => {
    const t0 = performance.now();
    const since = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    // The panel lists the actors once they have delivered transitions (each starts its own thread
    // and ML backend first: slow on a busy machine). The first events may list only one.
    await expect.poll(async () => (await rows()).length, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
    const one = since();
    await expect.poll(async () => (await rows()).filter((r) => r.alive && r.steps > 0).length, { timeout: 60_000, interval: 250 }).toBe(2);
    expect(await text(page, '[data-testid="actors-count"]')).toBe('2');
    const first = await stepsOf();
    const shown = since();
    expect(Object.keys(first).map(Number).sort()).toEqual([0, 1]);
    // Both rows update: each actor's steps grow past what the first look saw.
    await expect
      .poll(
        async () => {
          const now = await stepsOf();
          return now[0]! > first[0]! && now[1]! > first[1]!;
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe(true);
    for (const r of await rows()) {
      expect(r.rate).toMatch(/^[\d.,]+[kMG]?$/);
      expect(r.lag).toMatch(/^\d+$/);
      expect(r.heard).toMatch(/^(now|\d+ s ago)$/);
    }
    console.log(`first actor shown after ${one}, both after ${shown}, both rows updated after ${since()}: ${JSON.stringify(await rows())}`);
    await screenshot(page, 'actors-panel');
    expect(errors).toEqual([]);
  });
});
