/**
 * The New-run form shows what applies and shows it truly, end to end in headless Chromium
 * (browser mode): a pendulum run has no Drive section; a lane run has the Drive section as an
 * option (off) and no VAE options until obs = vae, which writes out the VAE's model and mode
 * defaults; switches show their real default; step counts read 10000000, not 1e7. For a lane
 * run on the VAE latent and for the drive template, every field's value in the form equals the
 * config the engine saved; an arm camera run offers the previous-action switch and gets it; an
 * arm run's Config tab has no Drive card. On the webgpu backend, an
 * algorithm its learner cannot train is refused under the backend field, and a TD3 run is saved
 * with actor threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from './support/app.js';

interface FieldValue {
  path: string;
  kind: 'checkbox' | 'select' | 'text' | 'json';
  value: string | boolean;
}

/** Every input of the form, by config path, as the user sees it. */
async function formValues(page: Page): Promise<FieldValue[]> {
  return page.$$eval('[data-testid="new-run-form"] [data-testid^="input-"]', (els) =>
    els.map((el) => {
      const path = el.getAttribute('data-testid')!.slice('input-'.length);
      if (el instanceof HTMLInputElement && el.type === 'checkbox') return { path, kind: 'checkbox' as const, value: el.checked };
      if (el instanceof HTMLSelectElement) return { path, kind: 'select' as const, value: el.value };
      if (el instanceof HTMLTextAreaElement) return { path, kind: 'json' as const, value: el.value };
      return { path, kind: 'text' as const, value: (el as HTMLInputElement).value };
    }),
  );
}

function at(root: unknown, path: string): unknown {
  let cur = root;
  for (const k of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** The fields whose shown value differs from the saved config (empty when the form is honest). */
function mismatches(fields: FieldValue[], config: unknown): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const saved = at(config, f.path);
    let same: boolean;
    // An optional switch (no default, e.g. env.speedSetpoint) left off stays absent from the
    // config, which its schema defines as off.
    if (f.kind === 'checkbox') same = (saved ?? false) === f.value;
    else if (f.kind === 'json') same = saved === undefined ? f.value === '' : JSON.stringify(saved) === JSON.stringify(JSON.parse(String(f.value)));
    else if (Array.isArray(saved))
      same =
        JSON.stringify(saved) ===
        JSON.stringify(
          String(f.value)
            .split(/[,\s]+/)
            .filter(Boolean)
            .map(Number),
        );
    else if (typeof saved === 'number') same = String(f.value) === String(saved);
    else same = String(f.value) === (saved === undefined ? '' : String(saved));
    if (!same) out.push(`${f.path}: form ${JSON.stringify(f.value)}, saved ${JSON.stringify(saved)}`);
  }
  return out;
}

describe('the New-run form shows what applies, with the values the run gets', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ctx = await startServer();
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/new`));
    await page.setViewportSize({ width: 1400, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const input = (path: string) => page.locator(`[data-testid="input-${path}"]`);
  const count = (sel: string) => page.locator(sel).count();

  /** Creates the run from the form and returns the saved config, after checking every field against it. */
  async function createAndCompare(): Promise<Record<string, unknown>> {
    const fields = await formValues(page);
    expect(fields.length).toBeGreaterThan(30);
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="run-view"]');
    const id = await page.getAttribute('[data-testid="run-view"]', 'data-run-id');
    const detail = await ctx.engine.client().request('runs.get', { id: id! });
    const wrong = mismatches(fields, detail.config);
    console.log(`${fields.length} fields compared with the saved config of "${detail.name}": ${wrong.length} differ`);
    expect(wrong).toEqual([]);
    return detail.config as unknown as Record<string, unknown>;
  }

  it('a pendulum run has no Drive section; a lane run has it as an option, and VAE options only with obs = vae', async () => {
    await page.waitForSelector('[data-testid="new-run-form"]');
    expect(await input('env.id').inputValue()).toBe('pendulum');
    expect(await count('[data-testid="group-drive"]')).toBe(0);
    await input('env.id').selectOption('lane');
    // The env hint speaks of the chosen env, not of the default one.
    expect(await page.textContent('[data-testid="field-env.id"] .meta')).toMatch(/^\s*Lane/i);
    expect(await page.getAttribute('[data-testid="group-drive"]', 'data-included')).toBe('false');
    expect(await count('[data-testid^="input-drive."]')).toBe(0);
    expect(await count('[data-testid="group-env.vae"]')).toBe(0);
    await input('env.obs').selectOption('vae');
    await page.waitForSelector('[data-testid="group-env.vae"]');
    expect(await input('env.vae.model').inputValue()).toBe('vae/model');
    expect(await input('env.vae.mode').inputValue()).toBe('frozen');
    expect(await input('env.vae.normalize').isChecked()).toBe(true);
    // Defaults written out are not "changed".
    expect(await count('[data-testid="group-env.vae"] .field.changed')).toBe(0);
    await screenshot(page, 'form-lane-vae');
    await input('env.obs').selectOption('state');
    await expect.poll(() => count('[data-testid="group-env.vae"]')).toBe(0);
    await input('env.obs').selectOption('vae');
    await input('name').fill('form lane vae');
    const config = await createAndCompare();
    expect(at(config, 'env.vae.mode')).toBe('frozen');
    expect(config.drive).toBeUndefined();
  });

  it('the drive template: the Drive section on, real switch values, 10000000 steps, the canonical VAE target as a choice; the form equals the saved config', async () => {
    await page.goto(`${ctx.server.url}#/new/drive`);
    await page.waitForSelector('[data-testid="new-run-form"]');
    expect(await input('totalSteps').inputValue()).toBe('10000000');
    expect(await input('drive.pixels.enabled').isChecked()).toBe(true);
    expect(await input('env.vae.normalize').isChecked()).toBe(true);
    // The randomized world's canonical VAE target is one choice away, and the run gets it.
    expect(await input('drive.vae.target').inputValue()).toBe(''); // absent: the frame itself
    await input('drive.vae.target').selectOption('canonical');
    const config = await createAndCompare();
    expect(at(config, 'drive.vae.target')).toBe('canonical');
  });

  it('a pendulum run from the blank form equals its saved config; switching to pendulum drops the Drive section', async () => {
    await page.goto(`${ctx.server.url}#/new`);
    await page.waitForSelector('[data-testid="new-run-form"]');
    await input('env.id').selectOption('lane');
    await page.click('[data-testid="include-drive"]');
    await page.waitForSelector('[data-testid="input-drive.pixels.enabled"]');
    expect(await input('drive.pixels.enabled').isChecked()).toBe(true);
    await input('env.id').selectOption('pendulum');
    await expect.poll(() => count('[data-testid="group-drive"]')).toBe(0);
    await input('name').fill('form pendulum');
    const config = await createAndCompare();
    expect(config.drive).toBeUndefined();
  });

  it('webgpu: a run its learner cannot train is refused under the backend field; a TD3 run is created with actor threads', async () => {
    await page.goto(`${ctx.server.url}#/new`);
    await page.waitForSelector('[data-testid="new-run-form"]');
    const before = (await ctx.engine.client().request('runs.list', {})).length;
    await input('algo').selectOption('sac');
    await input('backend').selectOption('webgpu');
    await expect.poll(() => page.locator('[data-testid="error-backend"]').textContent()).toMatch(/sac cannot train on webgpu .*td3, ddpg, d4pg/);
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="error-summary"]');
    await screenshot(page, 'form-webgpu-refused');
    expect((await ctx.engine.client().request('runs.list', {})).length).toBe(before);
    await input('algo').selectOption('td3');
    await expect.poll(() => count('[data-testid="error-backend"]')).toBe(0);
    await input('name').fill('form webgpu td3');
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="run-view"]');
    const id = await page.getAttribute('[data-testid="run-view"]', 'data-run-id');
    const detail = await ctx.engine.client().request('runs.get', { id: id! });
    expect(detail.config.backend).toBe('webgpu');
    expect(detail.config.actors?.mode).toBe('async');
  });

  it('an arm run on the table camera offers the previous-action switch, and the run gets it', async () => {
    await page.goto(`${ctx.server.url}#/new`);
    await page.waitForSelector('[data-testid="new-run-form"]');
    await input('env.id').selectOption('arm-reach');
    await input('env.obs').selectOption('pixels');
    await input('env.cameraLastAction').check();
    await input('name').fill('form arm camera');
    await input('env.cameraLastAction').scrollIntoViewIfNeeded();
    await screenshot(page, 'form-arm-camera');
    const config = await createAndCompare();
    expect(config.env).toMatchObject({ id: 'arm-reach', obs: 'pixels', cameraLastAction: true });
    expect(errors).toEqual([]);
  });

  it("an arm run's Config tab has no Drive card", async () => {
    const run = await ctx.engine.client().request('runs.create', { config: { name: 'form arm', env: { id: 'arm-reach' } } });
    await page.waitForSelector(`[data-testid="run-item"][data-run-id="${run.id}"]`);
    await page.goto(`${ctx.server.url}#/runs/${run.id}/config`);
    await page.waitForSelector('[data-testid="config-view"]');
    await screenshot(page, 'config-arm');
    const cards = await page.$$eval('[data-testid="config-view"] h3', (hs) => hs.map((h) => h.textContent?.trim()));
    expect(cards).not.toContain('Drive');
    expect(cards).toContain('Environment');
    expect(errors).toEqual([]);
  });
});
