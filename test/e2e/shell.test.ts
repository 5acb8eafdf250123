/**
 * The app shell: light and dark themes that follow the system unless overridden (and
 * remember the choice), keyboard shortcuts documented in the help overlay, dialogs that
 * trap and return focus, and a layout that fits 1280x800.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, text, waitConnected } from './support/app.js';
import { appendMetrics, learningCurve } from './support/metrics.js';

describe('themes, shortcuts and focus', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const ids: string[] = [];

  beforeAll(async () => {
    ctx = await startServer();
    const client = ctx.engine.client();
    for (const [name, seed] of [
      ['alpha', 0],
      ['beta', 1],
      ['gamma', 2],
    ] as const) {
      const run = await client.request('runs.create', { config: { name, seed } });
      appendMetrics(ctx.engine, run.id, learningCurve({ totalSteps: 3_000, seed: seed + 1 }));
      ids.push(run.id);
    }
    // Newest first, as the list shows them.
    ids.reverse();
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/runs/${ids[0]}/curves`, { colorScheme: 'light' }));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const luminance = async () => {
    const [r, g, b] = (await background()).match(/\d+/g)!.map(Number);
    return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
  };
  const openDialogs = () => page.locator('dialog[open]').count();

  it('follows the system theme, live', async () => {
    expect(await theme()).toBe('light');
    expect(await luminance()).toBeGreaterThan(0.8);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(theme).toBe('dark');
    expect(await luminance()).toBeLessThan(0.2);
    await page.waitForSelector('[data-testid="chart-episode-return"] canvas');
    await screenshot(page, 'curves-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
  });

  it('lets the user override the theme, and remembers it across reloads', async () => {
    await page.click('[data-testid="theme-switch"] label:has([data-testid="theme-dark"])');
    expect(await theme()).toBe('dark');
    expect(await page.isChecked('[data-testid="theme-dark"]')).toBe(true);
    await page.reload();
    await waitConnected(page);
    expect(await theme()).toBe('dark');
    // The override holds against the system.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForTimeout(100);
    expect(await theme()).toBe('dark');
    // T cycles system -> light -> dark; back to following the system.
    await page.keyboard.press('t');
    expect(await page.isChecked('[data-testid="theme-system"]')).toBe(true);
    expect(await theme()).toBe('light');
  });

  it('documents every shortcut in the help overlay (?), closes on Escape and returns focus', async () => {
    await page.focus('[data-testid="help-button"]');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help-dialog"][open]');
    const help = await text(page, '[data-testid="help-dialog"]');
    for (const line of [
      'Start, pause or resume training',
      'Stop training',
      'Evaluate now',
      'real time',
      'New run',
      'Rename the run',
      'Duplicate with changes',
      'Delete the run',
    ]) {
      expect(help).toContain(line);
    }
    // Focus is inside the dialog and Tab stays there.
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
    await screenshot(page, 'help');
    await page.keyboard.press('Escape');
    await expect.poll(openDialogs).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('help-button');
  });

  it('moves between runs and tabs with J/K and 1/2/3/4', async () => {
    await page.locator('body').focus();
    const current = () => page.getAttribute('[data-testid="run-view"]', 'data-run-id');
    expect(await current()).toBe(ids[0]);
    await page.keyboard.press('j');
    await expect.poll(current).toBe(ids[1]);
    await page.keyboard.press('j');
    await expect.poll(current).toBe(ids[2]);
    await page.keyboard.press('k');
    await expect.poll(current).toBe(ids[1]);
    await page.keyboard.press('3');
    await expect.poll(() => page.getAttribute('[data-testid="tab-disengagements"]', 'aria-selected')).toBe('true');
    await page.keyboard.press('4');
    await page.waitForSelector('[data-testid="config-view"]');
    expect(await page.getAttribute('[data-testid="tab-config"]', 'aria-selected')).toBe('true');
    await page.keyboard.press('2');
    await page.waitForSelector('[data-testid="scene-canvas"]');
    await screenshot(page, 'live-view');
    await page.keyboard.press('1');
    await page.waitForSelector('[data-testid="chart-episode-return"]');
    // Arrow keys move between tabs when the tab list has focus.
    await page.focus('[data-testid="tab-curves"]');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getAttribute('[data-testid="tab-live"]', 'aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getAttribute('[data-testid="tab-curves"]', 'aria-selected')).toBe('true');
  });

  it('renames with R, cancels with Escape, and ignores shortcuts while typing', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('r');
    const field = page.locator('[data-testid="rename-input"]');
    await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
    // Letters typed into a field are text, not shortcuts (n would open New run, j the next run).
    await page.keyboard.type('new j name');
    expect(await field.inputValue()).toBe('new j name');
    expect(page.url()).toContain(`#/runs/${ids[1]}`);
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="rename-input"]').count()).toBe(0);
    expect(await text(page, '[data-testid="run-title"]')).toBe('beta');
  });

  it('opens New run (N), Duplicate (C), Delete (Delete) and the seed dialog (Shift+S)', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid="new-run-form"]');
    expect(await page.inputValue('[data-testid="input-name"]')).toBe('beta (copy)');
    await page.locator('body').focus();
    await page.keyboard.press('n');
    await expect.poll(() => page.url()).toContain('#/new');
    expect(await page.inputValue('[data-testid="input-name"]')).toBe('run');
    await page.goBack();
    await page.goBack();
    await page.waitForSelector('[data-testid="run-view"]');
    await page.locator('body').focus();
    await page.keyboard.press('Delete');
    await page.waitForSelector('[data-testid="confirm-dialog"][open]');
    await page.keyboard.press('Escape');
    await expect.poll(openDialogs).toBe(0);
    expect((await ctx.engine.client().request('runs.list', {})).length).toBe(3);

    await page.keyboard.press('Shift+S');
    await page.waitForSelector('[data-testid="reseed-dialog"][open]');
    const seed = page.locator('[data-testid="reseed-input"]');
    await expect.poll(() => seed.inputValue()).toBe('2');
    await seed.fill('-4');
    await expect.poll(() => page.textContent('#reseed-error')).toContain('must be ≥ 0');
    expect(await page.isDisabled('[data-testid="reseed-submit"]')).toBe(true);
    await seed.fill('11');
    await page.uncheck('[data-testid="reseed-dialog"] input[type="checkbox"]');
    await page.click('[data-testid="reseed-submit"]');
    await expect.poll(async () => (await ctx.engine.client().request('runs.list', {})).length).toBe(4);
    const copy = (await ctx.engine.client().request('runs.list', {})).find((r) => r.name === 'beta (seed 11)')!;
    expect((await ctx.engine.client().request('runs.get', { id: copy.id })).config.seed).toBe(11);
    await expect.poll(() => page.getAttribute('[data-testid="run-view"]', 'data-run-id')).toBe(copy.id);
  });

  it('fits 1280x800 without horizontal scrolling and labels its controls', async () => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    // Every button and form control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('button, input, select, textarea, a[href]')]
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .filter((el) => {
          const e = el as HTMLElement;
          const labelled = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.textContent?.trim() || e.getAttribute('title');
          const byLabel = e.id && document.querySelector(`label[for="${e.id}"]`);
          const wrapped = e.closest('label');
          return !(labelled || byLabel || wrapped);
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    expect(unnamed).toEqual([]);
    expect(errors).toEqual([]);
  });
});
