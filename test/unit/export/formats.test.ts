/**
 * The two writers on their own: an MLP actor and a conv encoder -> MLP graph (the shape of the
 * VAE policy), written as ONNX and as a TF.js LayersModel, run in onnxruntime and loaded back with
 * tf.loadLayersModel (over HTTP, as a browser would, and through a custom file IOHandler), all
 * compared with the TF.js reference forward pass.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { describeArchitecture, type ArchitectureDesc } from '../../../src-main/export/architecture.js';
import { checkOnnx } from '../../../src-main/export/onnx/read.js';
import { onnxModelType } from '../../../src-main/export/onnx/schema.js';
import { hwioToOihw, oihwToHwio, writeOnnx } from '../../../src-main/export/onnx/write.js';
import { referenceForward } from '../../../src-main/export/reference.js';
import { writeTfjs } from '../../../src-main/export/tfjs/write.js';
import { tempDir } from '../../helpers/tmp.js';
import { randomWeights, SMALL_ENCODER } from './helpers.js';

const tmp = tempDir('drive-lab-export-formats-');
afterAll(() => tmp.cleanup());

const INFO = { producerName: 'test', producerVersion: '0', docString: '', metadataProps: [] };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function randomInputs(desc: ArchitectureDesc, batch: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return desc.inputs.map((i) => Float32Array.from({ length: batch * i.shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(0, 1)));
}

async function runOnnx(desc: ArchitectureDesc, bytes: Uint8Array, inputs: Float32Array[], batch: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  desc.inputs.forEach((inp, i) => (feeds[inp.name] = new ort.Tensor('float32', inputs[i]!, [batch, ...inp.shape])));
  const out = (await session.run(feeds)).action!.data as Float32Array;
  await session.release();
  return out;
}

function predict(model: tf.LayersModel, desc: ArchitectureDesc, inputs: Float32Array[], batch: number): Float32Array {
  return tf.tidy(() => {
    const xs = desc.inputs.map((inp, i) => tf.tensor(inputs[i]!, [batch, ...inp.shape]));
    return Float32Array.from((model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor).dataSync());
  });
}

/** A custom IOHandler reading model.json + weights.bin from a folder (what file:// does in tfjs-node). */
function folderHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const bin = readFileSync(join(dir, manifest[0]!.paths[0]!));
        return [specs, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)];
      });
    },
  };
}

let server: Server;
let baseUrl = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    try {
      const data = readFileSync(join(tmp.dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
      res.writeHead(200, { 'content-type': req.url!.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cases = [
  { name: 'mlp', arch: { actor: { inputDim: 3, hidden: [32, 32], outputDim: 1, outputActivation: 'tanh' as const } } },
  { name: 'mlp-linear', arch: { actor: { inputDim: 5, hidden: [8], outputDim: 2, outputActivation: 'linear' as const } } },
  { name: 'conv', arch: { encoder: SMALL_ENCODER, actor: { inputDim: 8, hidden: [16], outputDim: 2, outputActivation: 'tanh' as const } } },
];

describe('ONNX and TF.js writers', () => {
  for (const c of cases) {
    it(`${c.name}: ONNX (onnxruntime) and TF.js (tf.loadLayersModel over HTTP and from files) match the TF.js reference`, async () => {
      const desc = describeArchitecture(c.arch);
      const weights = randomWeights(
        desc.params.map((p) => p.size),
        7,
      );
      const batch = 64;
      const inputs = randomInputs(desc, batch, 3);
      const ref = referenceForward(desc, weights, inputs, batch);
      expect(ref.length).toBe(batch * desc.outputDim);

      const onnx = writeOnnx(desc, weights, INFO);
      const onnxOut = await runOnnx(desc, onnx, inputs, batch);
      expect(maxDiff(onnxOut, ref)).toBeLessThan(1e-5);

      const files = await writeTfjs(desc, weights, 'test');
      writeFileSync(join(tmp.dir, `${c.name}-model.json`), files.modelJson.replace('"weights.bin"', `"${c.name}-weights.bin"`));
      writeFileSync(join(tmp.dir, `${c.name}-weights.bin`), files.weightsBin);
      const overHttp = await tf.loadLayersModel(`${baseUrl}/${c.name}-model.json`);
      expect(maxDiff(predict(overHttp, desc, inputs, batch), ref)).toBeLessThan(1e-6);
      overHttp.dispose();

      const dir = join(tmp.dir, c.name);
      (await import('node:fs')).mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), files.modelJson);
      writeFileSync(join(dir, 'weights.bin'), files.weightsBin);
      const fromFiles = await tf.loadLayersModel(folderHandler(dir));
      expect(maxDiff(predict(fromFiles, desc, inputs, batch), ref)).toBeLessThan(1e-6);
      fromFiles.dispose();
    });
  }

  it('writes a standard ModelProto: IR 7, opset 13, the expected ops, NHWC image input transposed inside the graph', () => {
    const desc = describeArchitecture(cases[2]!.arch);
    const bytes = writeOnnx(
      desc,
      randomWeights(
        desc.params.map((p) => p.size),
        1,
      ),
      { ...INFO, metadataProps: [{ key: 'drive_lab.env', value: 'lane' }] },
    );
    const T = onnxModelType();
    const m = T.toObject(T.decode(bytes), { longs: Number }) as any;
    expect(m.ir_version).toBe(7);
    expect(m.opset_import).toEqual([{ version: 13 }]);
    expect(m.graph.node.map((n: any) => n.op_type)).toEqual([
      'Transpose',
      'Conv',
      'Relu',
      'Conv',
      'Relu',
      'Transpose',
      'Flatten',
      'Gemm',
      'Concat',
      'Gemm',
      'Relu',
      'Gemm',
      'Tanh',
    ]);
    expect(m.graph.input.map((i: any) => [i.name, i.type.tensorType?.shape?.dim ?? i.type.tensor_type.shape.dim])).toEqual([
      ['image', [{ dim_param: 'batch' }, { dim_value: 16 }, { dim_value: 24 }, { dim_value: 3 }]],
      ['extra', [{ dim_param: 'batch' }, { dim_value: 2 }]],
    ]);
    const conv1 = m.graph.node[3];
    // 'same' padding on a 7x11 map with k 4, s 2: out 4x6, total pad 3 on both axes, the extra pixel at the end (TF).
    expect(conv1.attribute.find((a: any) => a.name === 'pads').ints).toEqual([1, 1, 2, 2]);
    expect(m.metadata_props).toEqual([{ key: 'drive_lab.env', value: 'lane' }]);
  });

  it('round-trips weights through the ONNX reader exactly, conv kernels included', () => {
    const desc = describeArchitecture(cases[2]!.arch);
    const weights = randomWeights(
      desc.params.map((p) => p.size),
      11,
    );
    const back = checkOnnx(desc, writeOnnx(desc, weights, INFO)).weights;
    expect(back.map((w) => Array.from(w))).toEqual(weights.map((w) => Array.from(w)));
    const shape = [4, 4, 3, 5];
    const k = randomWeights([4 * 4 * 3 * 5], 2)[0]!;
    const oihw = hwioToOihw(k, shape);
    // Element (o=2, i=1, y=3, x=0) of OIHW is element (y=3, x=0, i=1, o=2) of HWIO.
    expect(oihw[((2 * 3 + 1) * 4 + 3) * 4 + 0]).toBe(k[((3 * 4 + 0) * 3 + 1) * 5 + 2]);
    expect(Array.from(oihwToHwio(oihw, shape))).toEqual(Array.from(k));
  });

  it('refuses architectures that do not fit together', () => {
    expect(() => describeArchitecture({ encoder: SMALL_ENCODER, actor: { inputDim: 5, hidden: [4], outputDim: 1, outputActivation: 'tanh' } })).toThrow(
      /actor takes 5 inputs but the encoder gives latent 6 \+ extra 2 = 8/,
    );
    expect(() =>
      describeArchitecture({
        encoder: {
          ...SMALL_ENCODER,
          imageShape: [4, 4, 3],
          convs: [
            { filters: 2, kernel: 4, stride: 2 },
            { filters: 2, kernel: 4, stride: 2 },
          ],
        },
        actor: { inputDim: 8, hidden: [], outputDim: 1, outputActivation: 'tanh' },
      }),
    ).toThrow(/does not fit/);
    expect(() => describeArchitecture({ actor: { inputDim: 0, hidden: [], outputDim: 1, outputActivation: 'tanh' } })).toThrow(/actor.inputDim/);
  });
});
