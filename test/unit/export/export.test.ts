/**
 * exportPolicy end to end: the folder it publishes (models, metadata with hashes and
 * verification figures, README), the verification that refuses a wrong ONNX model without
 * leaving anything behind, and import round trips.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { describeArchitecture } from '../../../src-main/export/architecture.js';
import { ExportError } from '../../../src-main/export/errors.js';
import { exportPolicy } from '../../../src-main/export/export.js';
import { importPolicy, loadExportedPolicy } from '../../../src-main/export/load.js';
import { onnxModelType } from '../../../src-main/export/onnx/schema.js';
import { referenceForward } from '../../../src-main/export/reference.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { tempDir } from '../../helpers/tmp.js';
import { imageMeta, pendulumMeta, randomWeights, readMeta, SMALL_ENCODER } from './helpers.js';

const tmp = tempDir('drive-lab-export-');
afterAll(() => tmp.cleanup());

const ACTOR = { inputDim: 3, hidden: [64, 64], outputDim: 1, outputActivation: 'tanh' as const };

describe('exportPolicy', () => {
  const mlp = new Mlp(ACTOR, new Rng(5), 'actor');
  afterAll(() => mlp.dispose());

  it('publishes TF.js + ONNX + metadata + README, verified on 1,000 inputs, every file hashed', async () => {
    const out = join(tmp.dir, 'pendulum-both');
    const stages: string[] = [];
    const r = await exportPolicy({ actor: mlp, meta: pendulumMeta() }, out, { onProgress: (s) => stages.push(s) });
    expect(r.dir).toBe(out);
    expect(readdirSync(out).sort()).toEqual(['README.md', 'metadata.json', 'model.json', 'policy.onnx', 'weights.bin']);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(stages.some((s) => /verifying on 1000/.test(s))).toBe(true);
    const meta = readMeta(out);
    expect(meta).toMatchObject({
      format: 'drive-lab-policy',
      formatVersion: 1,
      envId: 'pendulum',
      algo: 'td3',
      config: { note: 'test' },
      evalSummary: { mean_return: -150 },
      observation: {
        kind: 'vector',
        space: { shape: [3], low: [-1, -1, -8], high: [1, 1, 8], names: ['cos(theta)', 'sin(theta)', 'angular velocity (rad/s)'] },
      },
      action: { dim: 1, low: [-1], high: [1], scaling: [{ name: 'torque', unit: 'N m', low: -2, high: 2 }] },
      architecture: { actor: ACTOR },
      io: { inputs: [{ name: 'obs', shape: ['batch', 3], dtype: 'float32' }], output: { name: 'action', shape: ['batch', 1], dtype: 'float32' } },
      formats: {
        tfjs: { format: 'layers-model', modelFile: 'model.json', weightsFile: 'weights.bin' },
        onnx: { file: 'policy.onnx', irVersion: 7, opset: 13 },
      },
      verification: { samples: 1000, tolerance: 1e-4 },
    });
    expect(meta.producer.onnxruntime).toMatch(/^1\./);
    expect(meta.verification.maxAbsDiff.onnx).toBeLessThan(1e-4);
    expect(meta.verification.maxAbsDiff.tfjs).toBeLessThan(1e-6);
    expect(meta.verification.maxAbsDiff.actor).toBeLessThan(1e-6);
    for (const f of ['model.json', 'weights.bin', 'policy.onnx', 'README.md']) {
      expect(meta.files[f]).toBe(
        createHash('sha256')
          .update(readFileSync(join(out, f)))
          .digest('hex'),
      );
    }
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toMatch(/onnxruntime as ort/);
    expect(readme).toMatch(/session.run\(\["action"\], feeds\)/);
    expect(readme).toMatch(/"obs": np.zeros\(\(1, 3\), dtype=np.float32\)/);
    expect(readme).toMatch(/tf.loadLayersModel\('.\/model.json'\)/);
    expect(readme).toMatch(/policy run --model <this folder> --env pendulum/);
    expect(readme).toMatch(/torque: \[-2, 2\] N m/);
  });

  it('loads either format back as a policy that reproduces the Mlp, single and batched', async () => {
    const out = join(tmp.dir, 'pendulum-both');
    const rng = new Rng(9);
    const batch = 32;
    const obs = Float32Array.from({ length: batch * 3 }, () => rng.uniform(-1, 1));
    const { tensor2d, tidy } = await import('@tensorflow/tfjs');
    const direct = tidy(() => Float32Array.from(mlp.apply(tensor2d(obs, [batch, 3])).dataSync()));
    for (const format of ['tfjs', 'onnx'] as const) {
      const policy = await loadExportedPolicy(out, { format });
      expect(policy.format).toBe(format);
      const batched = await policy.actBatch([obs], batch);
      for (let i = 0; i < batch; i++) expect(Math.abs(batched[i]! - direct[i]!)).toBeLessThan(1e-5);
      const one = await policy.act(obs.slice(3, 6));
      expect(one.length).toBe(1);
      expect(Math.abs(one[0]! - direct[1]!)).toBeLessThan(1e-5);
      await expect(policy.act(new Float32Array(4))).rejects.toThrow(/input "obs" needs 1 x 3 float32 values, got 4/);
      await policy.dispose();
    }
    expect((await loadExportedPolicy(out)).format).toBe('onnx');
  });

  it('fails verification when the ONNX model disagrees, shows the difference, and leaves nothing behind', async () => {
    const out = join(tmp.dir, 'tampered-during-export');
    const err = await exportPolicy({ actor: mlp, meta: pendulumMeta() }, out, {
      formats: ['onnx'],
      afterWrite: (dir) => {
        // Change one weight of the last layer's bias in the written ONNX file (a writer bug would look like this).
        const T = onnxModelType();
        const path = join(dir, 'policy.onnx');
        const m = T.decode(readFileSync(path)) as any;
        const bias = m.graph.initializer.find((t: any) => t.name === 'actor_dense2.bias');
        new DataView(bias.raw_data.buffer, bias.raw_data.byteOffset).setFloat32(0, 0.75, true);
        writeFileSync(path, T.encode(m).finish());
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).code).toBe('verification');
    expect((err as Error).message).toMatch(
      /the ONNX model \(onnxruntime\) differs from the TF.js actor by \d\.\d\de-\d+ \(tolerance 1\.00e-4\) at sample \d+, output 0: expected/,
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses an existing target unless overwrite, and then replaces it only after verifying', async () => {
    const out = join(tmp.dir, 'existing');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'x');
    await expect(exportPolicy({ actor: mlp, meta: pendulumMeta() }, out, { formats: ['onnx'] })).rejects.toThrow(/already exists/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    await exportPolicy({ actor: mlp, meta: pendulumMeta() }, out, { formats: ['onnx'], overwrite: true, samples: 50 });
    expect(readdirSync(out).sort()).toEqual(['README.md', 'metadata.json', 'policy.onnx']);
    expect(readMeta(out).formats.tfjs).toBeUndefined();
  });

  it('refuses bad requests with a clear reason', async () => {
    const base = { actor: { spec: ACTOR, weights: mlp.getWeights() }, meta: pendulumMeta() };
    const out = join(tmp.dir, 'never');
    await expect(exportPolicy({ ...base, actor: { spec: ACTOR, weights: mlp.getWeights().slice(0, 4) } }, out)).rejects.toThrow(
      /expected 6 weight tensors, got 4/,
    );
    const nan = mlp.getWeights();
    nan[2]![7] = Number.NaN;
    await expect(exportPolicy({ ...base, actor: { spec: ACTOR, weights: nan } }, out)).rejects.toThrow(
      /actor_dense1\/kernel has a non-finite value \(NaN\) at index 7/,
    );
    await expect(
      exportPolicy({ ...base, actor: { spec: { ...ACTOR, inputDim: 4 }, weights: randomWeights([4 * 64, 64, 64 * 64, 64, 64, 1], 1) } }, out),
    ).rejects.toThrow(/observation space has 3 elements .* the policy takes 4/);
    await expect(exportPolicy({ ...base, meta: pendulumMeta({ actionScaling: [] }) }, out)).rejects.toThrow(/scaling 0\); the policy outputs 1/);
    await expect(exportPolicy(base, out, { formats: [] })).rejects.toThrow(/at least one export format/);
    await expect(exportPolicy(base, out, { formats: ['pt' as 'onnx'] })).rejects.toThrow(/unknown export format "pt"/);
    expect(existsSync(out)).toBe(false);
  });

  it('exports a camera encoder + actor (the VAE policy shape) that takes raw images, verified in both formats', async () => {
    const desc = describeArchitecture({ encoder: SMALL_ENCODER, actor: { inputDim: 8, hidden: [16], outputDim: 2, outputActivation: 'tanh' } });
    const weights = randomWeights(
      desc.params.map((p) => p.size),
      21,
      0.3,
    );
    const k = desc.actorParamOffset;
    const out = join(tmp.dir, 'camera');
    const r = await exportPolicy(
      { encoder: { spec: SMALL_ENCODER, weights: weights.slice(0, k) }, actor: { spec: desc.arch.actor, weights: weights.slice(k) }, meta: imageMeta() },
      out,
      { samples: 200 },
    );
    expect(r.metadata.verification.maxAbsDiff.onnx).toBeLessThan(1e-4);
    expect(r.metadata.io.inputs.map((i) => i.name)).toEqual(['image', 'extra']);
    expect(r.metadata.preprocessing.image).toMatch(/16x24x3 RGB, NHWC/);
    const rng = new Rng(4);
    const image = Float32Array.from({ length: 16 * 24 * 3 }, () => rng.next());
    const extra = Float32Array.from([12, 0.2]);
    const ref = referenceForward(desc, weights, [image, extra], 1);
    for (const format of ['onnx', 'tfjs'] as const) {
      const policy = await loadExportedPolicy(out, { format });
      const a = await policy.act({ image, extra });
      expect(Math.abs(a[0]! - ref[0]!) + Math.abs(a[1]! - ref[1]!)).toBeLessThan(1e-5);
      await policy.dispose();
    }
    const imported = await importPolicy(out, { format: 'onnx' });
    expect(imported.encoder!.weights.map((w) => Array.from(w))).toEqual(weights.slice(0, k).map((w) => Array.from(w)));
    expect(imported.actor.weights.map((w) => Array.from(w))).toEqual(weights.slice(k).map((w) => Array.from(w)));
  });

  it('imports an export as spec + weights identical to the exported actor, from either format', async () => {
    const out = join(tmp.dir, 'pendulum-both');
    for (const format of ['tfjs', 'onnx'] as const) {
      const imported = await importPolicy(out, { format });
      expect(imported.from).toBe(format);
      expect(imported.actor.spec).toEqual(ACTOR);
      expect(imported.encoder).toBeUndefined();
      expect(imported.meta.envId).toBe('pendulum');
      const copy = new Mlp(imported.actor.spec, new Rng(99), 'imported');
      copy.setWeights(imported.actor.weights);
      const a = copy.getWeights();
      const b = mlp.getWeights();
      copy.dispose();
      expect(a.length).toBe(b.length);
      a.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(b[i]!.buffer))).toBe(true));
    }
  });
});
