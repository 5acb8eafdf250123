/**
 * The webgpu backend against the cpu backend: the fused ops (WGSL on webgpu), matrix products and sums, a TD3 update, a VAE step and 100 updates of a
 * small pendulum TD3 learner (bench/gpu/cases.ts) give the same weights within 1e-4. Each
 * backend runs in a child process of its own (tfjs backends are per process); the webgpu child
 * gets a system Vulkan driver, else Chromium's SwiftShader (ml/webgpu/vulkan.ts: CI installs
 * chromium, so there it runs on the software driver). Skipped, with the reason printed, only
 * where neither exists. Also: `auto` never takes WebGPU here and says why.
 */
import { describe, expect, it } from 'vitest';
import { compareBackends } from '../../../bench/gpu/parity.js';
import { PARITY_CASES } from '../../../bench/gpu/cases.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { noAdapterMessage, summarizeAdapter } from '../../../src-main/ml/webgpu/adapter.js';
import { findSoftwareVulkan, planVulkan, vulkanChildEnv } from '../../../src-main/ml/webgpu/vulkan.js';

const env = vulkanChildEnv();
const plan = planVulkan();
const skipReason = env ? '' : plan.detail;
if (skipReason) console.warn(`webgpu tests skipped: ${skipReason}`);

describe.skipIf(!env)('webgpu backend (Vulkan through Dawn)', () => {
  it(
    'the fused ops, matrix products and sums, a TD3 update, a VAE step and 100 pendulum TD3 updates match the cpu backend within 1e-4',
    { timeout: 300_000 },
    async () => {
      const report = await compareBackends('cpu', 'webgpu', PARITY_CASES);
      // The child names the adapter it found (and the software driver when it used one).
      expect(report.details.webgpu).toMatch(/^chosen with --backend webgpu: WebGPU on .+\(.+\).*; [34] WGSL kernels$/);
      if (plan.kind === 'software') {
        expect(report.details.webgpu).toContain(`software Vulkan from ${plan.loaderDir}`);
        // A software adapter gets the barrier-free matrix products, sums and adds (ml/kernels/webgpu-software.ts).
        expect(report.details.webgpu).toMatch(/; 4 WGSL kernels$/);
      }
      for (const row of report.rows) {
        console.log(
          `webgpu vs cpu, ${row.case}: max |diff| ${row.maxAbsDiff.toExponential(2)} (cpu ${row.ms.cpu!.toFixed(0)} ms, webgpu ${row.ms.webgpu!.toFixed(0)} ms)`,
        );
        expect(row.maxAbsDiff, row.case).toBeLessThanOrEqual(1e-4);
      }
    },
  );
});

describe('webgpu in auto selection', () => {
  it('auto probes WebGPU, says what it found or why nothing, and does not take it', async () => {
    const info = await selectBackend('auto');
    expect(info.name).not.toBe('webgpu');
    const webgpu = info.tried.find((t) => t.name === 'webgpu');
    if (info.tried.map((t) => t.name).includes('webgpu')) {
      expect(webgpu!.ok).toBe(false);
      expect(webgpu!.detail).toMatch(/Vulkan|adapter|found/);
    }
  });
});

describe('adapters and Vulkan drivers', () => {
  it('says how to reach the software driver when a system driver gives no adapter', () => {
    const system = { kind: 'system' as const, detail: 'Vulkan drivers /usr/share/vulkan/icd.d/lvp_icd.x86_64.json' };
    expect(noAdapterMessage('system Vulkan', system, true)).toBe(
      "WebGPU found no adapter (system Vulkan: Vulkan drivers /usr/share/vulkan/icd.d/lvp_icd.x86_64.json); DRIVE_LAB_VULKAN_SOFTWARE=1 uses Chromium's SwiftShader instead",
    );
    expect(noAdapterMessage('system Vulkan', system, false)).not.toContain('DRIVE_LAB_VULKAN_SOFTWARE');
    expect(noAdapterMessage('software Vulkan', { kind: 'software', detail: 'x' }, true)).not.toContain('DRIVE_LAB_VULKAN_SOFTWARE');
  });

  it('tells software adapters from GPUs by the fallback flag, vendor, architecture or description', () => {
    expect(summarizeAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }, undefined)).toMatchObject({
      software: true,
      label: 'SwiftShader driver 5.0.0 (google swiftshader, software)',
    });
    expect(summarizeAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, false).software).toBe(true);
    expect(summarizeAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }, true).software).toBe(true);
    expect(summarizeAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }, false)).toMatchObject({
      software: false,
      label: 'NVIDIA H100 80GB HBM3 (nvidia hopper)',
    });
    expect(summarizeAdapter({ vendor: 'apple', architecture: 'metal-3' }, undefined)).toMatchObject({
      software: false,
      label: 'apple metal-3 (apple metal-3)',
    });
  });

  it.skipIf(process.platform !== 'linux' || !findSoftwareVulkan())(
    'DRIVE_LAB_VULKAN_SOFTWARE=1 points a child at SwiftShader through its environment only',
    () => {
      const sw = findSoftwareVulkan()!;
      const before = { ...process.env };
      const env = vulkanChildEnv({ PATH: '/usr/bin', LD_LIBRARY_PATH: '/opt/x', DRIVE_LAB_VULKAN_SOFTWARE: '1' })!;
      expect(env).toMatchObject({ VK_ICD_FILENAMES: sw.icd, LD_LIBRARY_PATH: `${sw.libDir}:/opt/x`, PATH: '/usr/bin' });
      expect(process.env).toEqual(before);
    },
  );
});
