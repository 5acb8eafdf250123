/**
 * Desktop build: main (with the worker entries beside it), preload (CommonJS, as sandboxed
 * preloads must be) and the renderer (same settings as browser mode).
 */
import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { rendererConfig } from './renderer.vite.shared';

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src-main/electron/main.ts'),
          'engine-worker': resolve(import.meta.dirname, 'src-main/workers/engine-worker.ts'),
          'env-worker': resolve(import.meta.dirname, 'src-main/sim/env-worker.ts'),
          'a3c-worker': resolve(import.meta.dirname, 'src-main/rl/train/a3c/worker.ts'),
          'actor-worker': resolve(import.meta.dirname, 'src-main/rl/actors/actor-worker.ts'),
          'eval-worker': resolve(import.meta.dirname, 'src-main/rl/actors/eval-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig(),
});
