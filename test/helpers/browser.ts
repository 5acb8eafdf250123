/** Headless Chromium for end-to-end tests (Debian's /usr/bin/chromium; WebGL on llvmpipe). */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--ignore-gpu-blocklist',
  '--use-gl=angle',
  '--use-angle=gl-egl',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Saves a screenshot under test-artifacts/ (kept by CI as an artifact, never committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Reads a canvas's pixels in the page and summarizes them: how many distinct colours, and a
 * checksum, so a test can say "non-blank" and "changed" without shipping pixels around.
 */
export async function canvasStats(page: Page, selector: string): Promise<{ width: number; height: number; distinctColours: number; checksum: number }> {
  return page.$eval(selector, (el) => {
    const canvas = el as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    const colours = new Set<number>();
    let checksum = 0;
    for (let i = 0; i < data.length; i += 4) {
      const c = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      if (colours.size < 10_000) colours.add(c);
      checksum = (checksum * 31 + c) >>> 0;
    }
    return { width: copy.width, height: copy.height, distinctColours: colours.size, checksum };
  });
}
