/**
 * `bench ml` wiring (not its speed: speed goals are benchmarks, see bench/RESULTS.md): the
 * command runs a backend in a child process and prints the fields; the PyTorch
 * reference script runs and prints its fields when Debian's python3 has torch.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const PYTHON = process.env.DRIVE_LAB_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('bench ml', () => {
  it('prints backend, timings and ratio fields as JSON', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--json', 'bench', 'ml', '--backends', 'wasm', '--repeats', '1', '--no-torch'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    for (const k of ['backend', 'td3_update_ms', 'vae_step_ms', 'actor_infer_ms', 'torch_td3_update_ms', 'torch_vae_step_ms', 'td3_ratio', 'vae_ratio']) expect(row).toHaveProperty(k);
    expect(row.backend).toBe('wasm');
    for (const k of ['td3_update_ms', 'vae_step_ms', 'actor_infer_ms']) expect(row[k] as number).toBeGreaterThan(0);
    expect(row.td3_ratio).toBeNull();
    expect(row.torch).toEqual({ note: 'skipped (--no-torch)' });
  });

  it.skipIf(!hasTorch)('the PyTorch reference runs the same TD3 update and reports its BLAS', () => {
    const r = spawnSync(PYTHON, ['bench/ml/torch_bench.py', '--repeats', '2', '--skip-vae', '--threads', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.td3_update_ms as number).toBeGreaterThan(0);
    expect(out.actor_infer_ms as number).toBeGreaterThan(0);
    expect(out.threads).toBe(1);
    expect(typeof out.blas).toBe('string');
  });
});
