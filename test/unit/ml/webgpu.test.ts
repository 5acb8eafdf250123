/**
 * The webgpu backend against the cpu backend: the fused ops (WGSL on webgpu), a TD3 update, a VAE step and 100 updates of a
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
import { planVulkan, vulkanChildEnv } from '../../../src-main/ml/webgpu/vulkan.js';

const env = vulkanChildEnv();
const plan = planVulkan();
const skipReason = env ? '' : plan.detail;
if (skipReason) console.warn(`webgpu tests skipped: ${skipReason}`);

describe.skipIf(!env)('webgpu backend (Vulkan through Dawn)', () => {
  it('the fused ops, a TD3 update, a VAE step and 100 pendulum TD3 updates match the cpu backend within 1e-4', { timeout: 300_000 }, async () => {
    const report = await compareBackends('cpu', 'webgpu', PARITY_CASES);
    // The child names the adapter it found (and the software driver when it used one).
    expect(report.details.webgpu).toMatch(/^chosen with --backend webgpu: WebGPU on .+\(.+\).*; 3 WGSL kernels$/);
    if (plan.kind === 'software') expect(report.details.webgpu).toContain(`software Vulkan from ${plan.loaderDir}`);
    for (const row of report.rows) {
      console.log(`webgpu vs cpu, ${row.case}: max |diff| ${row.maxAbsDiff.toExponential(2)} (cpu ${row.ms.cpu!.toFixed(0)} ms, webgpu ${row.ms.webgpu!.toFixed(0)} ms)`);
      expect(row.maxAbsDiff, row.case).toBeLessThanOrEqual(1e-4);
    }
  });
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
