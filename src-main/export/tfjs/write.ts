/**
 * TF.js LayersModel export: `model.json` (format "layers-model", topology + weights manifest) and
 * one `weights.bin` (float32, little-endian, in manifest order), the layout tf.loadLayersModel
 * reads from a URL (browser), a file:// path (tfjs-node) or a custom IOHandler.
 * The topology and weight specs come from tfjs-layers' own serialization (model.save).
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureDesc } from '../architecture.js';
import { buildLayersModel } from './build.js';

export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

export interface TfjsFiles {
  modelJson: string;
  weightsBin: Uint8Array;
}

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const buf = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buf.slice(0));
}

/** Serializes the policy as a TF.js LayersModel. */
export async function writeTfjs(desc: ArchitectureDesc, weights: readonly Float32Array[], producer: string): Promise<TfjsFiles> {
  const model = buildLayersModel(desc, weights);
  try {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      }),
    );
    if (!artifacts?.modelTopology || !artifacts.weightSpecs) throw new Error('tfjs-layers did not serialize the model');
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: producer,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    };
    return { modelJson: JSON.stringify(modelJson), weightsBin: joinWeightData(artifacts.weightData) };
  } finally {
    model.dispose();
  }
}
