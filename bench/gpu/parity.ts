/**
 * Runs the parity cases on two backends, each in a child process (parity-child.ts), and
 * compares their weights. The webgpu child gets the Vulkan environment from vulkanChildEnv
 * (a system driver, else Chromium's SwiftShader); used by test/unit/ml/webgpu.test.ts and by
 * `bench gpu`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vulkanChildEnv } from '../../src-main/ml/webgpu/vulkan.js';
import type { BackendName } from '../../src-shared/types.js';
import { maxAbsDiff, type ParityCase } from './cases.js';
import type { ParityChildOutput } from './parity-child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

export interface ParityRow {
  case: ParityCase;
  maxAbsDiff: number;
  /** Wall time of the case on each backend, ms (includes shader compiles on a fresh webgpu process). */
  ms: Record<string, number>;
}

export interface ParityReport {
  details: Record<string, string>;
  rows: ParityRow[];
}

/** The environment a child on `backend` needs, or null with the reason when webgpu has no Vulkan driver at all. */
export function childEnv(backend: BackendName): NodeJS.ProcessEnv | null {
  return backend === 'webgpu' ? vulkanChildEnv() : { ...process.env };
}

export function runParityChild(backend: BackendName, cases: readonly ParityCase[], timeoutMs: number): Promise<ParityChildOutput> {
  const env = childEnv(backend);
  if (!env) return Promise.reject(new Error('no Vulkan driver and no Chromium SwiftShader on this machine'));
  const dir = mkdtempSync(join(tmpdir(), 'drive-lab-parity-'));
  const out = join(dir, 'out.json');
  return new Promise<ParityChildOutput>((res, rej) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(HERE, 'parity-child.ts'), backend, cases.join(','), out],
      { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 1 << 24 },
      (err, _stdout, stderr) => {
        try {
          if (err) throw new Error(`${backend} child failed: ${err.message}\n${stderr.slice(-2000)}`);
          res(JSON.parse(readFileSync(out, 'utf8')) as ParityChildOutput);
        } catch (e) {
          rej(e instanceof Error ? e : new Error(String(e)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

/** Runs `cases` on `a` and `b` (in parallel processes) and reports the largest weight difference per case. */
export async function compareBackends(a: BackendName, b: BackendName, cases: readonly ParityCase[], timeoutMs = 300_000): Promise<ParityReport> {
  const [ra, rb] = await Promise.all([runParityChild(a, cases, timeoutMs), runParityChild(b, cases, timeoutMs)]);
  const f32 = (r: ParityChildOutput, c: ParityCase) => r.cases[c]!.weights.map((w) => Float32Array.from(w));
  return {
    details: { [a]: ra.detail, [b]: rb.detail },
    rows: cases.map((c) => ({ case: c, maxAbsDiff: maxAbsDiff(f32(ra, c), f32(rb, c)), ms: { [a]: ra.cases[c]!.ms, [b]: rb.cases[c]!.ms } })),
  };
}
