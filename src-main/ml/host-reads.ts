/**
 * Reading a GPU backend's numbers on the host where only asynchronous reads exist (WebGPU in
 * Node: Dawn maps buffers asynchronously, see ./webgpu/tune.ts).
 *
 * The learner's synchronous reads of its own state (weights for the actors, loss sums for the
 * statistics and the NaN guard, optimizer moments for a checkpoint) all read tf.Variables. An
 * `await variable.data()` leaves the values cached on the host beside the GPU buffer until the
 * variable is next assigned (tfjs-webgpu's `read` caches them; every update assigns new
 * tensors, so a cache never outlives the value it holds). So a caller that awaits
 * `prefetchVariables` right before such a read gets it without a synchronous GPU read. Reads of
 * freshly computed tensors (actions, Q values, TD errors) cannot be served this way: those run
 * in threads on a CPU backend (the actors, the evaluation thread) or are refused on this backend
 * (src-shared/config/backend-fit.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** True where synchronous reads of GPU-resident tensors fail: tfjs-webgpu without OffscreenCanvas (Node). */
export function readsAsyncOnly(): boolean {
  return tf.getBackend() === 'webgpu' && typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined';
}

/**
 * Brings `variables` (default: every variable registered with tfjs) to the host, so synchronous
 * reads of them succeed until they are next assigned. Nothing to do on other backends.
 */
export async function prefetchVariables(variables?: readonly tf.Variable[]): Promise<void> {
  if (!readsAsyncOnly()) return;
  const vars = variables ?? Object.values(tf.engine().state.registeredVariables);
  await Promise.all(vars.filter((v) => !v.isDisposed).map((v) => v.data()));
}
