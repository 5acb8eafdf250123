/**
 * Reading a TF.js export back: model.json and weights.bin are checked against the architecture
 * the metadata describes (manifest paths, weight names, shapes and dtypes, byte count, finite
 * values, and the computation-defining part of the topology) before tf.loadLayersModel sees
 * them. tfjs-layers only instantiates its own registered layer classes; nothing in the files is
 * run as code.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureDesc } from '../architecture.js';
import { ExportError } from '../errors.js';
import { buildLayersModel, topologyFingerprint } from './build.js';
import { TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE } from './write.js';

export interface CheckedTfjs {
  /** Weights in architecture order (TF.js layouts). */
  weights: Float32Array[];
  /** Artifacts for tf.loadLayersModel(tf.io.fromMemory(...)), built from the checked bytes. */
  artifacts: tf.io.ModelArtifacts;
}

const expectedFingerprints = new Map<string, string>();

/** The topology fingerprint of the architecture, as tfjs-layers serializes it. */
async function expectedFingerprint(desc: ArchitectureDesc): Promise<string> {
  const key = JSON.stringify(desc.arch);
  const hit = expectedFingerprints.get(key);
  if (hit) return hit;
  const model = buildLayersModel(desc);
  let topology: unknown;
  try {
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        topology = a.modelTopology;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      }),
    );
  } finally {
    model.dispose();
  }
  const fp = topologyFingerprint(topology);
  expectedFingerprints.set(key, fp);
  return fp;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the TF.js files against the architecture; throws ExportError with the reason. */
export async function checkTfjs(desc: ArchitectureDesc, modelJsonBytes: Uint8Array, weightsBin: Uint8Array): Promise<CheckedTfjs> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(modelJsonBytes).toString('utf8'));
  } catch (e) {
    throw new ExportError('corrupt', `${TFJS_MODEL_FILE}: not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(json) || json.format !== 'layers-model')
    throw new ExportError('corrupt', `${TFJS_MODEL_FILE}: not a TF.js layers-model (format "${isRecord(json) ? String(json.format) : typeof json}")`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || !isRecord(manifest[0]))
    throw new ExportError('corrupt', `${TFJS_MODEL_FILE}: expected one weights manifest group`);
  const group = manifest[0];
  if (!Array.isArray(group.paths) || group.paths.length !== 1 || group.paths[0] !== TFJS_WEIGHTS_FILE) {
    throw new ExportError('mismatch', `${TFJS_MODEL_FILE}: weights must be in "${TFJS_WEIGHTS_FILE}" (manifest lists ${JSON.stringify(group.paths)})`);
  }
  const specs = group.weights;
  if (!Array.isArray(specs) || specs.length !== desc.params.length) {
    throw new ExportError(
      'mismatch',
      `${TFJS_MODEL_FILE}: ${Array.isArray(specs) ? specs.length : 0} weight tensors listed, the metadata's architecture has ${desc.params.length}`,
    );
  }
  let expectedBytes = 0;
  desc.params.forEach((p, i) => {
    const s = specs[i] as Record<string, unknown>;
    const name = `${p.layer}/${p.role}`;
    if (!isRecord(s) || s.name !== name)
      throw new ExportError('mismatch', `${TFJS_MODEL_FILE}: weight ${i} is "${isRecord(s) ? String(s.name) : '?'}", expected "${name}"`);
    if (s.dtype !== 'float32' || 'quantization' in s) throw new ExportError('mismatch', `${TFJS_MODEL_FILE}: weight ${name} must be plain float32`);
    if (!Array.isArray(s.shape) || JSON.stringify(s.shape) !== JSON.stringify(p.shape)) {
      throw new ExportError(
        'mismatch',
        `${TFJS_MODEL_FILE}: weight ${name} has shape ${JSON.stringify(s.shape)}, the metadata's architecture needs [${p.shape.join(',')}]`,
      );
    }
    expectedBytes += 4 * p.size;
  });
  if (weightsBin.byteLength !== expectedBytes) {
    throw new ExportError('corrupt', `${TFJS_WEIGHTS_FILE}: ${weightsBin.byteLength} bytes, the manifest needs ${expectedBytes} (truncated or padded)`);
  }
  const fp = topologyFingerprint(json.modelTopology);
  if (fp !== (await expectedFingerprint(desc))) {
    throw new ExportError(
      'mismatch',
      `${TFJS_MODEL_FILE}: the model topology (layers, activations, sizes or wiring) differs from the architecture in metadata.json`,
    );
  }
  // Copy into an aligned buffer, then split per tensor.
  const buf = new ArrayBuffer(weightsBin.byteLength);
  new Uint8Array(buf).set(weightsBin);
  const weights: Float32Array[] = [];
  let off = 0;
  for (const p of desc.params) {
    const w = new Float32Array(buf.slice(off, off + 4 * p.size));
    for (let j = 0; j < w.length; j++) {
      if (!Number.isFinite(w[j]!)) throw new ExportError('corrupt', `${TFJS_WEIGHTS_FILE}: weight ${p.layer}/${p.role} has a non-finite value at index ${j}`);
    }
    weights.push(w);
    off += 4 * p.size;
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: 'layers-model',
    weightSpecs: specs as tf.io.WeightsManifestEntry[],
    weightData: buf,
  };
  return { weights, artifacts };
}

/** Loads a checked TF.js export as a LayersModel (caller disposes). */
export async function loadCheckedTfjs(checked: CheckedTfjs): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(checked.artifacts));
}
