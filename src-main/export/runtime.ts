/**
 * Running a checked export: the ONNX graph in onnxruntime-node (CPU, one intra-op thread, so
 * results are deterministic) or the TF.js LayersModel. Both take one flat Float32Array per graph
 * input (batch-major) and return the flat [batch, actionDim] output.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureDesc } from './architecture.js';
import { ONNX_OUTPUT } from './onnx/write.js';

export interface ModelRunner {
  run(inputs: readonly Float32Array[], batch: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;

/** onnxruntime-node, loaded on first use (a native module; CPU execution provider only). */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

export async function onnxRuntimeVersion(): Promise<string> {
  const ort = await loadOrt();
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** An onnxruntime session over ONNX bytes that were checked against the architecture. */
export async function createOnnxRunner(desc: ArchitectureDesc, bytes: Uint8Array): Promise<ModelRunner> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return {
    async run(inputs, batch) {
      const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
      desc.inputs.forEach((inp, i) => {
        feeds[inp.name] = new ort.Tensor('float32', inputs[i]!, [batch, ...inp.shape]);
      });
      const out = await session.run(feeds);
      const t = out[ONNX_OUTPUT];
      if (!t || t.type !== 'float32') throw new Error(`onnxruntime gave no float32 "${ONNX_OUTPUT}" output`);
      return Float32Array.from(t.data as Float32Array);
    },
    async dispose() {
      await session.release();
    },
  };
}

/** A runner over a loaded TF.js LayersModel (disposed with the runner). */
export function createTfjsRunner(desc: ArchitectureDesc, model: tf.LayersModel): ModelRunner {
  return {
    async run(inputs, batch) {
      return tf.tidy(() => {
        const xs = desc.inputs.map((inp, i) => tf.tensor(inputs[i]!, [batch, ...inp.shape], 'float32'));
        const y = model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
        return Float32Array.from(y.dataSync() as Float32Array);
      });
    },
    async dispose() {
      model.dispose();
    },
  };
}
