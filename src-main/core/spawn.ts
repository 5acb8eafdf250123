/**
 * Starts a worker thread from a worker entry module, both from TypeScript sources (tsx: CLI,
 * server, tests) and from the electron-vite bundle (entries are emitted beside the main bundle
 * as <name>.js; the bundle's entry calls setBundledWorkerDir). The caller names the entry and
 * gives the URL of its TypeScript source (`new URL('./x.ts', import.meta.url)`), so this module
 * knows no other folder.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker entry: its bundle name (electron-vite input key) and its TypeScript source. */
export interface WorkerEntry {
  name: 'engine-worker' | 'env-worker' | 'a3c-worker' | 'actor-worker' | 'eval-worker';
  source: URL;
}

/** The entry `file` beside the module whose import.meta.url is `base` (kept out of Vite's asset-URL pattern). */
export function workerEntry(name: WorkerEntry['name'], base: string, file: string): WorkerEntry {
  return { name, source: new URL(file, base) };
}

/** Where worker threads learn the bundle folder (they get a copy of the environment: a worker may start workers, e.g. actor threads). */
const BUNDLED_DIR_ENV = 'DRIVE_LAB_BUNDLED_WORKER_DIR';

let bundledDir: string | undefined;

/** Called by a bundled entry point: worker bundles live in `dir` as <name>.js. */
export function setBundledWorkerDir(dir: string): void {
  bundledDir = dir;
  process.env[BUNDLED_DIR_ENV] = dir;
}

export function spawnWorker(entry: WorkerEntry, options: WorkerOptions = {}): Worker {
  const dir = bundledDir ?? process.env[BUNDLED_DIR_ENV];
  if (dir) return new Worker(join(dir, `${entry.name}.js`), options);
  // Register tsx inside the worker, then import the TypeScript entry.
  // The ESM build of tsx's API (createRequire would give the CommonJS one).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.source.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}
