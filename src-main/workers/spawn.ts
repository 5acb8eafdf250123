/**
 * Starts a worker thread from a worker entry module in this folder, both from TypeScript
 * sources (tsx: CLI, server, tests) and from the electron-vite bundle (entries are emitted
 * beside the main bundle as <name>.js; the bundle's entry calls setBundledWorkerDir).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export type WorkerEntry = 'engine-worker' | 'env-worker';

let bundledDir: string | undefined;

/** Called by a bundled entry point: worker bundles live in `dir` as <name>.js. */
export function setBundledWorkerDir(dir: string): void {
  bundledDir = dir;
}

export function spawnWorker(name: WorkerEntry, options: WorkerOptions = {}): Worker {
  if (bundledDir) return new Worker(join(bundledDir, `${name}.js`), options);
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  // Register tsx inside the worker, then import the TypeScript entry.
  // The ESM build of tsx's API (createRequire would give the CommonJS one).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { ...options, eval: true });
}
