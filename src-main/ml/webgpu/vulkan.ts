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
 *   `preloadSoftwareVulkan` loads Chromium's libvulkan.so.1 with RTLD_NODELETE before Dawn
 *   starts, so Dawn's dlopen by name finds it already loaded, and sets VK_ICD_FILENAMES (the
 *   loader reads it when Dawn creates its instance).
 * DRIVE_LAB_VULKAN_SOFTWARE=1 asks for the software driver even where a system one exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

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

/** Whether the system has a Vulkan loader and at least one driver manifest (Linux; elsewhere Dawn does not use Vulkan by default). */
export function systemVulkan(env: NodeJS.ProcessEnv = process.env): { ok: boolean; detail: string } {
  if (process.platform !== 'linux') return { ok: true, detail: `${process.platform}: Dawn uses ${process.platform === 'darwin' ? 'Metal' : 'D3D12'}` };
  const loaderDirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LOADER_DIRS];
  const loader = loaderDirs.find((d) => existsSync(join(d, 'libvulkan.so.1')));
  const icds = ICD_DIRS.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
  });
  if (env.VK_ICD_FILENAMES) icds.push(env.VK_ICD_FILENAMES);
  if (!loader) return { ok: false, detail: 'no Vulkan loader (libvulkan.so.1; Debian package libvulkan1)' };
  if (icds.length === 0) return { ok: false, detail: 'no Vulkan driver (no ICD manifest in /usr/share/vulkan/icd.d)' };
  return { ok: true, detail: `Vulkan loader in ${loader}, drivers: ${icds.join(', ')}` };
}

/** Whether this process (or a child given `env`) asks for the software driver. */
export function softwareRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DRIVE_LAB_VULKAN_SOFTWARE === '1';
}

/**
 * The environment for a child process that will use the webgpu backend: unchanged where a
 * system Vulkan driver exists (and software was not asked for), else pointed at Chromium's
 * SwiftShader. Null when neither exists.
 */
export function vulkanChildEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | null {
  if (!softwareRequested(env) && systemVulkan(env).ok) return { ...env };
  const sw = findSoftwareVulkan();
  if (!sw) return null;
  const ld = [sw.libDir, ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)].join(':');
  return { ...env, DRIVE_LAB_VULKAN_SOFTWARE: '1', VK_ICD_FILENAMES: sw.icd, LD_LIBRARY_PATH: ld };
}

let preloaded: string | null = null;

/**
 * Loads Chromium's SwiftShader Vulkan loader into this process and points the loader at its
 * driver (see the file comment). Must run before Dawn creates its instance. Returns a line for
 * the backend's detail, or throws with the reason it cannot.
 */
export function preloadSoftwareVulkan(): string {
  if (preloaded) return preloaded;
  const sw = findSoftwareVulkan();
  if (!sw) throw new Error('no Vulkan driver on this machine, and no software one (Chromium\'s vk_swiftshader_icd.json) to fall back to');
  const module = { exports: {} };
  try {
    process.dlopen(module, join(sw.libDir, 'libvulkan.so.1'), constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
  } catch (e) {
    // A plain shared library is not a Node addon: dlopen succeeds, then Node reports that no
    // module registered itself. RTLD_NODELETE keeps it loaded all the same.
    if (!/did not self-register/.test(e instanceof Error ? e.message : String(e))) throw e;
  }
  process.env.VK_ICD_FILENAMES = sw.icd;
  preloaded = `software Vulkan from ${sw.libDir}`;
  return preloaded;
}
