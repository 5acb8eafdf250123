/** Browser-mode build of the renderer (served by `npm run serve`). */
import { defineConfig } from 'vite';
import { rendererConfig } from './renderer.vite.shared';

export default defineConfig(rendererConfig());
