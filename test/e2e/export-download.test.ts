/**
 * Export in browser mode, end to end in headless Chromium: after the Export dialog exports a
 * trained pendulum policy, "Download (zip)" downloads the export folder as a zip whose entries
 * are the files the dialog lists, byte for byte those on disk; "Copy path" copies the folder's
 * path; file names do not wrap mid-word; a camera policy's dialog says it takes camera images.
 * The download route refuses paths outside a run's exports and other Hosts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readStoredZip } from '../../src-main/server/zip-store.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';

describe('export downloads as a zip in browser mode', () => {
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
        name: 'export zip',
        env: { id: 'pendulum' },
        totalSteps: 400,
        evalEvery: 0,
        evalEpisodes: 1,
        checkpointEvery: 200,
        td3: { learningStarts: 100, batchSize: 16, actorHidden: [8], criticHidden: [8] },
      },
    });
    id = run.id;
    const done = new Promise<void>((resolve) =>
      ctx.engine.bus.on('run.status', (s) => s.id === id && (s.status === 'finished' || s.status === 'failed') && resolve()),
    );
    await client.request('train.start', { id });
    await done;
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${id}/curves`));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.url.replace(/\/$/, '') });
    await page.setViewportSize({ width: 1024, height: 700 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  it('exports, then downloads the folder as a zip with the listed files', async () => {
    await page.click('[data-testid="btn-export"]');
    await page.waitForSelector('[data-testid="export-dialog"][open]');
    expect(await page.locator('[data-testid="export-camera"]').count()).toBe(0);
    await page.click('[data-testid="export-last"]');
    await page.click('[data-testid="export-submit"]');
    await page.waitForSelector('[data-testid="export-result"], [data-testid="export-error"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="export-error"]').count()).toBe(0);
    const dir = (await page.textContent('[data-testid="export-dir"]'))!.trim();
    const listed = await page.$$eval('[data-testid="export-files"] li', (lis) => lis.map((li) => li.textContent!.trim()));
    expect(listed.length).toBeGreaterThan(2);
    // Each file name on one line (no wrapping mid-word).
    const wrapped = await page.$$eval('[data-testid="export-files"] code', (cs) =>
      cs.filter((c) => c.getClientRects().length > 1 || c.getBoundingClientRect().height > 24).map((c) => c.textContent),
    );
    expect(wrapped).toEqual([]);
    await screenshot(page, 'export-dialog-download');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-download"]')]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const zip = readFileSync((await download.path())!);
    const entries = readStoredZip(zip);
    const folder = dir.split('/').pop()!;
    console.log(`downloaded ${download.suggestedFilename()}: ${zip.length} bytes, ${entries.length} entries: ${entries.map((e) => e.name).join(', ')}`);
    expect(entries.every((e) => e.crcOk)).toBe(true);
    expect(entries.every((e) => e.name.startsWith(`${folder}/`))).toBe(true);
    for (const f of listed) {
      const e = entries.find((x) => x.name === `${folder}/${f}`);
      expect(e, f).toBeDefined();
      expect(Buffer.compare(e!.data, readFileSync(join(dir, f))), f).toBe(0);
    }
  });

  it('copies the folder path', async () => {
    const dir = (await page.textContent('[data-testid="export-dir"]'))!.trim();
    await page.click('[data-testid="export-copy-path"]');
    await expect.poll(() => page.textContent('[data-testid="export-copy-path"]')).toContain('Path copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(dir);
    await page.keyboard.press('Escape');
  });

  it('the route serves only export folders, to loopback Hosts', async () => {
    const base = ctx.server.url.replace(/\/$/, '');
    expect((await fetch(`${base}/exports/${id}/..%2F..%2Fetc.zip`)).status).toBe(404);
    expect((await fetch(`${base}/exports/${id}/nope.zip`)).status).toBe(404);
    expect((await fetch(`${base}/exports/not-a-run/x.zip`)).status).toBe(404);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${base}/exports/${id}/x.zip`);
      request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0))
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it("a camera policy's Export dialog says it takes camera images", async () => {
    const cam = await ctx.engine.client().request('runs.create', { config: { name: 'camera policy', env: { id: 'lane', obs: 'pixels' } } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${cam.id}"]`);
    if (await page.locator('[data-testid="export-dialog"][open]').count()) await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="export-dialog"][open]', { state: 'detached' });
    await page.goto(`${ctx.server.url}#/runs/${cam.id}/curves`);
    await page.click('[data-testid="btn-export"]');
    await page.waitForSelector('[data-testid="export-dialog"][open]');
    await expect.poll(() => page.textContent('[data-testid="export-camera"]')).toContain('takes camera images');
    expect(await page.textContent('[data-testid="export-camera"]')).toContain('64×64');
    expect(errors).toEqual([]);
  });
});
