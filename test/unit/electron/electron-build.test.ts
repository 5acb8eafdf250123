/**
 * The desktop bundles (built by `npm run build` before the tests): main with its worker entry
 * beside it, a CommonJS preload, and the renderer. The Electron binary cannot be downloaded
 * here, so the bundles are checked statically: what they import and how the window is set up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json' with { type: 'json' };

const OUT = new URL('../../../out/', import.meta.url).pathname;
const read = (p: string) => readFileSync(OUT + p, 'utf8');

function imports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["']([^"']+)["']/g)) found.add(m[1]!);
  return [...found].filter((s) => !s.startsWith('.'));
}

describe('electron-vite build', () => {
  it('emits main, worker, preload and renderer bundles', () => {
    for (const f of ['main/index.js', 'main/engine-worker.js', 'preload/index.cjs', 'renderer/index.html']) expect(existsSync(OUT + f), f).toBe(true);
  });

  it('main imports only electron, Node built-ins and declared dependencies', () => {
    const deps = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const file of ['main/index.js', 'main/engine-worker.js']) {
      for (const spec of imports(read(file))) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(spec === 'electron' || builtins.has(spec) || deps.has(name), `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('sets up a sandboxed, isolated window with a CSP and denied navigation', () => {
    const main = read('main/index.js');
    expect(main).toMatch(/contextIsolation:\s*true/);
    expect(main).toMatch(/sandbox:\s*true/);
    expect(main).toMatch(/nodeIntegration:\s*false/);
    expect(main).toMatch(/ready-to-show/);
    expect(main).toMatch(/Content-Security-Policy/);
    expect(main).toMatch(/setWindowOpenHandler/);
    expect(main).toMatch(/will-navigate/);
  });

  it('preload exposes only the bridge and requires nothing but electron', () => {
    const preload = read('preload/index.cjs');
    expect(imports(preload)).toEqual(['electron']);
    expect(preload).toMatch(/exposeInMainWorld/);
  });
});
