/**
 * Regenerates the live-view screenshots in assets/screenshots/ for the README (not a test):
 *
 *   npm run build && npx tsx test/tools/readme-screenshots.ts [seconds of training, default 90]
 *
 * Trains a real lane run (state observation, small networks) in browser mode, takes over for a
 * few seconds with the keyboard, then saves the live view (3D road, agent camera, action and
 * Q-value), the disengagement log with its road map, and the curves, at 1280x800. The 3D view
 * is rendered at full resolution (localStorage drive-lab.render-scale = 1) for the pictures.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from '../e2e/support/app.js';

const OUT = join(import.meta.dirname, '..', '..', 'assets', 'screenshots');
const seconds = Number(process.argv[2] ?? 90);
mkdirSync(OUT, { recursive: true });

const ctx = await startServer();
const browser = await launchBrowser();
try {
  const client = ctx.engine.client();
  const run = await client.request('runs.create', {
    config: {
      name: 'lane, state obs',
      env: { id: 'lane', obs: 'state' },
      totalSteps: 200_000,
      evalEvery: 0,
      logEvery: 200,
      checkpointEvery: 0,
      td3: { learningStarts: 500, batchSize: 64, actorHidden: [64, 64], criticHidden: [64, 64] },
    },
  });
  const { page } = await openApp(browser, `${ctx.server.url}#/runs/${run.id}/live`);
  await page.evaluate(`localStorage.setItem('drive-lab.render-scale', '1')`);
  await page.reload();
  await client.request('train.start', { id: run.id });
  await page.waitForSelector('[data-testid="scene-canvas"][data-ready="true"]', { timeout: 60_000 });
  console.log(`training ${seconds} s…`);
  await page.waitForTimeout(seconds * 1000);

  // A short drive by hand: a "manual" disengagement on the log and the map.
  await page.locator('body').focus();
  await page.keyboard.down('ArrowLeft');
  await page.waitForSelector('[data-testid="driving-banner"]');
  await page.waitForTimeout(500);
  await page.keyboard.up('ArrowLeft');
  await page.keyboard.down('ArrowRight');
  await page.waitForTimeout(400);
  await page.keyboard.up('ArrowRight');
  await page.waitForTimeout(1500);
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid="driving-banner"]', { state: 'detached' });
  await page.waitForTimeout(2500);

  const shot = async (p: Page, name: string) => {
    const path = join(OUT, `${name}.png`);
    await p.screenshot({ path });
    console.log(path);
  };
  await shot(page, 'live-view');
  await page.click('[data-testid="cam-top"]');
  await page.waitForTimeout(1500);
  await shot(page, 'live-view-top-down');
  await page.click('[data-testid="cam-chase"]');

  await page.click('[data-testid="tab-disengagements"]');
  await page.waitForSelector('[data-testid="dis-row"][data-cause="manual"]');
  await page.click('[data-testid="dis-row"][data-cause="manual"]');
  await page.waitForTimeout(1500);
  await shot(page, 'disengagements');

  await page.click('[data-testid="tab-curves"]');
  await page.waitForSelector('[data-testid="chart-episode-return"]');
  await page.waitForTimeout(1500);
  await shot(page, 'curves-lane');
  await client.request('train.stop', { id: run.id });
} finally {
  await browser.close();
  await ctx.stop();
}
