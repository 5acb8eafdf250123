/**
 * The project's kernels on tfjs-wasm alone (no native addon): the wasm conv gradients (both
 * conv-transpose methods), the dense and conv layers, the fused ops and Adam, against cpu.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { defineConvLayerTests, defineConvTests, defineCustomOpTests, defineDenseTests, defineDilatedConvTests, defineMatMulTests } from './kernel-cases.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const report = registerProjectKernels('wasm', { native: false });
  expect(report.native).toBe(false);
});

describe('wasm kernels without the native addon', () => {
  it('registers Conv2DBackpropFilter, which tfjs-wasm lacks', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
  defineConvTests('wasm', ['subpixel', 'zero-insertion']);
  defineDilatedConvTests('wasm');
  defineMatMulTests('wasm');
  defineDenseTests('wasm');
  defineConvLayerTests('wasm');
  defineCustomOpTests('wasm');
});
