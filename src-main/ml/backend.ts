/**
 * ML backend selection. At start the engine loads the fastest backend that works:
 * tfjs-node-gpu (CUDA), then tfjs-node (native TensorFlow on CPU), then WebGPU (Dawn: Vulkan,
 * D3D12 or Metal; probed, not yet taken, see below), then tfjs-backend-wasm (the default on
 * machines where the native packages cannot install), then the pure-JS cpu backend. The native packages are
 * optionalDependencies loaded with a guarded import: on a machine without them (their install
 * needs internet) selection moves on.
 *
 * WebGPU is probed in `auto` (so `status` names the adapter, or why there is none) but not
 * taken: on a software adapter (SwiftShader, llvmpipe) it computes the same results far slower
 * than wasm (bench/RESULTS.md, "WebGPU"), and in Node it reads the GPU only asynchronously
 * (ml/webgpu/tune.ts), so a run trains on it only in the layout built for that (its learner on
 * the GPU behind actor threads on a CPU backend: src-shared/config/backend-fit.ts), which a run
 * gets when it names the backend. `--backend webgpu` forces it, and on Linux without a Vulkan
 * driver loads Chromium's SwiftShader (ml/webgpu/vulkan.ts), which is how CI tests this backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../../src-shared/config/run-config.js';
import type { BackendInfo, BackendName } from '../../src-shared/types.js';
import { registerProjectKernels } from './kernels/register.js';
import { setUpWebGpu } from './webgpu/adapter.js';
import { tuneWebGpuBackend } from './webgpu/tune.js';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Loads and activates one backend; throws with a one-line reason if it cannot. */
async function tryBackend(name: BackendName, forced: boolean): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu': {
      // The module registers the "tensorflow" backend bound to CUDA when it imports.
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node-gpu' as string);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node-gpu loaded but its backend did not initialize');
      registerProjectKernels('tensorflow');
      return 'native TensorFlow with CUDA';
    }
    case 'tensorflow': {
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but its backend did not initialize');
      registerProjectKernels('tensorflow');
      return 'native TensorFlow on CPU';
    }
    case 'webgpu': {
      if (!forced && process.env.DRIVE_LAB_WEBGPU === 'off') throw new Error('not probed (DRIVE_LAB_WEBGPU=off)');
      const { driver, adapter } = await setUpWebGpu(forced);
      if (!forced) {
        // Found, and said so in `status`; auto does not take it (file comment).
        if (adapter.software) throw new Error(`found only a software adapter, ${adapter.label}: slower than wasm`);
        throw new Error(
          `found ${adapter.label}; not chosen automatically: in Node it reads the GPU only asynchronously, so runs train on it behind actor threads (use --backend webgpu)`,
        );
      }
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not initialize on ${adapter.label}`);
      tuneWebGpuBackend(adapter.software);
      const report = registerProjectKernels('webgpu', { softwareAdapter: adapter.software });
      return `WebGPU on ${adapter.label}, ${driver}; ${report.kernels.length} WGSL kernels`;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialize');
      // Report what the wasm module really uses, not what it could: tfjs decides SIMD and
      // threads from these flags when it loads its binary (threads are always off in Node).
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = wasm.getThreadsCount();
      const report = registerProjectKernels('wasm');
      const base = `WebAssembly (XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
      return report.native ? `${base} with ${report.nativeDetail}` : `${base}; ${report.nativeDetail}`;
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialize');
      registerProjectKernels('cpu');
      return 'pure JavaScript (slow)';
    }
  }
}

function shortError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const first = msg.split('\n')[0] ?? msg;
  if (/Cannot find (package|module)/.test(first)) return 'not installed';
  return first.slice(0, 200);
}

let selected: BackendInfo | undefined;

/**
 * Selects and activates a backend. `auto` tries BACKEND_ORDER; a named choice tries only
 * that one and fails loudly if it does not load. Idempotent per process for the same choice.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (selected && (choice === 'auto' || choice === selected.name)) return selected;
  const order = choice === 'auto' ? BACKEND_ORDER : [choice];
  const tried: BackendInfo['tried'] = [];
  for (const name of order) {
    try {
      const detail = await tryBackend(name, choice !== 'auto');
      await tf.ready();
      tried.push({ name, ok: true, detail });
      const reason = choice === 'auto' ? `fastest that loaded: ${detail}` : `chosen with --backend ${name}: ${detail}`;
      selected = { name, reason, tried };
      return selected;
    } catch (e) {
      tried.push({ name, ok: false, detail: shortError(e) });
    }
  }
  throw new Error(`no ML backend could be loaded (${tried.map((t) => `${t.name}: ${t.detail}`).join('; ')})`);
}

/** The backend selected in this process, if any. */
export function currentBackend(): BackendInfo | undefined {
  return selected;
}
