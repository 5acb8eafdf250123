/**
 * A failed run gives one toast in words, end to end in headless Chromium (browser mode): a lane
 * run on the VAE latent whose VAE model is missing fails at start for real; a TF.js shape error
 * is sent the way the training manager sends a worker's error (an engine.log line, then the
 * "failed" status). Each gives exactly one error toast, saying what happened, where training
 * resumes (the last checkpoint) and what to do, instead of the raw message twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';

describe('one readable toast for a failed run', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ctx = await startServer();
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/`));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const toasts = () => page.locator('[data-testid="toast-error"]');

  it('a run whose VAE model is missing fails at start: one toast, in words, with what to do', async () => {
    const run = await ctx.engine
      .client()
      .request('runs.create', { config: { name: 'no vae', env: { id: 'lane', obs: 'vae', vae: { model: 'missing/model' } }, totalSteps: 1000 } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${run.id}"]`);
    await page.goto(`${ctx.server.url}#/runs/${run.id}/curves`);
    await page.click('[data-testid="btn-toggle-training"]');
    await page.waitForSelector('[data-testid="run-view"] [data-testid="status-chip"][data-status="failed"]', { timeout: 30_000 });
    await expect.poll(() => toasts().count()).toBe(1);
    // The raw line would come within the hold time: still one toast after it.
    await page.waitForTimeout(2500);
    expect(await toasts().count()).toBe(1);
    const t = (await toasts().first().textContent())!;
    expect(t).toContain('Run "no vae" stopped with an error');
    expect(t).toContain('no VAE model where its config points');
    expect(t).toContain('no checkpoint yet');
    expect(t).toMatch(/Duplicate with changes/);
    await screenshot(page, 'error-toast-vae');
    await page.click('[data-testid="toast-error"] button[aria-label="Dismiss"]');
  });

  it('a TF.js shape error from the worker: one toast naming the mismatch, the last checkpoint and the fix', async () => {
    const run = await ctx.engine
      .client()
      .request('runs.create', { config: { name: 'shapes', env: { id: 'pendulum' }, totalSteps: 100_000, checkpointEvery: 5000 } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${run.id}"]`);
    const raw = 'Error when checking input: expected dense_Dense1_input to have shape [null,3] but got array with shape [1,40].';
    // As training-manager.ts relays a worker's error: the log line, then the status.
    ctx.engine.bus.emit('run.status', { id: run.id, status: 'running', step: 0 });
    ctx.engine.bus.emit('engine.log', { level: 'error', message: `run ${run.id}: ${raw}`, t: Date.now() });
    ctx.engine.bus.emit('run.status', { id: run.id, status: 'failed', step: 12_345, message: raw });
    await expect.poll(() => toasts().count()).toBe(1);
    await page.waitForTimeout(2500);
    expect(await toasts().count()).toBe(1);
    const t = (await toasts().first().textContent())!;
    expect(t).toContain('Run "shapes" stopped with an error');
    expect(t).toContain('do not fit together');
    expect(t).toContain('last checkpoint is at step 10,000');
    expect(t).toContain('Start resumes from there');
    // The engine's own words stay available once, as a detail.
    expect(t.split('expected dense_Dense1_input').length - 1).toBe(1);
    await screenshot(page, 'error-toast-shape');
    expect(errors).toEqual([]);
  });
});
