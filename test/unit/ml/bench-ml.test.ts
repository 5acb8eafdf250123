/**
 * `bench ml` wiring (not its speed: speed goals are benchmarks, see bench/RESULTS.md): the
 * command runs a backend in a child process and prints the fields. The PyTorch
 * reference (bench/ml/torch_bench.py) needs Debian's python3-torch, which CI does not install;
 * `bench ml` runs it and reports its figures where torch is present (see bench/README.md).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench ml', () => {
  it('prints backend, timings and ratio fields as JSON', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/bin.ts', '--json', 'bench', 'ml', '--backends', 'wasm', '--repeats', '1', '--no-torch'],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    for (const k of ['backend', 'td3_update_ms', 'vae_step_ms', 'actor_infer_ms', 'torch_td3_update_ms', 'torch_vae_step_ms', 'td3_ratio', 'vae_ratio'])
      expect(row).toHaveProperty(k);
    expect(row.backend).toBe('wasm');
    // The TD3 figure times the learner runs train (not a copy of it).
    expect(row.td3_learner).toMatch(/^Td3\.train, policy delay 2, batch 256/);
    for (const k of ['td3_update_ms', 'vae_step_ms', 'actor_infer_ms']) expect(row[k] as number).toBeGreaterThan(0);
    expect(row.td3_ratio).toBeNull();
    expect(row.torch).toEqual({ note: 'skipped (--no-torch)' });
  });
});
