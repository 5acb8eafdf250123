/**
 * `npm run cli -- bench gpu [--out FILE] [--baselines wasm,cpu] [--repeats N] [--quick]`: the
 * one-command GPU check (bench/gpu/run-gpu-bench.ts): webgpu against the cpu backend for
 * correctness, then TD3-update, VAE-step and actor-inference timings on webgpu, the CPU
 * backends and PyTorch CUDA, into one JSON file. See README, "GPU".
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runGpuBench } from '../../../../bench/gpu/run-gpu-bench.js';
import { BackendName } from '../../../../src-shared/types.js';
import { fixedOrDash as fmt } from '../../../../src-shared/util/format.js';
import { CliError, globalOptions, intOption, output } from '../../context.js';

export function register(bench: Command): void {
  bench
    .command('gpu')
    .description('GPU check: webgpu vs the cpu backend (weights within 1e-4), then speed on webgpu, wasm and PyTorch CUDA, into one JSON file.')
    .option('--out <file>', 'where the JSON report goes', 'gpu-bench.json')
    .option('--baselines <list>', 'CPU backends timed beside webgpu', 'wasm')
    .option('--repeats <n>', 'timed TD3 updates per backend (VAE steps: a quarter, at least 2)', '20')
    .option('--quick', 'small networks and images everywhere (for software Vulkan drivers)', false)
    .option('--no-torch', 'skip PyTorch CUDA')
    .option('--python <path>', 'Python with torch', process.env.DRIVE_LAB_PYTHON ?? 'python3')
    .action(async (opts: { out: string; baselines: string; repeats: string; quick: boolean; torch: boolean; python: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const baselines = opts.baselines
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const b of baselines) if (!BackendName.safeParse(b).success || b === 'webgpu') throw new CliError(`--baselines: unknown backend "${b}"`);
      const report = await runGpuBench({
        baselines: baselines as BackendName[],
        repeats: intOption('--repeats', opts.repeats, 2)!,
        quick: opts.quick,
        python: opts.python,
        noTorch: !opts.torch,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
      output(g, report, () => {
        const rows = report.speed.map((s) =>
          'error' in s
            ? `${s.backend}: ${s.error}`
            : `${s.backend}: TD3 update ${fmt(s.td3_update_ms)} ms (synced ${fmt(s.td3_update_synced_ms)}), VAE step ${fmt(s.vae_step_ms, 0)} ms, actor b1 ${fmt(s.actor_infer_b1_ms, 3)} ms, b256 ${fmt(s.actor_infer_b256_ms, 3)} ms`,
        );
        const t = report.torch as Record<string, number | string | undefined>;
        const torch =
          typeof t.td3_update_ms === 'number'
            ? `PyTorch CUDA (${t.device}): TD3 update ${fmt(t.td3_update_ms as number)} ms, VAE step ${fmt(t.vae_step_ms as number, 0)} ms`
            : `PyTorch: ${t.note}`;
        const parity =
          'error' in report.parity
            ? `correctness: FAILED TO RUN (${report.parity.error})`
            : `correctness (webgpu vs cpu, tolerance ${report.parity.tolerance}): ${report.parity.ok ? 'ok' : 'MISMATCH'}; ${report.parity.rows.map((r) => `${r.case} ${r.maxAbsDiff.toExponential(2)}`).join(', ')}`;
        return [
          `${report.host}, ${report.date}; GPU: ${report.gpu}; ${report.vulkan}${report.quick ? '; --quick sizes' : ''}`,
          parity,
          ...rows,
          torch,
          `report: ${opts.out}`,
        ].join('\n');
      });
      if (!report.parity.ok) process.exitCode = 1;
    });
}
