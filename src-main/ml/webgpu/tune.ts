/**
 * Adjustments to tfjs-backend-webgpu after it is set, for running in Node:
 *
 * - Synchronous reads: tfjs-webgpu implements dataSync() through OffscreenCanvas, which exists
 *   only in browsers; Dawn in Node maps buffers asynchronously only. Code on this backend must
 *   read with `await tensor.data()`; a synchronous read of a value that lives on the GPU throws
 *   an error that says so (instead of "OffscreenCanvas is not defined").
 * - Software adapters (SwiftShader): matrix products run as the barrier-free loops of
 *   ml/kernels/webgpu-software.ts; for the cases those leave to tfjs, tfjs's choice of shader for
 *   small outputs (a 256-thread reduction with barriers) is several times slower there than the
 *   small-output-size shader (bench/RESULTS.md, "WebGPU"); real GPUs keep tfjs's own choice.
 */
import * as tf from '@tensorflow/tfjs';

export const SYNC_READ_MESSAGE =
  'the webgpu backend in Node cannot read tensors synchronously (dataSync/arraySync/bufferSync): Dawn maps GPU buffers asynchronously only; this code path must use await tensor.data()';

/** tfjs-webgpu's MatMulProgramType.MatMulSmallOutputSizeProgram. */
const MATMUL_SMALL_OUTPUT = 2;

export function tuneWebGpuBackend(software: boolean): void {
  if (software) tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', MATMUL_SMALL_OUTPUT);
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const backend = tf.findBackend('webgpu') as unknown as {
    readSync(dataId: object): unknown;
    tensorMap: { get(dataId: object): { values?: unknown; dtype: string } | undefined };
    __driveLabReadSync?: boolean;
  } | null;
  if (!backend || backend.__driveLabReadSync) return;
  const prior = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    const d = backend.tensorMap.get(dataId);
    // Values still on the CPU side (uploaded, not yet used on the GPU) read as before.
    if (d && (d.values != null || d.dtype === 'string')) return prior(dataId);
    throw new Error(SYNC_READ_MESSAGE);
  };
  backend.__driveLabReadSync = true;
}
