/**
 * Helpers for kernels the project builds out of a backend's own kernels: run a registered
 * kernel function directly (no tape, no engine bookkeeping) and free the intermediates.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;

/** Runs registered kernels of one backend and disposes every intermediate it made on `close`. */
export class KernelScope {
  private readonly made: TensorInfo[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs `kernelName` of this backend; the result is freed on close unless passed to `keep`. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (!kernel) throw new Error(`kernel ${kernelName} is not registered for backend ${this.backendName}`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo | TensorInfo[];
    const info = Array.isArray(out) ? out[0]! : out;
    this.made.push(info);
    return info;
  }

  /** Tracks an output made outside `run` (e.g. backend.makeOutput) for disposal on close. */
  track(info: TensorInfo): TensorInfo {
    this.made.push(info);
    return info;
  }

  /** Removes `info` from the intermediates, so it survives close (the kernel's result). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.made.indexOf(info);
    if (i >= 0) this.made.splice(i, 1);
    return info;
  }

  close(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}

/** A Float32Array view of a wasm tensor's memory. Views die when the heap grows: take them after every allocation. */
export function wasmF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}
