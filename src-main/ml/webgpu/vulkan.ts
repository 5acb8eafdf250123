/**
 * Finding a Vulkan driver for WebGPU on Linux (Dawn, inside the `webgpu` package, renders
 * through Vulkan there; on Windows it uses D3D12 and on macOS Metal, and nothing here applies).
 *
 * Dawn dlopen()s the Vulkan loader `libvulkan.so.1` by name, and the loader picks its drivers
 * from ICD manifests (/usr/share/vulkan/icd.d, or VK_ICD_FILENAMES). A machine with a GPU driver
 * installed has both. A machine without them can still run WebGPU on a software driver: the
 * SwiftShader one Chromium ships in its library folder (with a loader beside it). That is how CI
 * tests the webgpu backend, and what `--backend webgpu` falls back to when no system driver
 * exists (for correctness; it is far slower than wasm, so `auto` never uses it).
 *
 * Two ways to point Dawn at the software driver:
 * - child processes: `vulkanChildEnv` gives them VK_ICD_FILENAMES and LD_LIBRARY_PATH;
 * - this process (the training worker is a thread, it cannot change its own LD_LIBRARY_PATH):
 *   `preloadVulkan` loads Chromium's libvulkan.so.1 with RTLD_NODELETE before Dawn
 *   starts, so Dawn's dlopen by name finds it already loaded, and sets VK_ICD_FILENAMES (the
 *   loader reads it when Dawn creates its instance).
 * DRIVE_LAB_VULKAN_SOFTWARE=1 asks for the software driver even where a system one exists. A
 * machine with a GPU driver's manifest but no loader library (a bare GPU container) gets a
 * loader the same way: DRIVE_LAB_VULKAN_LOADER=/path/to/libvulkan.so.1, else Chromium's.
 */
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { dirname, join } from 'node:path';

/** Where distributions put Chromium's SwiftShader Vulkan driver (Debian/Ubuntu, Fedora, Arch). */
const SWIFTSHADER_DIRS = ['/usr/lib/chromium', '/usr/lib64/chromium-browser', '/usr/lib/chromium-browser', '/opt/google/chrome'];
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64'];
/** glibc's RTLD_NODELETE (os.constants.dlopen does not list it). */
const RTLD_NODELETE = 0x1000;

export interface SoftwareVulkan {
  /** The ICD manifest of the SwiftShader driver. */
  icd: string;
  /** The folder holding it and a libvulkan.so.1 loader. */
  libDir: string;
}

/** Chromium's SwiftShader Vulkan driver and loader, if installed (Linux). */
export function findSoftwareVulkan(): SoftwareVulkan | null {
  if (process.platform !== 'linux') return null;
  for (const dir of SWIFTSHADER_DIRS) {
    const icd = join(dir, 'vk_swiftshader_icd.json');
    if (existsSync(icd) && existsSync(join(dir, 'libvulkan.so.1'))) return { icd, libDir: dir };
  }
  return null;
}

/** How this machine can give Dawn a Vulkan driver (Linux; elsewhere Dawn uses D3D12 or Metal). */
export interface VulkanPlan {
  /**
   * system: a loader and a driver are installed; loader: a driver (say NVIDIA's ICD) without the
   * loader library, so a loader is brought in (DRIVE_LAB_VULKAN_LOADER or Chromium's);
   * software: Chromium's SwiftShader (no driver, or DRIVE_LAB_VULKAN_SOFTWARE=1); none.
   */
  kind: 'system' | 'loader' | 'software' | 'none';
  /** Folder of the libvulkan.so.1 to load (loader, software). */
  loaderDir?: string;
  /** The driver manifest to force (software). */
  icd?: string;
  detail: string;
}

function icdManifests(env: NodeJS.ProcessEnv): string[] {
  const icds = ICD_DIRS.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(d, f));
    } catch {
      return [];
    }
  });
  if (env.VK_ICD_FILENAMES) icds.push(...env.VK_ICD_FILENAMES.split(':').filter(Boolean));
  return icds;
}

export function planVulkan(env: NodeJS.ProcessEnv = process.env): VulkanPlan {
  if (process.platform !== 'linux')
    return { kind: 'system', detail: `${process.platform}: Dawn uses ${process.platform === 'darwin' ? 'Metal' : 'D3D12 or Vulkan'}` };
  const sw = findSoftwareVulkan();
  const software = (why: string): VulkanPlan =>
    sw
      ? { kind: 'software', loaderDir: sw.libDir, icd: sw.icd, detail: `${why}; software Vulkan (SwiftShader) from ${sw.libDir}` }
      : { kind: 'none', detail: `${why}, and no software driver (Chromium's vk_swiftshader_icd.json)` };
  if (softwareRequested(env)) return software('DRIVE_LAB_VULKAN_SOFTWARE=1');
  const icds = icdManifests(env);
  if (icds.length === 0) return software('no Vulkan driver (no ICD manifest in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d)');
  const loaderDirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LOADER_DIRS];
  const loader = loaderDirs.find((d) => existsSync(join(d, 'libvulkan.so.1')));
  if (loader) return { kind: 'system', detail: `Vulkan drivers ${icds.join(', ')}` };
  const brought = env.DRIVE_LAB_VULKAN_LOADER ? dirname(env.DRIVE_LAB_VULKAN_LOADER) : sw?.libDir;
  if (brought && existsSync(join(brought, 'libvulkan.so.1')))
    return { kind: 'loader', loaderDir: brought, detail: `Vulkan drivers ${icds.join(', ')} with the loader from ${brought}` };
  return {
    kind: 'none',
    detail: `Vulkan drivers ${icds.join(', ')} but no loader (libvulkan.so.1: Debian package libvulkan1, or DRIVE_LAB_VULKAN_LOADER=/path/to/libvulkan.so.1)`,
  };
}

/** Whether this process (or a child given `env`) asks for the software driver. */
export function softwareRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DRIVE_LAB_VULKAN_SOFTWARE === '1';
}

/**
 * The environment for a child process that will use the webgpu backend (see VulkanPlan): the
 * loader's folder on LD_LIBRARY_PATH where one is brought in, and SwiftShader's manifest in
 * VK_ICD_FILENAMES for the software driver. Null when there is no driver at all.
 */
export function vulkanChildEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | null {
  const plan = planVulkan(env);
  if (plan.kind === 'none') return null;
  if (plan.kind === 'system') return { ...env };
  const ld = [plan.loaderDir!, ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)].join(':');
  if (plan.kind === 'loader') return { ...env, LD_LIBRARY_PATH: ld };
  return { ...env, DRIVE_LAB_VULKAN_SOFTWARE: '1', VK_ICD_FILENAMES: plan.icd!, LD_LIBRARY_PATH: ld };
}

let preloaded: string | null = null;

/**
 * Loads the plan's Vulkan loader into this process (see the file comment) and, for the
 * software driver, points it at SwiftShader. Must run before Dawn creates its instance. Returns
 * a line for the backend's detail.
 */
export function preloadVulkan(plan: VulkanPlan): string {
  if (plan.kind === 'system') return 'system Vulkan';
  if (preloaded) return preloaded;
  if (plan.kind === 'none') throw new Error(plan.detail);
  if (plan.kind === 'software' && !isMainThread && process.env.VK_ICD_FILENAMES !== plan.icd) {
    // A worker thread's process.env is its own copy: the Vulkan loader (C getenv) would not see
    // a VK_ICD_FILENAMES set here. The main thread has to set it (exportVulkanEnv) before it
    // starts the worker, or the process has to start with it.
    throw new Error(
      `no Vulkan driver; for SwiftShader start the process with VK_ICD_FILENAMES=${plan.icd} (a worker thread cannot set it for the Vulkan loader)`,
    );
  }
  const module = { exports: {} };
  try {
    process.dlopen(module, join(plan.loaderDir!, 'libvulkan.so.1'), constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
  } catch (e) {
    // A plain shared library is not a Node addon: dlopen succeeds, then Node reports that no
    // module registered itself. RTLD_NODELETE keeps it loaded all the same.
    if (!/did not self-register/.test(e instanceof Error ? e.message : String(e))) throw e;
  }
  if (plan.kind === 'software') process.env.VK_ICD_FILENAMES = plan.icd!;
  preloaded = plan.kind === 'software' ? `software Vulkan from ${plan.loaderDir}` : `Vulkan loader from ${plan.loaderDir}`;
  return preloaded;
}

/**
 * For the main thread, before it starts worker threads that may use `--backend webgpu`: sets
 * VK_ICD_FILENAMES in the real process environment (a worker cannot) when the plan is the
 * software driver. The loader library itself is preloaded by each worker. Returns what it set.
 */
export function exportVulkanEnv(): string | null {
  if (!isMainThread) return null;
  const plan = planVulkan();
  if (plan.kind !== 'software' || process.env.VK_ICD_FILENAMES === plan.icd) return null;
  process.env.VK_ICD_FILENAMES = plan.icd!;
  return `VK_ICD_FILENAMES=${plan.icd}`;
}
