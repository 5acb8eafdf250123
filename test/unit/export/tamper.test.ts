/**
 * Bad exports are refused with a clear reason before anything runs: missing, truncated or
 * tampered files (hash mismatch), and tampering that also fixed the hashes (wrong shapes,
 * corrupted weights, a changed graph or topology, metadata that does not match the model,
 * ONNX external data, fields outside the schema, path tricks).
 */
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { ExportError } from '../../../src-main/export/errors.js';
import { exportPolicy } from '../../../src-main/export/export.js';
import { importPolicy, loadExportedPolicy, openExport } from '../../../src-main/export/load.js';
import { onnxModelType } from '../../../src-main/export/onnx/schema.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { tempDir } from '../../helpers/tmp.js';
import { pendulumMeta, readMeta, rehash, writeMeta } from './helpers.js';

const tmp = tempDir('drive-lab-export-tamper-');
const GOOD = join(tmp.dir, 'good');
let n = 0;

beforeAll(async () => {
  const mlp = new Mlp({ inputDim: 3, hidden: [16, 16], outputDim: 1, outputActivation: 'tanh' }, new Rng(3), 'actor');
  await exportPolicy({ actor: mlp, meta: pendulumMeta() }, GOOD, { samples: 100 });
  mlp.dispose();
});
afterAll(() => tmp.cleanup());

/** A fresh copy of the good export. */
function copy(): string {
  const dir = join(tmp.dir, `case-${n++}`);
  cpSync(GOOD, dir, { recursive: true });
  return dir;
}

async function refusal(dir: string, format?: 'tfjs' | 'onnx'): Promise<ExportError> {
  const e = await openExport(dir, format ? [format] : undefined).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'export was accepted').toBeInstanceOf(ExportError);
  return e as ExportError;
}

function editOnnx(dir: string, edit: (m: any) => void): void {
  const T = onnxModelType();
  const path = join(dir, 'policy.onnx');
  const m = T.decode(readFileSync(path)) as any;
  edit(m);
  writeFileSync(path, T.encode(m).finish());
}

function editModelJson(dir: string, edit: (j: any) => void): void {
  const path = join(dir, 'model.json');
  const j = JSON.parse(readFileSync(path, 'utf8'));
  edit(j);
  writeFileSync(path, JSON.stringify(j));
}

describe('loading a bad export', () => {
  it('accepts the good export', async () => {
    const opened = await openExport(GOOD);
    expect(opened.formats).toEqual(['tfjs', 'onnx']);
  });

  it('missing folder, metadata or file', async () => {
    expect((await refusal(join(tmp.dir, 'nope'))).message).toMatch(/no policy export at .*nope \(folder not found\)/);
    const a = copy();
    rmSync(join(a, 'metadata.json'));
    expect((await refusal(a)).message).toMatch(/^metadata.json: file not found/);
    const b = copy();
    rmSync(join(b, 'weights.bin'));
    const e = await refusal(b);
    expect(e.code).toBe('missing');
    expect(e.message).toMatch(/^weights.bin: file not found/);
    await expect(loadExportedPolicy(b, { format: 'onnx' })).rejects.toThrow(/weights.bin: file not found/);
    const c = copy();
    const meta = readMeta(c);
    delete meta.formats.onnx;
    writeMeta(c, meta);
    await expect(loadExportedPolicy(c, { format: 'onnx' })).rejects.toThrow(/this export has no onnx model \(it has tfjs\)/);
  });

  it('truncated or corrupted files fail their sha256', async () => {
    for (const f of ['weights.bin', 'policy.onnx', 'model.json', 'README.md']) {
      const d = copy();
      truncateSync(join(d, f), 10);
      const e = await refusal(d);
      expect(e.code).toBe('corrupt');
      expect(e.message).toMatch(new RegExp(`^${f.replace('.', '\\.')}: sha256 [0-9a-f]{12}\\.\\.\\. differs from metadata.json's`));
    }
    const d = copy();
    const bin = readFileSync(join(d, 'weights.bin'));
    bin[17] = bin[17]! ^ 0x40;
    writeFileSync(join(d, 'weights.bin'), bin);
    expect((await refusal(d)).message).toMatch(/weights.bin: sha256 .* differs/);
    const m = copy();
    writeFileSync(join(m, 'metadata.json'), readFileSync(join(m, 'metadata.json'), 'utf8').slice(0, 200));
    expect((await refusal(m)).message).toMatch(/^metadata.json: not valid JSON/);
  });

  it('truncated weights with a fixed hash: refused by size, for TF.js and ONNX', async () => {
    const a = copy();
    truncateSync(join(a, 'weights.bin'), 100);
    rehash(a);
    expect((await refusal(a, 'tfjs')).message).toMatch(/^weights.bin: 100 bytes, the manifest needs \d+ \(truncated or padded\)/);
    const b = copy();
    editOnnx(b, (m) => {
      const t = m.graph.initializer[0];
      t.raw_data = t.raw_data.subarray(0, 8);
    });
    rehash(b);
    expect((await refusal(b, 'onnx')).message).toMatch(/^policy.onnx: initializer "actor_dense0.kernel" has 8 bytes of data, expected 192/);
    const c = copy();
    writeFileSync(join(c, 'policy.onnx'), readFileSync(join(c, 'policy.onnx')).subarray(0, 300));
    rehash(c);
    expect((await refusal(c, 'onnx')).message).toMatch(/^policy.onnx: not a readable ONNX protobuf/);
  });

  it('corrupted (non-finite) weights with a fixed hash', async () => {
    const a = copy();
    const bin = readFileSync(join(a, 'weights.bin'));
    bin.writeFloatLE(Number.NaN, 40);
    writeFileSync(join(a, 'weights.bin'), bin);
    rehash(a);
    expect((await refusal(a, 'tfjs')).message).toMatch(/^weights.bin: weight actor_dense0\/kernel has a non-finite value at index 10/);
    const b = copy();
    editOnnx(b, (m) => new DataView(m.graph.initializer[1].raw_data.buffer, m.graph.initializer[1].raw_data.byteOffset).setFloat32(4, Infinity, true));
    rehash(b);
    expect((await refusal(b, 'onnx')).message).toMatch(/initializer "actor_dense0.bias" has a non-finite value at index 1/);
  });

  it('finite weights changed in one format only: the two formats disagree', async () => {
    const a = copy();
    const bin = readFileSync(join(a, 'weights.bin'));
    bin.writeFloatLE(0.123, 0);
    writeFileSync(join(a, 'weights.bin'), bin);
    rehash(a);
    expect((await refusal(a)).message).toMatch(/weights.bin and policy.onnx hold different values for actor_dense0\/kernel/);
  });

  it('wrong shapes in model.json or policy.onnx', async () => {
    const a = copy();
    editModelJson(a, (j) => (j.weightsManifest[0].weights[0].shape = [16, 3]));
    rehash(a);
    expect((await refusal(a, 'tfjs')).message).toMatch(
      /^model.json: weight actor_dense0\/kernel has shape \[16,3\], the metadata's architecture needs \[3,16\]/,
    );
    const b = copy();
    editOnnx(b, (m) => (m.graph.initializer[0].dims = [16, 3]));
    rehash(b);
    expect((await refusal(b, 'onnx')).message).toMatch(/initializer "actor_dense0.kernel" has dims \[16,3\], the metadata's architecture needs \[3,16\]/);
  });

  it('a changed graph or topology with fixed hashes (tanh swapped for relu, a layer rewired, an extra node)', async () => {
    const a = copy();
    editModelJson(a, (j) => (j.modelTopology.config.layers[3].config.activation = 'relu'));
    rehash(a);
    expect((await refusal(a, 'tfjs')).message).toMatch(/^model.json: the model topology .* differs from the architecture in metadata.json/);
    const b = copy();
    editOnnx(b, (m) => {
      const last = m.graph.node[m.graph.node.length - 1];
      last.op_type = 'Relu';
    });
    rehash(b);
    expect((await refusal(b, 'onnx')).message).toMatch(/^policy.onnx: the graph .* differs from the architecture in metadata.json/);
    const c = copy();
    editOnnx(c, (m) => m.graph.node.push({ name: 'evil', op_type: 'Identity', input: ['action'], output: ['y'] }));
    rehash(c);
    expect((await refusal(c, 'onnx')).message).toMatch(/node "evil" is a Identity; allowed ops are Gemm/);
    const d = copy();
    editOnnx(d, (m) => (m.graph.node[0].domain = 'com.microsoft'));
    rehash(d);
    expect((await refusal(d, 'onnx')).message).toMatch(/uses domain "com.microsoft"/);
    const e = copy();
    editOnnx(e, (m) => (m.opset_import[0].version = 11));
    rehash(e);
    expect((await refusal(e, 'onnx')).message).toMatch(/expected only the default domain at version 13/);
  });

  it('ONNX external data, fields outside the schema, and manifest path tricks', async () => {
    const a = copy();
    editOnnx(a, (m) => {
      m.graph.initializer[0].external_data = [{ key: 'location', value: '/etc/passwd' }];
      m.graph.initializer[0].data_location = 1;
    });
    rehash(a);
    expect((await refusal(a, 'onnx')).message).toMatch(/initializer "actor_dense0.kernel" refers to external data; not allowed/);
    const b = copy();
    // Append ModelProto field 25 (functions in newer onnx.proto) as an unknown length-delimited field.
    writeFileSync(join(b, 'policy.onnx'), Buffer.concat([readFileSync(join(b, 'policy.onnx')), Buffer.from([0xca, 0x01, 0x02, 0x08, 0x01])]));
    rehash(b);
    expect((await refusal(b, 'onnx')).message).toMatch(/fields outside the ONNX subset Drive Lab writes, in the model/);
    const b2 = copy();
    // An unknown varint field 8 inside the first node.
    editOnnx(b2, (m) => (m.graph.node[0].$unknowns = [Uint8Array.from([0x40, 0x01])]));
    rehash(b2);
    expect((await refusal(b2, 'onnx')).message).toMatch(/fields outside the ONNX subset Drive Lab writes, in .graph.node\[0\]/);
    const c = copy();
    editModelJson(c, (j) => (j.weightsManifest[0].paths = ['../good/weights.bin']));
    rehash(c);
    expect((await refusal(c, 'tfjs')).message).toMatch(/weights must be in "weights.bin"/);
    const d = copy();
    const meta = readMeta(d);
    meta.files['../good/policy.onnx'] = meta.files['policy.onnx'];
    writeMeta(d, meta);
    expect((await refusal(d)).message).toMatch(/bad file name in "files": "..\/good\/policy.onnx"/);
  });

  it('metadata that does not match the model', async () => {
    const a = copy();
    const m1 = readMeta(a);
    m1.architecture.actor.hidden = [16, 32];
    writeMeta(a, m1);
    expect((await refusal(a, 'tfjs')).message).toMatch(/weight actor_dense1\/kernel has shape \[16,16\], the metadata's architecture needs \[16,32\]/);
    expect((await refusal(a, 'onnx')).message).toMatch(/initializer "actor_dense1.kernel" has dims \[16,16\]/);
    const b = copy();
    const m2 = readMeta(b);
    m2.observation.space = { shape: [2], low: [-1, -1], high: [1, 1] };
    writeMeta(b, m2);
    expect((await refusal(b)).message).toMatch(/^metadata.json: observation space has 2 elements .* the policy takes 3/);
    const c = copy();
    const m3 = readMeta(c);
    m3.action.scaling.push({ name: 'extra', unit: 'N', low: 0, high: 1 });
    writeMeta(c, m3);
    expect((await refusal(c)).message).toMatch(/^metadata.json: the action has 1 elements .*scaling 2/);
    const d = copy();
    const m4 = readMeta(d);
    m4.formatVersion = 99;
    writeMeta(d, m4);
    expect((await refusal(d)).message).toMatch(/export format version 99; this app reads version 1/);
    const e = copy();
    const m5 = readMeta(e);
    m5.architecture.actor.outputActivation = 'linear';
    writeMeta(e, m5);
    expect((await refusal(e, 'tfjs')).message).toMatch(/topology/);
    expect((await refusal(e, 'onnx')).message).toMatch(/the graph .* differs/);
    await expect(importPolicy(e)).rejects.toThrow(/topology/);
  });
});
