/**
 * The native addon's kernels (OpenBLAS) on the wasm backend, against cpu. The addon is optional:
 * if it is not built yet this file builds it (gcc + OpenBLAS + Node headers); if it cannot be
 * built here, the tests say so and are skipped (the wasm-only path is tested in kernels-wasm).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../../src-main/ml/native/index.js';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { defineConvLayerTests, defineConvTests, defineCustomOpTests, defineDenseTests, defineDilatedConvTests, defineMatMulTests } from './kernel-cases.js';

const ADDON = 'build/native/dlnative.node';
const SOURCES = ['src-main/ml/native/dlnative.c', 'src-main/ml/native/dnnl-conv.h', 'src-main/ml/native/blas-threads.h'];

/** DRIVE_LAB_NATIVE=<path>: that file is the one under test (and nothing is built). */
const chosen = process.env.DRIVE_LAB_NATIVE && !['on', 'off', '0'].includes(process.env.DRIVE_LAB_NATIVE) ? resolve(process.env.DRIVE_LAB_NATIVE) : undefined;
const ADDON_FILE = chosen ?? resolve(ADDON);

/** Builds the addon before anything loads it when it is missing or older than its sources. */
function ensureBuilt(): string {
  if (process.env.DRIVE_LAB_NATIVE === 'off') return 'disabled';
  if (chosen) return `chosen with DRIVE_LAB_NATIVE (${chosen})`;
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
    const path = ADDON_FILE;
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

  it('gives the same products in threads that switch the thread count of large products while others multiply (one OpenBLAS count per process)', async () => {
    const { Worker } = await import('node:worker_threads');
    // Large products (>= 2^25 multiply-adds) choose 1 or all threads per call, small ones run on
    // one: with two threads doing both at once, the process-wide OpenBLAS count changes while
    // the other thread is inside OpenBLAS unless the addon prevents it.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const k = require(workerData.path);
      const fill = (n, v) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) * v);
      const A = fill(512 * 256, 0.01), B = fill(256 * 256, 0.02), C = new Float32Array(512 * 256);
      const a = fill(8 * 16, 0.1), b = fill(16 * 8, 0.1), c = new Float32Array(8 * 8);
      let sum = 0;
      for (let i = 0; i < workerData.rounds; i++) {
        k.matMul(A, B, 0, 0, 1, 1, 512, 256, 256, null, 0, C);
        for (let j = 0; j < 20; j++) k.matMul(a, b, 0, 0, 1, 1, 8, 8, 16, null, 0, c);
        sum += C[12345] + c[5];
      }
      parentPort.postMessage(sum);`;
    const run = () => {
      const w = new Worker(code, { eval: true, workerData: { path: ADDON_FILE, rounds: 40 } });
      return new Promise<number>((res, rej) => {
        w.once('message', (v: number) => void w.terminate().then(() => res(v)));
        w.once('error', rej);
      });
    };
    const sums = await Promise.all([run(), run(), run()]);
    // Every thread computed the same numbers (the thread count never changes the bits).
    expect(new Set(sums).size).toBe(1);
    expect(Number.isFinite(sums[0])).toBe(true);
  }, 60_000);

  it('gives the same convolution gradients whatever thread count the previous call chose (the speed choice never changes the bits)', async () => {
    const { Worker } = await import('node:worker_threads');
    // Each worker thread has its own primitive cache and thread choice. One builds the large
    // filter gradient right after a small convolution (which runs on one thread), the other
    // first thing (the machine's default thread count).
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const k = require(workerData.path);
      let s = 7;
      const rnd = (n) => Float32Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
      if (workerData.smallFirst) k.conv2d(rnd(2 * 8 * 8 * 8), rnd(4 * 4 * 8 * 8), null, 0, new Float32Array(2 * 4 * 4 * 8), 2, 8, 8, 8, 4, 4, 2, 2, 1, 1, 1, 1, 4, 4, 8);
      s = 11;
      const x = rnd(64 * 64 * 64 * 3), dy = rnd(64 * 32 * 32 * 32), dw = new Float32Array(4 * 4 * 3 * 32);
      k.conv2dBackpropFilter(x, dy, dw, 64, 64, 64, 3, 4, 4, 2, 2, 1, 1, 1, 1, 32, 32, 32);
      parentPort.postMessage(dw);`;
    const gradient = async (smallFirst: boolean) => {
      const w = new Worker(code, { eval: true, workerData: { path: ADDON_FILE, smallFirst } });
      try {
        return await new Promise<Float32Array>((res, rej) => {
          w.once('message', res);
          w.once('error', rej);
        });
      } finally {
        await w.terminate();
      }
    };
    const [a, b] = [await gradient(true), await gradient(false)];
    expect(a.some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
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
