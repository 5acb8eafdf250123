/**
 * Runs management and the New-run form in the browser: defaults and presets from the config
 * schema, values refused inline with the reason, runs created, renamed, duplicated with
 * changes and deleted through the contract, and live status from run.status / run.progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp, text } from './support/app.js';

describe('runs and the New-run form', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ctx = await startServer();
    browser = await launchBrowser();
    ({ page, errors } = await openApp(browser, `${ctx.server.url}#/new`));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const input = (key: string) => page.locator(`[data-testid="input-${key}"]`);
  const fieldError = (key: string) => page.locator(`[data-testid="error-${key}"]`);
  const runIds = async () => (await ctx.engine.client().request('runs.list', {})).map((r) => r.id);

  it('shows every field with its documented default, range and help', async () => {
    await page.waitForSelector('[data-testid="new-run-form"]');
    // TD3 on pendulum starts from the engine's preset for it (RL Zoo's Pendulum-v1 settings), as the CLI does.
    expect(await input('td3.gamma').inputValue()).toBe('0.98');
    expect(await input('td3.batchSize').inputValue()).toBe('256');
    expect(await input('td3.actorHidden').inputValue()).toBe('64, 64');
    expect(await input('totalSteps').inputValue()).toBe('20000');
    expect(await input('env.maxEpisodeSteps').inputValue()).toBe('200');
    expect(await input('td3.noise.type').inputValue()).toBe('gaussian');
    expect(await text(page, '[data-testid="meta-td3.gamma"]')).toBe('default 0.98 (without the preset: 0.99) · 0 ≤ x ≤ 1');
    expect(await text(page, '[data-testid="meta-td3.tau"]')).toBe('default 0.005 · 0 ≤ x ≤ 1');
    expect(await text(page, '[data-testid="meta-td3.actorLr"]')).toContain('0 < x ≤ 1');
    expect(await page.textContent('[data-testid="field-td3.tau"]')).toContain('Polyak averaging factor');
    // Every top-level config field of the schema is in the form.
    for (const key of ['name', 'algo', 'seed', 'totalSteps', 'numEnvs', 'evalEvery', 'evalEpisodes', 'checkpointEvery', 'logEvery', 'backend']) {
      expect(await page.locator(`[data-testid="field-${key}"]`).count(), key).toBe(1);
    }
    // The optional field without a default is empty ("off").
    expect(await input('td3.maxGradNorm').inputValue()).toBe('');
    await screenshot(page, 'new-run-form');
  });

  it('applies the DDPG preset when DDPG is chosen and restores TD3 defaults', async () => {
    await input('algo').selectOption('ddpg');
    expect(await input('td3.nCritics').inputValue()).toBe('1');
    expect(await input('td3.policyDelay').inputValue()).toBe('1');
    expect(await input('td3.targetNoise').inputValue()).toBe('0');
    expect(await input('td3.noise.type').inputValue()).toBe('ou');
    expect(await input('td3.noise.theta').inputValue()).toBe('0.15');
    expect(await page.isVisible('[data-testid="preset-note"]')).toBe(true);
    expect(await text(page, '[data-testid="meta-td3.nCritics"]')).toContain('default 1 (without the preset: 2)');
    expect(await text(page, '[data-testid="preset-note"]')).toContain('Preset for DDPG on pendulum');
    await screenshot(page, 'new-run-form-ddpg');
    await input('algo').selectOption('td3');
    expect(await input('td3.nCritics').inputValue()).toBe('2');
    expect(await input('td3.noise.type').inputValue()).toBe('gaussian');
    expect(await text(page, '[data-testid="preset-note"]')).not.toContain('critics');
  });

  it("fills the chosen env's presets, lists the envs the algorithm has presets for, and keeps what the user set", async () => {
    // TD3's preset envs are buttons; arm-push's preset is hindsight replay and 300k steps.
    await page.click('[data-testid="preset-env-arm-push"]');
    expect(await input('env.id').inputValue()).toBe('arm-push');
    expect(await input('td3.replay.type').inputValue()).toBe('her');
    expect(await input('totalSteps').inputValue()).toBe('300000');
    expect(await text(page, '[data-testid="preset-note"]')).toContain('Preset for TD3 on arm-push');
    await screenshot(page, 'new-run-form-arm-push-preset');
    // A value the user typed stays when the env (and so the preset) changes; the rest follows.
    await input('td3.batchSize').fill('128');
    await input('env.id').selectOption('arm-reach');
    expect(await input('td3.replay.type').inputValue()).toBe('uniform');
    expect(await input('totalSteps').inputValue()).toBe('30000');
    expect(await input('td3.batchSize').inputValue()).toBe('128');
    await page.click('[data-testid="reset-td3.batchSize"]');
    expect(await input('td3.batchSize').inputValue()).toBe('256');
    // SAC on pendulum: RL Zoo's learning rate.
    await input('env.id').selectOption('pendulum');
    await input('algo').selectOption('sac');
    expect(await input('sac.learningRate').inputValue()).toBe('0.001');
    expect(await page.locator('[data-testid="preset-envs"] button').count()).toBeGreaterThan(0);
    // Back to TD3: its block comes back from the pendulum preset.
    await input('algo').selectOption('td3');
    expect(await input('td3.gamma').inputValue()).toBe('0.98');
    expect(await input('td3.actorHidden').inputValue()).toBe('64, 64');
  });

  it('explains the chosen algorithm and shows an on-policy algorithm its own block only', async () => {
    expect(await text(page, '[data-testid="option-help-algo"]')).toContain('two critics');
    await input('algo').selectOption('ppo');
    expect(await text(page, '[data-testid="option-help-algo"]')).toContain('clipped objective');
    expect(await input('ppo.nSteps').inputValue()).toBe('2048');
    expect(await input('ppo.clipRange').inputValue()).toBe('0.2');
    expect(await input('td3.gamma').count()).toBe(0);
    await input('algo').selectOption('a2c');
    expect(await input('a2c.optimizer').inputValue()).toBe('rmsprop');
    expect(await input('ppo.nSteps').count()).toBe(0);
    await input('algo').selectOption('td3');
    expect(await input('td3.gamma').inputValue()).toBe('0.98');
    expect(await input('td3.nCritics').inputValue()).toBe('2');
    expect(await input('a2c.nSteps').count()).toBe(0);
  });

  it('refuses invalid values inline, with the reason, and creates nothing', async () => {
    const before = await runIds();
    await input('td3.gamma').fill('7');
    await expect.poll(() => fieldError('td3.gamma').textContent()).toContain('must be ≤ 1');
    expect(await input('td3.gamma').getAttribute('aria-invalid')).toBe('true');
    // The error is tied to the input for screen readers.
    const describedBy = (await input('td3.gamma').getAttribute('aria-describedby')) ?? '';
    expect(describedBy).toContain('f-td3-gamma-error');
    await input('td3.batchSize').fill('abc');
    await expect.poll(() => fieldError('td3.batchSize').textContent()).toContain('"abc" is not a number');
    await input('numEnvs').fill('1.5');
    await expect.poll(() => fieldError('numEnvs').textContent()).toContain('must be a whole number');
    await input('td3.actorHidden').fill('');
    await expect.poll(() => fieldError('td3.actorHidden').textContent()).toContain('needs at least one item');
    await input('name').fill('');
    await expect.poll(() => fieldError('name').textContent()).toContain('must not be empty');
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="error-summary"]');
    expect(await page.textContent('[data-testid="error-summary"]')).toContain('5 fields need attention');
    await screenshot(page, 'new-run-form-invalid');
    expect(await runIds()).toEqual(before);
    // Back to valid values: each error goes away as soon as the value is fixed.
    await input('td3.gamma').fill('0.98');
    await expect.poll(() => fieldError('td3.gamma').count()).toBe(0);
    await page.click('[data-testid="reset-td3.batchSize"]');
    expect(await input('td3.batchSize').inputValue()).toBe('256');
    await input('numEnvs').fill('1');
    await input('td3.actorHidden').fill('64, 64');
    await input('name').fill('e2e mountain car');
    await expect.poll(() => page.locator('[data-testid^="error-"]').count()).toBe(0);
  });

  it('shows the options of the chosen env and creates a valid run', async () => {
    // The arm env's options (a choice, a switch, numbers) come from its schema alone.
    await input('env.id').selectOption('arm-push');
    expect(await input('env.control').inputValue()).toBe('velocity');
    expect(await input('env.terminateOnSuccess').isChecked()).toBe(false);
    expect(await input('env.cubeSolverIterations').inputValue()).toBe('20');
    expect(await input('env.maxEpisodeSteps').inputValue()).toBe('50');
    await input('env.distanceThreshold').fill('2');
    await expect.poll(() => fieldError('env.distanceThreshold').textContent()).toContain('must be ≤ 1');
    await page.locator('[data-testid="group-env"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'new-run-form-arm');
    await input('env.id').selectOption('mountaincar');
    await expect.poll(() => fieldError('env.distanceThreshold').count()).toBe(0);
    expect(await page.locator('[data-testid="input-env.control"]').count()).toBe(0);
    expect(await input('env.maxEpisodeSteps').inputValue()).toBe('999');
    await input('seed').fill('3');
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="run-view"]');
    const runs = await ctx.engine.client().request('runs.list', {});
    expect(runs).toHaveLength(1);
    const detail = await ctx.engine.client().request('runs.get', { id: runs[0]!.id });
    expect(detail.name).toBe('e2e mountain car');
    expect(detail.config.env).toEqual({ id: 'mountaincar', maxEpisodeSteps: 999 });
    expect(detail.config.td3.gamma).toBe(0.98);
    expect(detail.config.td3.actorHidden).toEqual([64, 64]);
    expect(detail.config.seed).toBe(3);
    expect(await text(page, '[data-testid="run-title"]')).toBe('e2e mountain car');
    expect(page.url()).toContain(`#/runs/${detail.id}/curves`);
    expect(await page.locator('[data-testid="run-item"]').count()).toBe(1);
    await page.waitForSelector('[data-testid="curves-empty"]');
  });

  it('renames a run in place', async () => {
    const [run] = await ctx.engine.client().request('runs.list', {});
    await page.click('[data-testid="btn-rename"]');
    const field = page.locator('[data-testid="rename-input"]');
    await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
    await field.fill('');
    await expect.poll(() => page.textContent('#rename-error')).toContain('must not be empty');
    await field.fill('car, renamed');
    // Live progress while typing does not reset the field.
    ctx.engine.bus.emit('run.progress', { id: run!.id, step: 10, totalSteps: 20_000, episodes: 0, envStepsPerS: 100, updatesPerS: 0 });
    await page.waitForTimeout(100);
    expect(await field.inputValue()).toBe('car, renamed');
    await field.press('Enter');
    await expect.poll(() => text(page, '[data-testid="run-title"]')).toBe('car, renamed');
    expect((await ctx.engine.client().request('runs.get', { id: run!.id })).name).toBe('car, renamed');
    expect(await text(page, `[data-run-id="${run!.id}"] [data-testid="run-name"]`)).toBe('car, renamed');
  });

  it('duplicates a run with changes', async () => {
    const [orig] = await ctx.engine.client().request('runs.list', {});
    await page.click('[data-testid="btn-duplicate"]');
    await page.waitForSelector('[data-testid="new-run-form"]');
    expect(await input('name').inputValue()).toBe('car, renamed (copy)');
    expect(await input('td3.gamma').inputValue()).toBe('0.98');
    expect(await input('env.id').inputValue()).toBe('mountaincar');
    await input('seed').fill('7');
    await input('td3.noise.type').selectOption('ou');
    await input('td3.noise.sigma').fill('0.3');
    await page.click('[data-testid="create-run"]');
    await page.waitForSelector('[data-testid="run-view"]');
    const runs = await ctx.engine.client().request('runs.list', {});
    expect(runs).toHaveLength(2);
    const copy = runs.find((r) => r.id !== orig!.id)!;
    const detail = await ctx.engine.client().request('runs.get', { id: copy.id });
    expect(detail.name).toBe('car, renamed (copy)');
    expect(detail.config.seed).toBe(7);
    expect(detail.config.td3.gamma).toBe(0.98);
    expect(detail.config.td3.actorHidden).toEqual([64, 64]);
    expect(detail.config.env.id).toBe('mountaincar');
    expect(detail.config.td3.noise).toEqual({ type: 'ou', theta: 0.15, sigma: 0.3, dt: 0.01, mu: 0 });
    await expect.poll(() => page.locator('[data-testid="run-item"]').count()).toBe(2);
  });

  it('lists runs in a table and updates status and steps live from engine events', async () => {
    const runs = await ctx.engine.client().request('runs.list', {});
    const id = runs[0]!.id;
    await page.goto(`${ctx.server.url}#/`);
    await page.waitForSelector('[data-testid="runs-table"]');
    expect(await page.locator('[data-testid="runs-row"]').count()).toBe(2);
    const headers = await page.locator('[data-testid="runs-table"] th').allTextContents();
    expect(headers.map((h) => h.replace(/[▾▴]/g, '').trim()).filter(Boolean)).toEqual([
      'Name',
      'Env',
      'Algorithm',
      'Status',
      'Steps',
      'Best evaluation',
      'Created',
      'Actions',
    ]);
    // Events as a training worker makes the engine send them.
    ctx.engine.bus.emit('run.status', { id, status: 'running', step: 0 });
    ctx.engine.bus.emit('run.progress', { id, step: 12_345, totalSteps: 20_000, episodes: 12, envStepsPerS: 850, updatesPerS: 800, speed: 'fast' });
    ctx.engine.bus.emit('run.metric', { id, line: { kind: 'eval', step: 12_000, mean_return: -140.5, std_return: 3, episodes: 10 } });
    const row = `[data-testid="runs-row"][data-run-id="${id}"]`;
    await expect.poll(() => page.getAttribute(`${row} [data-testid="status-chip"]`, 'data-status')).toBe('running');
    await expect.poll(() => text(page, row)).toContain('12.3k / 20k');
    await expect.poll(() => text(page, row)).toContain('−140.5');
    await expect.poll(() => text(page, '[data-testid="throughput"]')).toContain('850 steps/s');
    // A running run cannot be deleted from the table.
    expect(await page.locator(`${row} button[aria-label^="Delete"]`).isDisabled()).toBe(true);
    await screenshot(page, 'runs-table');
    ctx.engine.bus.emit('run.status', { id, status: 'failed', step: 12_345, message: 'worker crashed: out of memory' });
    await expect.poll(() => page.getAttribute(`${row} [data-testid="status-chip"]`, 'data-status')).toBe('failed');
    await expect.poll(() => page.textContent('[data-testid="toast-error"]')).toContain('out of memory');
  });

  it('deletes a run after confirmation (and keeps it on cancel)', async () => {
    const runs = await ctx.engine.client().request('runs.list', {});
    const victim = runs.find((r) => r.status !== 'running')!;
    await page.goto(`${ctx.server.url}#/runs/${victim.id}/curves`);
    await page.waitForSelector('[data-testid="run-view"]');
    await page.click('[data-testid="btn-delete"]');
    await page.waitForSelector('[data-testid="confirm-dialog"][open]');
    expect(await page.textContent('[data-testid="confirm-dialog"]')).toContain(victim.name);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="confirm-dialog"][open]').count()).toBe(0);
    expect(await runIds()).toContain(victim.id);
    await page.click('[data-testid="btn-delete"]');
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(runIds).not.toContain(victim.id);
    await expect.poll(() => page.locator(`[data-testid="run-item"][data-run-id="${victim.id}"]`).count()).toBe(0);
    // The view moves to another run rather than a dead one.
    await page.waitForSelector('[data-testid="run-view"]');
    expect(await page.getAttribute('[data-testid="run-view"]', 'data-run-id')).not.toBe(victim.id);
    expect(errors).toEqual([]);
  });
});
