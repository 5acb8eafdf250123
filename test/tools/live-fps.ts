/**
 * Frame rate of the live 3D view in headless Chromium (not a test; figures for bench/RESULTS.md):
 *
 *   npm run build && npx tsx test/tools/live-fps.ts [seconds per phase, default 15]
 *
 * A lane run (state observation, small networks) trains in a worker thread of this process
 * while the page shows its Live view (chase camera, adaptive render scale). Phases: training
 * fast (frames sampled at ~30/s), training in real time (every step streamed, 20/s), paused
 * (the view still animates the last pose). Prints the median and range of the view's
 * frames/s (its data-fps, counted over each second), the render scale it settled on, the
 * renderer string (llvmpipe here: software WebGL) and the load average.
 */
import { loadavg } from 'node:os';
import { launchBrowser } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { openApp } from '../e2e/support/app.js';

const seconds = Number(process.argv[2] ?? 15);
const ctx = await startServer();
const browser = await launchBrowser();
try {
  const client = ctx.engine.client();
  const run = await client.request('runs.create', {
    config: {
      name: 'fps',
      env: { id: 'lane' },
      totalSteps: 1_000_000,
      evalEvery: 0,
      checkpointEvery: 0,
      logEvery: 500,
      td3: { learningStarts: 500, batchSize: 64, actorHidden: [64, 64], criticHidden: [64, 64] },
    },
  });
  const { page } = await openApp(browser, `${ctx.server.url}#/runs/${run.id}/live`);
  const renderer = await page.evaluate(
    `(() => { const gl = document.createElement('canvas').getContext('webgl2'); const i = gl.getExtension('WEBGL_debug_renderer_info'); return i ? gl.getParameter(i.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`,
  );
  await client.request('train.start', { id: run.id });
  await page.waitForSelector('[data-testid="scene-canvas"][data-ready="true"]', { timeout: 60_000 });
  let steps = 0;
  ctx.engine.bus.on('run.progress', (p) => (steps = p.step));
  const phase = async (name: string) => {
    await page.waitForTimeout(3000); // settle (render scale adapts over a few seconds)
    const fps: number[] = [];
    const s0 = steps;
    const t0 = Date.now();
    for (let i = 0; i < seconds; i++) {
      await page.waitForTimeout(1000);
      fps.push(Number(await page.getAttribute('[data-testid="scene-canvas"]', 'data-fps')));
    }
    fps.sort((a, b) => a - b);
    const scale = await page.getAttribute('[data-testid="scene-canvas"]', 'data-scale');
    const sps = ((steps - s0) * 1000) / (Date.now() - t0);
    console.log(
      `${name}: median ${fps[fps.length >> 1]} fps (min ${fps[0]}, max ${fps.at(-1)}), render scale ${scale}, ${sps.toFixed(0)} env steps/s, load average ${loadavg()[0]!.toFixed(1)}`,
    );
  };
  console.log(`renderer: ${String(renderer)}; viewport 1280x800`);
  await phase('training, fast');
  await client.request('train.setSpeed', { id: run.id, speed: 'realtime' });
  await phase('training, real time');
  await client.request('train.pause', { id: run.id });
  await phase('paused');
  await client.request('train.stop', { id: run.id });
} finally {
  await browser.close();
  await ctx.stop();
}
