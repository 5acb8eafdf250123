/**
 * ConvVae: shapes for square and non-square frames, a clear error for sizes the convs cannot
 * halve, seeded reproducibility, checkpoint round trip, and that it learns (loss drops) on a
 * tiny synthetic set, on wasm (the default backend) and on cpu; the foreground-weighted
 * reconstruction error and the per-pixel median background it is measured against.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { registerProjectKernels } from '../../../src-main/ml/kernels/register.js';
import { ConvVae, DEFAULT_VAE_SPEC } from '../../../src-main/ml/vae.js';
import { medianFrame } from '../../../src-main/pipelines/drive/vae-train.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerProjectKernels('wasm');
});

/** n images h x w x 3: a bright square at one of four places on a dark, tinted background. */
function squares(n: number, h: number, w: number): tf.Tensor4D {
  const data = new Float32Array(n * h * w * 3);
  const s = Math.floor(h / 2);
  for (let i = 0; i < n; i++) {
    const oy = (i % 2) * (h - s);
    const ox = (Math.floor(i / 2) % 2) * (w - s);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = y >= oy && y < oy + s && x >= ox && x < ox + s;
        for (let c = 0; c < 3; c++) data[((i * h + y) * w + x) * 3 + c] = inside ? 0.9 : 0.1 + 0.05 * c;
      }
    }
  }
  return tf.tensor4d(data, [n, h, w, 3]);
}

describe('ConvVae', () => {
  it('has the issue default layout: convs 32-64-128-256, latent 32, 64x64x3', () => {
    expect(DEFAULT_VAE_SPEC).toMatchObject({ height: 64, width: 64, channels: 3, filters: [32, 64, 128, 256], kernelSize: 4, latentDim: 32, beta: 1 });
    const vae = new ConvVae({}, new Rng(0));
    tf.tidy(() => {
      const x = tf.zeros([2, 64, 64, 3]) as tf.Tensor4D;
      const { mean, logVar } = vae.encode(x);
      expect(mean.shape).toEqual([2, 32]);
      expect(logVar.shape).toEqual([2, 32]);
      expect(vae.decode(mean).shape).toEqual([2, 64, 64, 3]);
    });
    // 4 convs + 3 dense + 4 transposed convs, each with a bias.
    expect(vae.variables).toHaveLength(22);
    vae.dispose();
  });

  it('works for non-square frames (80x160) and rejects sizes the convs cannot halve', () => {
    const vae = new ConvVae({ height: 80, width: 160, latentDim: 8, filters: [4, 8, 8, 8] }, new Rng(0));
    tf.tidy(() => {
      const r = vae.reconstruct(tf.fill([1, 80, 160, 3], 0.5) as tf.Tensor4D);
      expect(r.shape).toEqual([1, 80, 160, 3]);
      const v = r.dataSync();
      expect(Math.min(...v)).toBeGreaterThan(0);
      expect(Math.max(...v)).toBeLessThan(1);
    });
    vae.dispose();
    expect(() => new ConvVae({ height: 60, width: 80 }, new Rng(0))).toThrow(/divisible by 16/);
    const small = new ConvVae({ height: 16, width: 16, filters: [4, 8] }, new Rng(0));
    expect(() => tf.tidy(() => small.encode(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D))).toThrow(/expected images of 16x16x3/);
    small.dispose();
  });

  it('is reproducible from its seed and restores from getWeights', () => {
    const spec = { height: 16, width: 16, filters: [4, 8], latentDim: 4 };
    const x = squares(4, 16, 16);
    const a = new ConvVae(spec, new Rng(7), 'vaeA');
    const b = new ConvVae(spec, new Rng(7), 'vaeB');
    const la = [a.trainStep(x), a.trainStep(x)];
    const lb = [b.trainStep(x), b.trainStep(x)];
    expect(lb).toEqual(la);
    const c = new ConvVae(spec, new Rng(99), 'vaeC');
    c.setWeights(a.getWeights());
    const ra = tf.tidy(() => Array.from(a.reconstruct(x).dataSync()));
    const rc = tf.tidy(() => Array.from(c.reconstruct(x).dataSync()));
    expect(rc).toEqual(ra);
    expect(() => c.setWeights(a.getWeights().slice(1))).toThrow(/expected 14 weight arrays/);
    // The held-out losses use noise seed 0, which tfjs alone would take as "no seed".
    expect(a.evaluate(x, 0)).toEqual(a.evaluate(x, 0));
    for (const v of [a, b, c]) v.dispose();
    x.dispose();
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`learns a tiny synthetic set on ${backend} (loss drops, both terms reported)`, async () => {
      await tf.setBackend(backend);
      // The pure-JS cpu backend is ~100x slower: a smaller image and fewer steps there.
      const size = backend === 'cpu' ? 8 : 16;
      const steps = backend === 'cpu' ? 15 : 50;
      const vae = new ConvVae({ height: size, width: size, filters: [8, 16], latentDim: 4, learningRate: 1e-2 }, new Rng(1), `learn-${backend}`);
      const x = squares(8, size, size);
      const first = vae.trainStep(x);
      let last = first;
      for (let i = 1; i < steps; i++) last = vae.trainStep(x);
      const held = vae.evaluate(x, 3);
      for (const l of [first, last, held]) {
        expect(Number.isFinite(l.loss) && Number.isFinite(l.reconstruction) && Number.isFinite(l.kl)).toBe(true);
        expect(l.loss).toBeCloseTo(l.reconstruction + l.kl, 3);
      }
      expect(last.loss).toBeLessThan(first.loss * (backend === 'cpu' ? 0.9 : 0.5));
      expect(last.kl).toBeGreaterThan(0);
      vae.dispose();
      x.dispose();
      await tf.setBackend('wasm');
    });
  }

  it('weights the squared error of foreground pixels (differing from the background) and leaves the rest at 1', () => {
    const spec = { height: 16, width: 16, filters: [4, 8], latentDim: 4 };
    const x = squares(4, 16, 16);
    const vae = new ConvVae(spec, new Rng(5), 'vaeFg');
    const plain = vae.evaluate(x, 11).reconstruction;
    // Frame 0's dark background: the other frames' squares (0.9 against ~0.1) are foreground there.
    const frame0 = x.slice([0, 0, 0, 0], [1, 16, 16, 3]).dataSync() as Float32Array;
    const dark = Float32Array.from(frame0, (v) => (v > 0.5 ? 0.1 : v));
    // No pixel differs from a background that is far below every value only when the threshold allows it.
    vae.setForeground({ background: dark, weight: 4, threshold: 2 });
    expect(vae.evaluate(x, 11).reconstruction).toBeCloseTo(plain, 4);
    // Every pixel differs from an all-ones background by more than 0.05: the whole error counts 4 times.
    vae.setForeground({ background: new Float32Array(16 * 16 * 3).fill(1), weight: 4, threshold: 0.05 });
    expect(vae.evaluate(x, 11).reconstruction).toBeCloseTo(4 * plain, 2);
    // Only the squares are foreground against the dark background: more than plain, less than 4x.
    vae.setForeground({ background: dark, weight: 4, threshold: 0.1 });
    const squaresOnly = vae.evaluate(x, 11).reconstruction;
    expect(squaresOnly).toBeGreaterThan(plain * 1.2);
    expect(squaresOnly).toBeLessThan(plain * 3.5);
    // Training uses the weighted error too (its own noise draw: close, not equal).
    expect(Math.abs(vae.trainStep(x).reconstruction / squaresOnly - 1)).toBeLessThan(0.01);
    vae.setForeground(undefined);
    expect(vae.evaluate(x, 11).reconstruction).toBeLessThan(squaresOnly);
    expect(() => vae.setForeground({ background: new Float32Array(3), weight: 2, threshold: 0.1 })).toThrow(/expected 16x16x3/);
    expect(() => vae.setForeground({ background: dark, weight: 0.5, threshold: 0.1 })).toThrow(/weight must be >= 1/);
    vae.dispose();
    x.dispose();
  });

  it('takes the background as the per-value median of the frames', () => {
    // 5 frames of 2 values; frames 1..4 picked: values (10, 20, 30, 40) -> lower median 20, and (0, 255, 255, 7) -> 7.
    const data = Uint8Array.from([99, 99, 10, 0, 40, 255, 20, 255, 30, 7]);
    const m = medianFrame(data, [1, 2, 3, 4], 2);
    expect(Array.from(m)).toEqual([20 / 255, 7 / 255].map((v) => Math.fround(v)));
    expect(Array.from(medianFrame(data, [0], 2))).toEqual([Math.fround(99 / 255), Math.fround(99 / 255)]);
  });
});
