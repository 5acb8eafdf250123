/**
 * Backend selection: the order and guarded imports, a truthful detail (SIMD from tfjs's own
 * flag), --backend overrides, and the same choice + reason in `status` and in each run's
 * config.json (written by the training worker through the TrainingManager).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/services/engine.js';
import { BACKEND_ORDER, selectBackend } from '../../../src-main/ml/backend.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('ML backend selection', () => {
  it('tries tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu in that order and reports why it skipped each', async () => {
    expect(BACKEND_ORDER).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    const info = await selectBackend('auto');
    expect(tf.getBackend()).toBe(info.name);
    const names = info.tried.map((t) => t.name);
    expect(names).toEqual(BACKEND_ORDER.slice(0, names.length));
    for (const t of info.tried.slice(0, -1)) expect(t.ok).toBe(false);
    expect(info.tried.at(-1)!.ok).toBe(true);
    expect(info.reason).toMatch(/^fastest that loaded: /);
    if (info.name === 'wasm') {
      // The detail states what tfjs really uses.
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      expect(info.reason).toContain(simd ? 'XNNPACK, SIMD' : 'XNNPACK, no SIMD');
      expect(info.reason).toMatch(/1 thread|\d+ threads/);
      expect(info.reason).toMatch(/native kernels/);
    }
  });

  it('--backend cpu loads only the cpu backend and says it was chosen', async () => {
    const info = await selectBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(info.tried.map((t) => t.name)).toEqual(['cpu']);
    expect(info.reason).toBe('chosen with --backend cpu: pure JavaScript (slow)');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('a named backend that cannot load fails with its reason', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/no ML backend could be loaded \(tensorflow: /);
  });

  it('status and the training worker report the same backend and reason; config.json records it', async () => {
    const engine = new Engine({ runsDir: tmp.dir });
    try {
      const client = engine.client();
      const status = await client.request('engine.status', {});
      const auto = await client.request('runs.create', { config: { name: 'auto-backend', totalSteps: 10 } });
      const cpu = await client.request('runs.create', { config: { name: 'cpu-backend', totalSteps: 10, backend: 'cpu' } });
      for (const run of [auto, cpu]) {
        await client.request('train.start', { id: run.id });
        await engine.training.wait(run.id);
      }
      const stored = (id: string) => JSON.parse(readFileSync(join(tmp.dir, id, 'config.json'), 'utf8')) as { backend: string; backendReason: string };
      expect(stored(auto.id)).toMatchObject({ backend: status.backend.name, backendReason: status.backend.reason });
      expect(stored(cpu.id)).toMatchObject({ backend: 'cpu', backendReason: 'chosen with --backend cpu: pure JavaScript (slow)' });
    } finally {
      await engine.close();
    }
  });
});
