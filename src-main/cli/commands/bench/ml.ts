/**
 * `npm run cli -- bench ml [--json] [--backends wasm,cpu] [--repeats N]`: timings of the Td3
 * learner's update (mean over its policy-delay cycle), the drive pipeline's VAE step and batch-1
 * actor inference on every backend that loads, beside PyTorch on the CPU in the same run. See bench/README.md; figures go to bench/RESULTS.md.
 */
import { fixedOrDash as fmt } from '../../../../src-shared/util/format.js';
import type { Command } from 'commander';
import { BENCH_BACKENDS, runMlBench, type BenchBackend, type LoadedTimings, type MlBenchReport } from '../../../../bench/ml/run-ml-bench.js';
import { CliError, globalOptions, intOption, output } from '../../context.js';

function table(r: MlBenchReport): string {
  const head = ['backend', 'TD3 update ms', 'VAE step ms', 'actor infer ms', 'torch TD3 ms', 'torch VAE ms', 'TD3 ratio', 'VAE ratio'];
  const rows = r.rows.map((x) => [
    x.backend,
    fmt(x.td3_update_ms),
    fmt(x.vae_step_ms, 0),
    fmt(x.actor_infer_ms, 3),
    fmt(x.torch_td3_update_ms),
    fmt(x.torch_vae_step_ms, 0),
    fmt(x.td3_ratio, 2),
    fmt(x.vae_ratio, 2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const torch = 'torch_version' in r.torch ? `PyTorch ${r.torch.torch_version}, ${r.torch.threads} threads, BLAS ${r.torch.blas}` : `PyTorch: ${r.torch.note}`;
  const one = r.torchOneThread
    ? [
        `PyTorch with 1 thread: TD3 update ${fmt(r.torchOneThread.td3_update_ms)} ms (fastest ${fmt(r.torchOneThread.td3_update_min_ms)}), VAE step ${fmt(r.torchOneThread.vae_step_ms, 0)} ms (fastest ${fmt(r.torchOneThread.vae_step_min_ms, 0)})`,
      ]
    : [];
  const mins = r.rows
    .filter((x) => x.td3_update_min_ms !== null)
    .map(
      (x) =>
        `${x.backend}: fastest TD3 update ${fmt(x.td3_update_min_ms)} ms (PyTorch ${fmt(x.torch_td3_update_min_ms)}), fastest VAE step ${fmt(x.vae_step_min_ms, 0)} ms (PyTorch ${fmt(x.torch_vae_step_min_ms, 0)})`,
    );
  const loaded = (name: string, l: LoadedTimings | undefined) =>
    l
      ? [
          `${name} beside ${l.competitors} busy processes: TD3 update ${fmt(l.td3_update_ms)} ms (${fmt(l.td3_slowdown, 2)}x), VAE step ${fmt(l.vae_step_ms, 0)} ms (${fmt(l.vae_slowdown, 2)}x)`,
        ]
      : [];
  const slowdowns = [...r.rows.flatMap((x) => loaded(x.backend, x.loaded)), ...loaded('PyTorch', r.torchLoaded)];
  const notes = r.rows.flatMap((x) => [`${x.backend}: ${x.detail || '(not loaded)'}`, ...x.notes.map((n) => `  ${n}`)]);
  return [
    `${r.machine}, ${r.date}, load average ${r.load[0]} -> ${r.load[1]}`,
    torch,
    '',
    line(head),
    ...rows.map(line),
    '',
    'medians; ratio = tfjs time / PyTorch time (<= 1.0: as fast as PyTorch or faster)',
    ...mins,
    ...one,
    ...(slowdowns.length ? ['', 'slowdown = loaded median / quiet median', ...slowdowns] : []),
    '',
    ...notes,
  ].join('\n');
}

export function register(bench: Command): void {
  bench
    .command('ml')
    .description(
      "Time the Td3 learner's update, the drive pipeline's VAE step and batch-1 actor inference on every ML backend that loads, beside PyTorch (CPU).",
    )
    .option('--backends <list>', `comma-separated, from ${BENCH_BACKENDS.join(', ')}`, BENCH_BACKENDS.join(','))
    .option('--repeats <n>', 'timed TD3 updates per backend (VAE steps: a quarter, at least 2; cpu: at most 3 updates)', '20')
    .option('--rounds <n>', 'alternate PyTorch and tfjs this many times; report the median', '1')
    .option('--cpu-vae', 'also time one VAE step on the pure-JS cpu backend (takes minutes)', false)
    .option('--no-torch', 'skip PyTorch')
    .option('--torch-1-thread', 'also time PyTorch with 1 thread (its multi-threaded runs stall on a busy machine)', false)
    .option('--blas-threads <n>', 'fix the threads of large products and convolutions in the native kernels (default: one or all cores, by measured speed)')
    .option('--competitors <n>', 'also time every backend (and PyTorch) beside N busy processes and print the slowdown', '0')
    .option('--python <path>', 'Python with torch', process.env.DRIVE_LAB_PYTHON ?? '/usr/bin/python3')
    .action(
      async (
        opts: {
          backends: string;
          repeats: string;
          rounds: string;
          cpuVae: boolean;
          torch: boolean;
          torch1Thread: boolean;
          blasThreads?: string;
          competitors: string;
          python: string;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const backends = opts.backends
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const b of backends)
          if (!(BENCH_BACKENDS as readonly string[]).includes(b)) throw new CliError(`--backends: unknown backend "${b}" (use ${BENCH_BACKENDS.join(', ')})`);
        const report = await runMlBench(
          {
            backends: backends as BenchBackend[],
            repeats: intOption('--repeats', opts.repeats, 1)!,
            rounds: intOption('--rounds', opts.rounds, 1)!,
            cpuVae: opts.cpuVae,
            noTorch: !opts.torch,
            torchOneThread: opts.torch1Thread,
            blasThreads: intOption('--blas-threads', opts.blasThreads, 1),
            python: opts.python,
            competitors: intOption('--competitors', opts.competitors, 0) ?? 0,
          },
          (line) => {
            if (!g.json || process.stderr.isTTY) process.stderr.write(line);
          },
        );
        output(
          g,
          report.rows.map((r) => ({
            ...r,
            machine: report.machine,
            date: report.date,
            load: report.load,
            torch: report.torch,
            torch_1_thread: report.torchOneThread ?? null,
            torch_loaded: report.torchLoaded ?? null,
          })),
          () => table(report),
        );
      },
    );
}
