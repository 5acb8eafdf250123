/**
 * Kernel checks shared by kernels-wasm.test.ts (tfjs-wasm + the project's wasm kernels) and
 * kernels-native.test.ts (+ the native addon): every project kernel, forward and gradients,
 * against tfjs's cpu backend on random inputs of several shapes (relative error < 1e-4, as
 * max |a - b| / max |b|).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { expect, it } from 'vitest';
import { actGrad, biasGrad, lerp, lerps, lerpsInPlace } from '../../../src-main/ml/kernels/custom-ops.js';
import { conv2dLayer, conv2dTransposeLayer, type ConvActivation } from '../../../src-main/ml/kernels/conv.js';
import { dense, type DenseActivation } from '../../../src-main/ml/kernels/dense.js';
import { setConvTransposeMethod, type ConvTransposeMethod } from '../../../src-main/ml/kernels/register.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { adam } from '../../../src-main/ml/optim.js';
import { Rng } from '../../../src-main/core/rng.js';

export const TOL = 1e-4;

export function randArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** max |a - b| / max |b| */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

/** Runs `f` on a backend and returns its outputs as arrays (all tensors freed). */
export async function onBackend(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => f().map((t) => Float32Array.from(t.dataSync() as Float32Array)));
}

/** Same outputs within TOL on `backend` and on cpu. */
export async function expectMatchesCpu(backend: string, label: string, f: () => tf.Tensor[]): Promise<void> {
  const got = await onBackend(backend, f);
  const want = await onBackend('cpu', f);
  await tf.setBackend(backend);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const e = relErr(g, want[i]!);
    expect(e, `${label}: output ${i} relative error ${e}`).toBeLessThan(TOL);
  });
}

interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

export const CONV_CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], f: [4, 4, 3, 5], stride: 2, pad: 'same' },
  { x: [1, 7, 9, 2], f: [3, 3, 2, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 2], stride: 2, pad: 'valid' },
  { x: [1, 10, 6, 4], f: [4, 4, 4, 3], stride: 2, pad: 'same' },
  { x: [2, 6, 6, 2], f: [1, 1, 2, 3], stride: 1, pad: 'valid' },
  { x: [1, 12, 12, 2], f: [5, 5, 2, 3], stride: 3, pad: 'same' },
  { x: [3, 16, 16, 8], f: [4, 4, 8, 16], stride: 2, pad: 'same' },
];

/** conv2d and conv2dTranspose forward passes and both gradients (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter). */
export function defineConvTests(backend: string, methods: ConvTransposeMethod[] = ['auto']): void {
  for (const method of methods) {
    for (const c of CONV_CASES) {
      const name = `x ${c.x} filter ${c.f} stride ${c.stride} ${c.pad}${method === 'auto' ? '' : ` (${method})`}`;
      it(`conv2d forward and gradients match cpu: ${name}`, async () => {
        setConvTransposeMethod(method);
        const xs = randArray(size(c.x), 1);
        const fs = randArray(size(c.f), 2);
        await expectMatchesCpu(backend, name, () => {
          const x = tf.tensor4d(xs, c.x);
          const f = tf.tensor4d(fs, c.f);
          const y = tf.conv2d(x, f, c.stride, c.pad);
          const g = tf.tensor(randArray(y.size, 3), y.shape);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), g)))([x, f]);
          return [y, dx!, df!];
        });
        setConvTransposeMethod('auto');
      });
      it(`conv2dTranspose forward and gradients match cpu: ${name}`, async () => {
        setConvTransposeMethod(method);
        // conv2dTranspose maps a tensor shaped like conv2d's output back to c.x.
        const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
        const inShape: [number, number, number, number] = [c.x[0], info.outHeight, info.outWidth, c.f[3]];
        const xs = randArray(size(inShape), 4);
        const fs = randArray(size(c.f), 5);
        await expectMatchesCpu(backend, name, () => {
          const x = tf.tensor4d(xs, inShape);
          const f = tf.tensor4d(fs, c.f);
          const fwd = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.stride, c.pad);
          const y = fwd(x, f);
          const g = tf.tensor(randArray(y.size, 6), y.shape);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fwd(a, b), g)))([x, f]);
          return [y, dx!, df!];
        });
        setConvTransposeMethod('auto');
      });
    }
  }
}

/** Dilated convolutions (forward only: tfjs has no gradient for dilation > 1). */
export function defineDilatedConvTests(backend: string): void {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; d: number; pad: 'same' | 'valid' }> = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], d: 2, pad: 'same' },
    { x: [1, 12, 10, 2], f: [2, 3, 2, 5], d: 3, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`dilated conv2d matches cpu: x ${c.x} filter ${c.f} dilation ${c.d} ${c.pad}`, async () => {
      const xs = randArray(size(c.x), 14);
      const fs = randArray(size(c.f), 15);
      await expectMatchesCpu(backend, 'dilated', () => [tf.conv2d(tf.tensor4d(xs, c.x), tf.tensor4d(fs, c.f), 1, c.pad, 'NHWC', c.d)]);
    });
  }
}

/** Matrix products with transpose flags, batches and fused bias/activation. */
export function defineMatMulTests(backend: string): void {
  const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [2, 4, 6], b: [2, 6, 3], ta: false, tb: false },
    { a: [2, 6, 4], b: [6, 3], ta: true, tb: false },
    { a: [64, 33], b: [33, 65], ta: false, tb: false },
  ];
  for (const c of cases) {
    const name = `a ${c.a}${c.ta ? 'ᵀ' : ''} b ${c.b}${c.tb ? 'ᵀ' : ''}`;
    it(`matMul and fused matMul match cpu: ${name}`, async () => {
      const as = randArray(size(c.a), 7);
      const bs = randArray(size(c.b), 8);
      const n = c.tb ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!;
      const biasV = randArray(n, 9);
      await expectMatchesCpu(backend, name, () => {
        const a = tf.tensor(as, c.a);
        const b = tf.tensor(bs, c.b);
        const bias = tf.tensor1d(biasV);
        const out: tf.Tensor[] = [tf.matMul(a, b, c.ta, c.tb)];
        if (c.a.length === c.b.length) {
          for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
            out.push(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: c.ta, transposeB: c.tb, bias, activation }));
          }
        }
        return out;
      });
    });
  }
}

/** The dense layer Mlp uses, against the plain tfjs composition (and its autodiff) on cpu. */
export function defineDenseTests(backend: string): void {
  const shapes: Array<[number, number, number]> = [
    [8, 5, 3],
    [33, 17, 64],
    [256, 34, 256],
  ];
  for (const activation of ['relu', 'tanh', 'linear'] as DenseActivation[]) {
    for (const [n, i, o] of shapes) {
      it(`dense ${activation} ${n}x${i}->${o}: forward and gradients match tfjs ops on cpu`, async () => {
        const xs = randArray(n * i, 10);
        const ws = randArray(i * o, 11, -0.5, 0.5);
        const bs = randArray(o, 12, -0.5, 0.5);
        const gs = randArray(n * o, 13);
        const run = (layer: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D) => () => {
          const x = tf.tensor2d(xs, [n, i]);
          const w = tf.tensor2d(ws, [i, o]);
          const b = tf.tensor1d(bs);
          const g = tf.tensor2d(gs, [n, o]);
          const y = layer(x, w, b);
          const grads = tf.grads((a: tf.Tensor, bw: tf.Tensor, bb: tf.Tensor) =>
            tf.sum(tf.mul(layer(a as tf.Tensor2D, bw as tf.Tensor2D, bb as tf.Tensor1D), g)),
          )([x, w, b]);
          return [y, ...grads];
        };
        const plain = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D => {
          const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
          return activation === 'relu' ? tf.relu(z) : activation === 'tanh' ? tf.tanh(z) : z;
        };
        const got = await onBackend(
          backend,
          run((x, w, b) => dense(x, w, b, activation)),
        );
        const want = await onBackend('cpu', run(plain));
        await tf.setBackend(backend);
        got.forEach((g, k) => expect(relErr(g, want[k]!), `output ${k}`).toBeLessThan(TOL));
      });
    }
  }
}

/** The VAE's conv layers against tfjs's conv2d / conv2dTranspose + bias + activation on cpu. */
export function defineConvLayerTests(backend: string): void {
  const cases: Array<{ x: [number, number, number, number]; c: number; act: ConvActivation }> = [
    { x: [2, 8, 8, 3], c: 4, act: 'relu' },
    { x: [1, 8, 16, 5], c: 3, act: 'sigmoid' },
    { x: [3, 4, 4, 6], c: 2, act: 'linear' },
  ];
  const actFn = (t: tf.Tensor4D, act: ConvActivation) => (act === 'relu' ? tf.relu(t) : act === 'sigmoid' ? tf.sigmoid(t) : t);
  for (const c of cases) {
    it(`conv2dLayer ${c.act} x ${c.x} -> ${c.c} channels matches tfjs ops on cpu`, async () => {
      const fshape: [number, number, number, number] = [4, 4, c.x[3], c.c];
      const xs = randArray(size(c.x), 20);
      const ws = randArray(size(fshape), 21, -0.3, 0.3);
      const bs = randArray(c.c, 22);
      // The layer under test gets its filter as a variable (the path models take), the reference a tensor.
      const run = (layer: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D, asVariable: boolean) => () => {
        const x = tf.tensor4d(xs, c.x);
        const w = asVariable ? tf.variable(tf.tensor(ws, fshape)) : (tf.tensor(ws, fshape) as tf.Tensor4D);
        const b = tf.tensor1d(bs);
        const y = layer(x, w as tf.Tensor4D, b);
        const g = tf.tensor(randArray(y.size, 23), y.shape);
        const out = [
          y,
          ...tf.grads((a: tf.Tensor, bw: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(layer(a as tf.Tensor4D, bw as tf.Tensor4D, bb as tf.Tensor1D), g)))([
            x,
            w,
            b,
          ]),
        ];
        if (asVariable) w.dispose();
        return out;
      };
      const gotVariable = await onBackend(
        backend,
        run((x, w, b) => conv2dLayer(x, w, b, 2, c.act), true),
      );
      const gotTensor = await onBackend(
        backend,
        run((x, w, b) => conv2dLayer(x, w, b, 2, c.act), false),
      );
      const want = await onBackend(
        'cpu',
        run((x, w, b) => actFn(tf.add(tf.conv2d(x, w, 2, 'same'), b) as tf.Tensor4D, c.act), false),
      );
      await tf.setBackend(backend);
      for (const got of [gotVariable, gotTensor]) got.forEach((g, k) => expect(relErr(g, want[k]!), `output ${k}`).toBeLessThan(TOL));
    });
    it(`conv2dTransposeLayer ${c.act} x ${c.x} -> ${c.c} channels matches tfjs ops on cpu`, async () => {
      const fshape: [number, number, number, number] = [4, 4, c.c, c.x[3]];
      const outShape: [number, number, number, number] = [c.x[0], c.x[1] * 2, c.x[2] * 2, c.c];
      const xs = randArray(size(c.x), 24);
      const ws = randArray(size(fshape), 25, -0.3, 0.3);
      const bs = randArray(c.c, 26);
      const run = (layer: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D) => () => {
        const x = tf.tensor4d(xs, c.x);
        const w = tf.tensor(ws, fshape) as tf.Tensor4D;
        const b = tf.tensor1d(bs);
        const y = layer(x, w, b);
        const g = tf.tensor(randArray(y.size, 27), y.shape);
        return [
          y,
          ...tf.grads((a: tf.Tensor, bw: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(layer(a as tf.Tensor4D, bw as tf.Tensor4D, bb as tf.Tensor1D), g)))([
            x,
            w,
            b,
          ]),
        ];
      };
      const got = await onBackend(
        backend,
        run((x, w, b) => conv2dTransposeLayer(x, w, b, 2, c.act)),
      );
      const want = await onBackend(
        'cpu',
        run((x, w, b) => actFn(tf.add(tf.conv2dTranspose(x, w, outShape, 2, 'same'), b) as tf.Tensor4D, c.act)),
      );
      await tf.setBackend(backend);
      got.forEach((g, k) => expect(relErr(g, want[k]!), `output ${k}`).toBeLessThan(TOL));
    });
  }
}

/** The fused small ops and the project's Adam. */
export function defineCustomOpTests(backend: string): void {
  it('actGrad, biasGrad and lerp match their tfjs compositions on cpu', async () => {
    const n = 37;
    const m = 29;
    const dys = randArray(n * m, 30);
    const zs = randArray(n * m, 31, -3, 3);
    const f = () => {
      const dy = tf.tensor2d(dys, [n, m]);
      const z = tf.tensor2d(zs, [n, m]);
      const relu = tf.relu(z);
      const th = tf.tanh(z);
      const sg = tf.sigmoid(z);
      return [actGrad(dy, relu, 'relu'), actGrad(dy, th, 'tanh'), actGrad(dy, sg, 'sigmoid'), biasGrad(dy), lerp(dy, z, 0.005), lerp(z, dy, 0.7)];
    };
    const got = await onBackend(backend, f);
    const want = await onBackend('cpu', () => {
      const dy = tf.tensor2d(dys, [n, m]);
      const z = tf.tensor2d(zs, [n, m]);
      return [
        tf.mul(dy, tf.step(z)),
        tf.mul(dy, tf.sub(1, tf.square(tf.tanh(z)))),
        tf.mul(dy, tf.mul(tf.sigmoid(z), tf.sub(1, tf.sigmoid(z)))),
        tf.sum(dy, 0),
        tf.add(tf.mul(z, 0.005), tf.mul(dy, 0.995)),
        tf.add(tf.mul(dy, 0.7), tf.mul(z, 0.3)),
      ];
    });
    await tf.setBackend(backend);
    got.forEach((g, k) => expect(relErr(g, want[k]!), `output ${k}`).toBeLessThan(TOL));
  });

  it("the project's Adam takes the same steps as tf.train.adam on cpu", async () => {
    const shapes = [[7, 5], [5], [3, 2, 4]];
    const init = shapes.map((s, i) => randArray(size(s), 40 + i));
    const targets = shapes.map((s, i) => randArray(size(s), 50 + i));
    const train = (makeOpt: () => tf.Optimizer, tag: string) => () => {
      const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(init[i]!, s), true, `${tag}${i}`)));
      const opt = makeOpt();
      for (let step = 0; step < 5; step++) {
        opt.minimize(() => tf.addN(vars.map((v, i) => tf.sum(tf.square(tf.sub(tf.mul(v, v), tf.tensor(targets[i]!, shapes[i]!)))))) as tf.Scalar, false, vars);
      }
      const out = vars.map((v) => v.clone());
      opt.dispose();
      vars.forEach((v) => v.dispose());
      return out;
    };
    const got = await onBackend(
      backend,
      train(() => adam(0.05), 'adamA'),
    );
    const want = await onBackend(
      'cpu',
      train(() => tf.train.adam(0.05), 'adamB'),
    );
    await tf.setBackend(backend);
    got.forEach((g, k) => expect(relErr(g, want[k]!), `variable ${k}`).toBeLessThan(TOL));
  });

  it("the project's Adam saves and restores its state like tf.train.adam", async () => {
    await tf.setBackend(backend);
    const v = tf.variable(tf.tensor1d([1, -2, 3]), true, 'adamSave');
    const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
    const a = adam(0.1);
    a.minimize(loss, false, [v]);
    a.minimize(loss, false, [v]);
    const saved = await a.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', 'adamSave/m', 'adamSave/v']);
    const b = adam(0.1);
    await b.setWeights(saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    const before = Float32Array.from(v.dataSync());
    a.minimize(loss, false, [v]);
    const viaA = Float32Array.from(v.dataSync());
    v.assign(tf.tensor1d(before));
    b.minimize(loss, false, [v]);
    expect(Array.from(v.dataSync())).toEqual(Array.from(viaA));
    expect(b.iterations).toBe(3);
    a.dispose();
    b.dispose();
    v.dispose();
  });

  it("in-place Adam and Polyak never change a tensor that shares a variable's memory", async () => {
    await tf.setBackend(backend);
    const init = randArray(12, 80);
    const run = (holdClones: boolean, tag: string) => {
      const v = tf.tidy(() => tf.variable(tf.tensor2d(init, [3, 4]), true, `${tag}v`));
      const target = tf.tidy(() => tf.variable(tf.tensor2d(init, [3, 4]).mul(0.5), true, `${tag}t`));
      const clones = holdClones ? [tf.clone(v), tf.clone(target)] : [];
      const opt = adam(0.1);
      for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.square(tf.sub(v, 1))) as tf.Scalar, false, [v]);
      const next = lerps([target], [v], 0.25)[0]!;
      target.assign(next);
      next.dispose();
      const out = { v: Array.from(v.dataSync()), t: Array.from(target.dataSync()), clones: clones.map((c) => Array.from(c.dataSync())) };
      opt.dispose();
      tf.dispose([v, target, ...clones]);
      return out;
    };
    const free = run(false, 'ipA');
    const shared = run(true, 'ipB');
    expect(relErr(shared.v, free.v)).toBeLessThan(1e-6);
    expect(relErr(shared.t, free.t)).toBeLessThan(1e-6);
    expect(shared.clones[0]).toEqual(Array.from(init));
    expect(shared.clones[1]).toEqual(Array.from(Float32Array.from(init, (x) => Math.fround(x * 0.5))));
    // Polyak in place on an Mlp-like list of variables, with and without a clone held.
    const a = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]), true, 'ipSrc'));
    const t = tf.tidy(() => tf.variable(tf.tensor1d([0, 0, 0]), true, 'ipDst'));
    expect(lerpsInPlace([t], [a], 0.5)).toBe(backend === 'wasm');
    if (backend === 'wasm') expect(Array.from(t.dataSync())).toEqual([0.5, 1, 1.5]);
    const held = tf.clone(t);
    expect(lerpsInPlace([t], [a], 0.5)).toBe(false);
    expect(Array.from(held.dataSync())).toEqual(Array.from(t.dataSync()));
    tf.dispose([a, t, held]);
  });

  it('after in-place Adam and Polyak, products and convs use the new weights (no stale packed weights)', async () => {
    await tf.setBackend(backend);
    const spec = { inputDim: 5, hidden: [16], outputDim: 3, outputActivation: 'linear' as const };
    const net = new Mlp(spec, new Rng(11), 'stale-net');
    const other = new Mlp(spec, new Rng(12), 'stale-other');
    const fresh = new Mlp(spec, new Rng(13), 'stale-fresh');
    const x = tf.tensor2d(randArray(20, 90), [4, 5]);
    const filter = tf.tidy(() => tf.variable(tf.tensor4d(randArray(4 * 4 * 2 * 3, 91), [4, 4, 2, 3]), true, 'stale-filter'));
    const img = tf.tensor4d(randArray(2 * 8 * 8 * 2, 92), [2, 8, 8, 2]);
    const opt = adam(0.1);
    for (let i = 0; i < 3; i++) {
      // A forward pass first, so wasm's kernels pack (and cache) the current weights.
      tf.tidy(() => [net.apply(x), tf.conv2d(img, filter as tf.Tensor4D, 2, 'same')].forEach((t) => t.dataSync()));
      opt.minimize(() => tf.add(tf.sum(tf.square(net.apply(x))), tf.sum(tf.square(tf.conv2d(img, filter as tf.Tensor4D, 2, 'same')))) as tf.Scalar, false, [
        ...net.variables,
        filter,
      ]);
      net.polyakFrom(other, 0.3);
    }
    fresh.setWeights(net.getWeights());
    const got = tf.tidy(() => Array.from(net.apply(x).dataSync()));
    const want = tf.tidy(() => Array.from(fresh.apply(x).dataSync()));
    expect(relErr(got, want)).toBeLessThan(1e-6);
    const gotConv = tf.tidy(() => Array.from(tf.conv2d(img, filter as tf.Tensor4D, 2, 'same').dataSync()));
    const wantConv = tf.tidy(() => Array.from(tf.conv2d(img, tf.tensor4d(filter.dataSync(), [4, 4, 2, 3]), 2, 'same').dataSync()));
    expect(relErr(gotConv, wantConv)).toBeLessThan(1e-6);
    opt.dispose();
    tf.dispose([x, img, filter]);
    [net, other, fresh].forEach((m) => m.dispose());
  });

  it('concat and split of narrow rows and clone keep values and free memory', async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(randArray(12, 60), [4, 3]);
    const b = tf.tensor2d(randArray(8, 61), [4, 2]);
    const c = tf.concat([a, b], 1);
    const want: number[] = [];
    const av = a.arraySync();
    const bv = b.arraySync();
    for (let r = 0; r < 4; r++) want.push(...av[r]!, ...bv[r]!);
    expect(Array.from(c.dataSync())).toEqual(Array.from(Float32Array.from(want)));
    tf.tidy(() => {
      const [s1, s2] = tf.split(c, [3, 2], 1);
      expect(Array.from(s1!.dataSync())).toEqual(Array.from(Float32Array.from(av.flat())));
      expect(Array.from(s2!.dataSync())).toEqual(Array.from(Float32Array.from(bv.flat())));
      const [q1, q2, q3] = tf.split(tf.reshape(c, [2, 2, 5]), [1, 3, 1], 2);
      expect(q1!.shape).toEqual([2, 2, 1]);
      expect(Array.from(q2!.dataSync())).toEqual(Array.from(c.dataSync()).filter((_, i) => i % 5 >= 1 && i % 5 < 4));
      expect(Array.from(q3!.dataSync())).toEqual(Array.from(c.dataSync()).filter((_, i) => i % 5 === 4));
      const [, h2] = tf.split(tf.reshape(c, [4, 5]), 2, 0);
      expect(Array.from(h2!.dataSync())).toEqual(Array.from(c.dataSync()).slice(10));
    });
    const k = tf.clone(a);
    a.dispose();
    expect(Array.from(k.dataSync())).toEqual(Array.from(Float32Array.from(av.flat())));
    tf.dispose([b, c, k]);
    expect(tf.memory().numTensors).toBe(before);
  });
}
