/**
 * Which fast paths the active backend takes, decided per call from the active backend (tests
 * and benchmarks switch backends within one process).
 */
import * as tf from '@tensorflow/tfjs';

/** Set by registerProjectKernels: wasm's matrix products run in the native addon (transpose flags are free there). */
export const fastPathState = { wasmNativeMatMul: false };

/**
 * Dense gradients as matMul(transpose(a), b) rather than matMul(a, b, transposeA): tfjs-wasm's
 * own BatchMatMul with a transpose flag falls back to a slow scalar loop (figures: bench/RESULTS.md,
 * "Kernel choices").
 */
export function explicitTransposes(): boolean {
  return !fastPathState.wasmNativeMatMul && tf.getBackend() === 'wasm';
}
