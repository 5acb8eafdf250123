/** Shared steps of the app's end-to-end tests: open a page, wait for the engine link, drop it. */
import type { Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../../src-main/server/serve.js';

export interface OpenedPage {
  page: Page;
  /** Uncaught errors in the page (a test ends by expecting none). */
  errors: string[];
}

export async function openApp(browser: Browser, url: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
  // Fail fast: nothing in this app should take seconds to appear.
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitConnected(page);
  return { page, errors };
}

export async function waitConnected(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent?.trim() === 'connected', null, { timeout: 30_000 });
}

/** Tracks the server's TCP connections so a test can drop them (the page's WebSocket with them). */
export function trackSockets(server: RunningServer): { drop: () => number } {
  const sockets = new Set<Socket>();
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    drop: () => {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
  };
}

/** Text of an element, trimmed ('' when missing). */
/** An element's text as a reader sees it: runs of white space (template line breaks) read as one space. */
export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}

/** Number of points a chart draws (its data-points attribute). */
export async function chartPoints(page: Page, chartId: string): Promise<number> {
  const chart = page.locator(`[data-testid="chart-${chartId}"]`);
  if ((await chart.count()) === 0) return -1;
  const v = await chart.getAttribute('data-points');
  return v === null ? -1 : Number(v);
}

/**
 * A lane run (state observations, tiny networks) that stays in its random warm-up for the whole
 * test, so its episodes are short and many: what the live, replay and layout tests watch.
 */
export function slowLaneRun(name: string): Record<string, unknown> {
  return {
    name,
    env: { id: 'lane', obs: 'state' },
    totalSteps: 1_000_000,
    evalEvery: 0,
    logEvery: 200,
    checkpointEvery: 0,
    td3: { learningStarts: 100_000, batchSize: 16, actorHidden: [16], criticHidden: [16], bufferSize: 10_000 },
  };
}
