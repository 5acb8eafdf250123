/** Renderer build settings shared by electron-vite (desktop) and vite (browser mode). */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import type { UserConfig } from 'vite';

export const rendererRoot = resolve(import.meta.dirname, 'src-renderer');
export const rendererOutDir = resolve(import.meta.dirname, 'out/renderer');

export function rendererConfig(): UserConfig {
  return {
    root: rendererRoot,
    base: './',
    plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
    build: {
      outDir: rendererOutDir,
      emptyOutDir: true,
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: resolve(rendererRoot, 'index.html') },
    },
  };
}
