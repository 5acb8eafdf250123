/**
 * The native addon's kernels (OpenBLAS) on the wasm backend, against cpu. The addon is optional:
 * if it is not built yet this file builds it (gcc + OpenBLAS + Node headers); if it cannot be
 * built here, the tests say so and are skipped (the wasm-only path is tested in kernels-wasm).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../../src-main/ml/native/index.js';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { defineConvLayerTests, defineConvTests, defineCustomOpTests, defineDenseTests, defineDilatedConvTests, defineMatMulTests } from './kernel-cases.js';

const ADDON = 'build/native/dlnative.node';
const SOURCES = ['src-main/ml/native/dlnative.c', 'src-main/ml/native/dnnl-conv.h'];

/** Builds the addon before anything loads it when it is missing or older than its sources. */
function ensureBuilt(): string {
  if (process.env.DRIVE_LAB_NATIVE === 'off') return 'disabled';
  const built = existsSync(ADDON) ? statSync(ADDON).mtimeMs : 0;
  if (built > Math.max(...SOURCES.map((f) => statSync(f).mtimeMs))) return 'up to date';
  return execFileSync(process.execPath, ['src-main/ml/native/build.mjs'], { encoding: 'utf8' }).trim();
}

const buildNote = ensureBuilt();
const native = loadNative();
if (!native.kernels) console.warn(`native kernel tests skipped: ${native.detail} (${buildNote})`);

describe.skipIf(!native.kernels)('native kernels on the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    const report = registerProjectKernels('wasm');
    expect(report.native).toBe(true);
  });

  it('rejects arrays too short for the sizes given', () => {
    const k = native.kernels!;
    const a = new Float32Array(6);
    expect(() => k.matMul(a, a, 0, 0, 1, 1, 3, 3, 3, null, 0, new Float32Array(9))).toThrow(/too short/);
    expect(() => k.conv2d(a, a, null, 0, a, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 2)).toThrow(/too short/);
    expect(() => k.matMul(a, a, 0, 0, 1, 1, 0, 3, 3, null, 0, a)).toThrow(/bad sizes/);
  });

  it('runs in a worker thread while the main thread uses it too (per-thread scratch)', async () => {
    const { Worker } = await import('node:worker_threads');
    const path = (await import('node:module')).createRequire(import.meta.url).resolve('../../../build/native/dlnative.node');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const k = require(workerData.path);
      const x = new Float32Array(2 * 8 * 8 * 3).fill(1), f = new Float32Array(4 * 4 * 3 * 5).fill(0.5), y = new Float32Array(2 * 4 * 4 * 5);
      for (let i = 0; i < 50; i++) k.conv2d(x, f, null, 0, y, 2, 8, 8, 3, 4, 4, 2, 2, 1, 1, 1, 1, 4, 4, 5);
      parentPort.postMessage(y[0]);`;
    const w = new Worker(code, { eval: true, workerData: { path } });
    const fromWorker = new Promise<number>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    // Meanwhile the main thread uses the addon with a larger im2col scratch.
    const k = native.kernels!;
    const x = new Float32Array(4 * 16 * 16 * 8).fill(1);
    const f = new Float32Array(4 * 4 * 8 * 6).fill(0.25);
    const y = new Float32Array(4 * 8 * 8 * 6);
    for (let i = 0; i < 50; i++) k.conv2d(x, f, null, 0, y, 4, 16, 16, 8, 4, 4, 2, 2, 1, 1, 1, 1, 8, 8, 6);
    // Top-left output pixel: a 3x3 window of ones (the padding cuts a row and a column) x channels x weight.
    expect(y[0]).toBe(3 * 3 * 8 * 0.25);
    expect(await fromWorker).toBe(3 * 3 * 3 * 0.5);
    await w.terminate();
  });

  it('says which library runs the convolutions', () => {
    expect(native.kernels!.convEngine()).toMatch(/^(oneDNN \d+\.\d+|im2col \+ OpenBLAS)/);
  });
  defineConvTests('wasm');
  defineDilatedConvTests('wasm');
  defineMatMulTests('wasm');
  defineDenseTests('wasm');
  defineConvLayerTests('wasm');
  defineCustomOpTests('wasm');

  // When oneDNN is built in, the im2col + OpenBLAS convolutions are its fallback: test them too.
  describe('with convolutions forced to im2col + OpenBLAS', () => {
    beforeAll(() => {
      native.kernels!.setConvEngine(0);
      expect(native.kernels!.convEngine()).toMatch(/^im2col/);
    });
    afterAll(() => {
      native.kernels!.setConvEngine(1);
    });
    defineConvTests('wasm');
    defineDilatedConvTests('wasm');
    defineConvLayerTests('wasm');
  });
});
