/**
 * WebGPU in Node: installs Dawn's `navigator.gpu` (the `webgpu` package) for
 * tfjs-backend-webgpu and finds out which adapter it offers, so selection can say which GPU it
 * found and refuse a software adapter where a faster CPU backend exists.
 */
import { findSoftwareVulkan, planVulkan, preloadVulkan, softwareRequested, type VulkanPlan } from './vulkan.js';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, llvmpipe, lavapipe, WARP) or the spec's fallback adapter. */
  software: boolean;
  /** One line for `status`. */
  label: string;
}

export interface GpuSetup {
  /** How the driver was found ("system Vulkan" or "software Vulkan from ..."). */
  driver: string;
  adapter: AdapterSummary;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/i;

export function summarizeAdapter(info: Partial<GPUAdapterInfo>, isFallback: boolean | undefined): AdapterSummary {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const fallback = isFallback ?? (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  const software = fallback || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`);
  const named = [vendor, architecture].filter(Boolean).join(' ') || 'unknown vendor';
  const label = `${description || device || named} (${named}${software ? ', software' : ''})`;
  return { vendor, architecture, device, description, software, label };
}

/**
 * Why there is no adapter, in one line. A system driver Dawn cannot use (Mesa's lavapipe 22 lacks
 * a feature Dawn requires, for one) does not fall back by itself: the line names the way to the
 * software driver where there is one.
 */
export function noAdapterMessage(driver: string, plan: VulkanPlan, softwareAvailable: boolean): string {
  const hint = plan.kind !== 'software' && softwareAvailable ? "; DRIVE_LAB_VULKAN_SOFTWARE=1 uses Chromium's SwiftShader instead" : '';
  return `WebGPU found no adapter (${driver}: ${plan.detail})${hint}`;
}

let setup: Promise<GpuSetup> | undefined;

/**
 * Installs navigator.gpu and requests a high-performance adapter, once per process (thread).
 * `allowSoftware`: on Linux without a system Vulkan driver, load Chromium's SwiftShader instead
 * (otherwise that case throws with the reason). Throws when no adapter comes back.
 */
export function setUpWebGpu(allowSoftware: boolean): Promise<GpuSetup> {
  setup ??= (async () => {
    const plan = planVulkan();
    if (plan.kind === 'none') throw new Error(plan.detail);
    if (plan.kind === 'software' && !allowSoftware && !softwareRequested()) throw new Error(`${plan.detail} (used only with --backend webgpu)`);
    const driver = preloadVulkan(plan);
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    // Node 21+ (and Electron) define a navigator without `gpu`; Node 20 has none.
    const g = globalThis as { navigator?: object };
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error(noAdapterMessage(driver, plan, findSoftwareVulkan() !== null));
    const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return { driver, adapter: summarizeAdapter(adapter.info, fallback) };
  })();
  // A failed attempt may be retried with other options (auto, then --backend webgpu).
  setup.catch(() => (setup = undefined));
  return setup;
}
