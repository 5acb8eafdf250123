/**
 * `bench gpu`: the one-command GPU check. First correctness (the parity cases on webgpu against
 * the cpu backend, max |weight difference| <= 1e-4), then speed (speed-child.ts on webgpu and the
 * CPU backends, each in its own process, and PyTorch CUDA through torch_cuda.py when torch sees a
 * GPU), all into one JSON report. Needs no network: Node, node_modules (the `webgpu` package
 * carries Dawn) and a Vulkan driver (or D3D12/Metal) are all it uses.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planVulkan } from '../../src-main/ml/webgpu/vulkan.js';
import type { BackendName } from '../../src-shared/types.js';
import { PARITY_CASES } from './cases.js';
import { childEnv, compareBackends, type ParityReport } from './parity.js';
import type { SpeedResult } from './speed-child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
export const PARITY_TOLERANCE = 1e-4;

export interface GpuBenchOptions {
  /** Backends timed beside webgpu. */
  baselines: BackendName[];
  repeats: number;
  /** Small sizes everywhere (software drivers). */
  quick: boolean;
  python: string;
  noTorch: boolean;
  log: (line: string) => void;
}

export interface GpuBenchReport {
  date: string;
  host: string;
  cpu: string;
  cpus: number;
  gpu: string;
  vulkan: string;
  load: [number, number];
  quick: boolean;
  parity: (ParityReport & { tolerance: number; ok: boolean }) | { error: string; ok: false };
  speed: Array<SpeedResult | { backend: string; error: string }>;
  torch: Record<string, unknown>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${err.message}\n${String(stderr).slice(-2000)}`));
      else res(String(stdout));
    });
  });
}

async function gpuName(): Promise<string> {
  try {
    return (await run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], process.env, 20_000)).trim();
  } catch {
    return 'no nvidia-smi';
  }
}

async function speedOf(backend: BackendName, o: GpuBenchOptions): Promise<SpeedResult | { backend: string; error: string }> {
  const env = childEnv(backend);
  if (!env) return { backend, error: planVulkan().detail };
  const dir = mkdtempSync(join(tmpdir(), 'drive-lab-gpu-bench-'));
  const out = join(dir, 'speed.json');
  try {
    await run(process.execPath, ['--import', 'tsx', join(HERE, 'speed-child.ts'), backend, out, String(o.repeats), o.quick ? 'quick' : 'full'], env, 900_000);
    return JSON.parse(readFileSync(out, 'utf8')) as SpeedResult;
  } catch (e) {
    return { backend, error: (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | ') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function torchCuda(o: GpuBenchOptions): Promise<Record<string, unknown>> {
  if (o.noTorch) return { note: 'skipped (--no-torch)' };
  try {
    const args = [join(HERE, 'torch_cuda.py'), '--repeats', String(o.repeats), ...(o.quick ? ['--quick'] : [])];
    return JSON.parse((await run(o.python, args, process.env, 900_000)).trim()) as Record<string, unknown>;
  } catch (e) {
    return { note: `PyTorch not run: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
  }
}

export async function runGpuBench(o: GpuBenchOptions): Promise<GpuBenchReport> {
  const load0 = loadavg()[0]!;
  o.log(`correctness: ${PARITY_CASES.join(', ')} on webgpu vs cpu`);
  let parity: GpuBenchReport['parity'];
  try {
    const p = await compareBackends('cpu', 'webgpu', PARITY_CASES);
    parity = { ...p, tolerance: PARITY_TOLERANCE, ok: p.rows.every((r) => r.maxAbsDiff <= PARITY_TOLERANCE) };
    for (const r of p.rows) o.log(`  ${r.case}: max |diff| ${r.maxAbsDiff.toExponential(2)}`);
  } catch (e) {
    parity = { error: (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | '), ok: false };
    o.log(`  failed: ${parity.error}`);
  }
  const speed: GpuBenchReport['speed'] = [];
  // One backend at a time: concurrent runs would share the CPU and skew each other.
  for (const b of ['webgpu' as BackendName, ...o.baselines]) {
    o.log(`speed: ${b}`);
    speed.push(await speedOf(b, o));
  }
  o.log('speed: PyTorch CUDA');
  const torch = await torchCuda(o);
  return {
    date: new Date().toISOString(),
    host: hostname(),
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
    cpus: cpus().length,
    gpu: await gpuName(),
    vulkan: planVulkan().detail,
    load: [load0, loadavg()[0]!],
    quick: o.quick,
    parity,
    speed,
    torch,
  };
}
