/**
 * The pendulum learning benchmark: TD3 and DDPG on `pendulum`, N seeds each, 20k env
 * steps with the env preset; goal: final deterministic evaluation mean return >= -200 for every
 * seed (rl-baselines3-zoo reports -152 +- 90 for both at 20k steps). Also times the TD3 seed-0
 * run alone, then a compact PyTorch TD3 with the same settings alone (same machine, same bench
 * run), and reports the ratio. Writes results.json, curves.json and a learning-curve PNG.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlgoId } from '../../src-shared/config/algo.js';
import type { BackendChoice } from '../../src-shared/config/run-config.js';
import { Engine } from '../../src-main/services/engine.js';
import { readJsonIfExists } from '../../src-main/core/durable-write.js';

export const PENDULUM_GOAL = -200;

export interface PendulumBenchOptions {
  seeds: number;
  steps: number;
  algos: AlgoId[];
  /** Runs trained at the same time after the timed pair (worker threads). */
  parallel: number;
  torch: boolean;
  /** PyTorch thread counts to time (default: the core count, then 1). */
  torchThreads: number[];
  python: string;
  outDir: string;
  backend: BackendChoice;
  log: (line: string) => void;
}

export interface BenchRun {
  id: string;
  algo: AlgoId;
  seed: number;
  status: string;
  final: number;
  finalStd: number;
  wallClockS: number;
  /** Trained alone (the timed TD3 run) or side by side with other runs. */
  alone: boolean;
  evals: Array<[number, number]>;
  episodes: Array<[number, number]>;
  updatesPerS: number | null;
}

export interface TorchResult {
  /** Threads asked for (torch.set_num_threads, OMP and OpenBLAS). */
  requested_threads: number;
  wall_clock_s: number;
  process_s: number;
  updates: number;
  final_eval_mean: number;
  final_eval_std: number;
  threads: number;
  blas: string[];
  torch: string;
}

export interface PendulumBenchResult {
  date: string;
  machine: { cpus: number; model: string; memGiB: number; node: string };
  backend: string;
  runs: BenchRun[];
  /** One PyTorch TD3 run per thread count, each alone. */
  torch: TorchResult[];
  /** Wall clock of the Drive Lab TD3 seed-0 run / each PyTorch run (all alone), same order. */
  ratios: number[];
  goalMet: boolean;
  files: { results: string; curves: string; png: string | null };
}

const here = dirname(fileURLToPath(import.meta.url));

function runTorch(python: string, configPath: string, threadCount: number, log: (l: string) => void): Promise<TorchResult> {
  return new Promise((resolve, reject) => {
    const threads = String(threadCount);
    const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
    const env = {
      ...process.env,
      OMP_NUM_THREADS: threads,
      OPENBLAS_NUM_THREADS: threads,
      // Debian's reference BLAS is ~15x slower than OpenBLAS: point the loader at OpenBLAS.
      ...(existsSync(openblas) ? { LD_LIBRARY_PATH: [openblas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}),
    };
    const t0 = performance.now();
    const child = spawn(python, [join(here, 'td3_torch.py'), configPath, threads], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const processS = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`PyTorch TD3 exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      try {
        const r = JSON.parse(out.trim().split('\n').pop()!) as Omit<TorchResult, 'process_s' | 'requested_threads'>;
        log(
          `pytorch td3 (${threadCount} thread(s)): ${r.wall_clock_s.toFixed(1)} s in its loop, ${processS.toFixed(1)} s as a process, final eval ${r.final_eval_mean.toFixed(1)}`,
        );
        resolve({ ...r, process_s: processS, requested_threads: threadCount });
      } catch (e) {
        reject(new Error(`could not read the PyTorch TD3 result: ${String(e)}`));
      }
    });
  });
}

export async function runPendulumBench(o: PendulumBenchOptions): Promise<PendulumBenchResult> {
  mkdirSync(o.outDir, { recursive: true });
  const runsDir = join(o.outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  const engine = new Engine({ runsDir, backend: o.backend });
  const client = engine.client();
  const plan: Array<{ id: string; algo: AlgoId; seed: number }> = [];
  for (const algo of o.algos) {
    for (let seed = 0; seed < o.seeds; seed++) {
      const r = await client.request('runs.create', {
        config: { name: `${algo}-pendulum-seed${seed}`, env: { id: 'pendulum' }, algo, seed, totalSteps: o.steps, backend: o.backend },
      });
      plan.push({ id: r.id, algo, seed });
    }
  }
  const progress = new Map<string, number>();
  const offProgress = client.on('run.progress', (p) => progress.set(p.id, p.step));
  const ticker = setInterval(() => {
    const active = plan.filter((p) => engine.training.isActive(p.id));
    if (active.length) o.log(`  ${active.map((p) => `${p.algo} seed ${p.seed}: ${progress.get(p.id) ?? 0}/${o.steps}`).join(', ')}`);
  }, 60_000);

  const wall = new Map<string, number>();
  const train = async (id: string) => {
    const t0 = performance.now();
    await client.request('train.start', { id });
    await engine.training.wait(id);
    wall.set(id, (performance.now() - t0) / 1000);
    const p = plan.find((x) => x.id === id)!;
    const ev = readJsonIfExists<{ mean_return: number }>(join(engine.store.dir(id), 'eval.json'));
    o.log(`${p.algo} seed ${p.seed}: ${engine.store.readMeta(id).status} in ${wall.get(id)!.toFixed(1)} s, final eval ${ev ? ev.mean_return.toFixed(1) : '-'}`);
  };

  // 1. The timed pair, each alone: our TD3 (seed 0), then the PyTorch TD3 with the same config.
  const timed = plan.find((p) => p.algo === 'td3' && p.seed === 0);
  const torch: TorchResult[] = [];
  if (timed) {
    o.log(`timing: td3 seed 0 alone (${o.backend} backend)...`);
    await train(timed.id);
    if (o.torch) {
      const configPath = join(o.outDir, 'td3-seed0-config.json');
      writeFileSync(configPath, JSON.stringify(engine.store.readConfig(timed.id).config, null, 2));
      for (const threads of o.torchThreads) {
        o.log(`timing: PyTorch td3 seed 0 alone, ${threads} thread(s)...`);
        try {
          torch.push(await runTorch(o.python, configPath, threads, o.log));
        } catch (e) {
          o.log(`PyTorch TD3 failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }
  // 2. The other runs, `parallel` at a time.
  const queue = plan.filter((p) => p !== timed);
  o.log(`training ${queue.length} more run(s), ${o.parallel} at a time...`);
  await Promise.all(
    Array.from({ length: Math.max(1, o.parallel) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await train(p.id);
    }),
  );
  clearInterval(ticker);
  offProgress();

  const runs: BenchRun[] = plan.map((p) => {
    const lines = engine.store.metrics(p.id, 0, 1_000_000).lines;
    const ev = readJsonIfExists<{ mean_return: number; std_return: number }>(join(engine.store.dir(p.id), 'eval.json'));
    const trainLines = lines.filter((l) => l.kind === 'train' && typeof l.updates_per_s === 'number');
    return {
      id: p.id,
      algo: p.algo,
      seed: p.seed,
      status: engine.store.readMeta(p.id).status,
      final: ev?.mean_return ?? Number.NaN,
      finalStd: ev?.std_return ?? Number.NaN,
      wallClockS: wall.get(p.id) ?? Number.NaN,
      alone: p === timed,
      evals: lines.filter((l) => l.kind === 'eval').map((l) => [l.step, l.mean_return as number]),
      episodes: lines.filter((l) => l.kind === 'episode').map((l) => [l.step, l.return as number]),
      updatesPerS: trainLines.length ? trainLines.reduce((a, l) => a + (l.updates_per_s as number), 0) / trainLines.length : null,
    };
  });
  const backend = engine.store.readConfig(plan[0]!.id).backend ?? o.backend;
  await engine.close();

  const timedRun = runs.find((r) => r.alone);
  const result: PendulumBenchResult = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    backend,
    runs,
    torch,
    ratios: timedRun ? torch.map((t) => timedRun.wallClockS / t.process_s) : [],
    goalMet: runs.every((r) => r.status === 'finished' && r.final >= PENDULUM_GOAL),
    files: { results: join(o.outDir, 'results.json'), curves: join(o.outDir, 'curves.json'), png: null },
  };
  writeFileSync(
    result.files.curves,
    JSON.stringify({ backend, runs: runs.map(({ algo, seed, evals, episodes, final }) => ({ algo, seed, evals, episodes, final })) }),
  );
  const png = join(o.outDir, 'pendulum-learning-curves.png');
  if (existsSync(o.python)) {
    await new Promise<void>((resolve) => {
      const child = spawn(o.python, [join(here, 'plot.py'), result.files.curves, png], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => {
        if (code === 0) result.files.png = png;
        else o.log(`plot failed (matplotlib missing?): ${err.trim().split('\n').pop()}`);
        resolve();
      });
      child.on('error', () => resolve());
    });
  }
  writeFileSync(result.files.results, JSON.stringify(result, null, 2));
  return result;
}

/** The markdown rows for bench/RESULTS.md. */
export function formatPendulumResult(r: PendulumBenchResult): string {
  const lines = [
    `Machine: ${r.machine.cpus}-core ${r.machine.model}, ${r.machine.memGiB} GiB, Node ${r.machine.node.replace(/^v/, '')}; ML backend: ${r.backend}. ${r.date.slice(0, 10)}.`,
    '',
    '| algo | seed | final eval (10 episodes) | wall clock | updates/s | trained |',
    '|---|---|---|---|---|---|',
    ...r.runs.map(
      (x) =>
        `| ${x.algo} | ${x.seed} | ${x.final.toFixed(1)} +- ${x.finalStd.toFixed(1)} | ${x.wallClockS.toFixed(0)} s | ${x.updatesPerS === null ? '-' : x.updatesPerS.toFixed(0)} | ${x.alone ? 'alone' : 'side by side'} |`,
    ),
    '',
    `Goal (final eval >= ${PENDULUM_GOAL} for every seed): ${r.goalMet ? 'met' : 'NOT met'}.`,
  ];
  const timed = r.runs.find((x) => x.alone);
  if (timed && r.torch.length) {
    lines.push(
      '',
      `Wall clock of TD3 seed 0 with the same settings, each run alone, one after the other: Drive Lab (${r.backend}, 1 thread) ${timed.wallClockS.toFixed(1)} s (worker start to finish).`,
      '',
    );
    lines.push('| PyTorch | threads | BLAS | wall clock (process) | in its loop | its final eval | Drive Lab / PyTorch |', '|---|---|---|---|---|---|---|');
    r.torch.forEach((t, i) =>
      lines.push(
        `| ${t.torch} | ${t.threads} | ${t.blas.filter((b) => /openblas|blas/i.test(b)).join(', ')} | ${t.process_s.toFixed(1)} s | ${t.wall_clock_s.toFixed(1)} s | ${t.final_eval_mean.toFixed(1)} | ${r.ratios[i]!.toFixed(2)}x |`,
      ),
    );
  }
  return lines.join('\n');
}
