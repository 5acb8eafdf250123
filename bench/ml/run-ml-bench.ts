/**
 * `bench ml`: times the Td3 learner's update, the drive pipeline's VAE step and batch-1 actor
 * inference on every backend that loads (each in its own process), and the same models in PyTorch on the CPU in the same run
 * (bench/ml/torch_bench.py under Debian's /usr/bin/python3, when it has torch).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildResult } from './ml-bench-child.js';
import { startCompetitors } from '../competitors.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

/** A backend row: 'wasm' uses the native kernels when built; 'wasm-nonative' forces them off. */
export const BENCH_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'wasm-nonative', 'cpu'] as const;
export type BenchBackend = (typeof BENCH_BACKENDS)[number];

export interface MlBenchOptions {
  backends: BenchBackend[];
  /** Timed TD3 updates per backend (VAE steps: a quarter of it, at least 2; inference: 10x). */
  repeats: number;
  /** Run the VAE step on the pure-JS cpu backend too (minutes per step). */
  cpuVae: boolean;
  /** Skip PyTorch. */
  noTorch: boolean;
  /** Alternate PyTorch and tfjs this many times and report the median of the rounds. */
  rounds: number;
  /** Also time PyTorch with 1 thread (on a busy machine its multi-threaded runs can stall). */
  torchOneThread: boolean;
  /** Fixed threads for the native kernels' large products and convolutions (undefined: chosen by measured speed). */
  blasThreads?: number;
  python: string;
  /** Busy processes run beside a second timing of every backend (0: none); the rows then give the slowdown. */
  competitors?: number;
}

/** The same timings with `competitors` busy processes beside them, and the slowdown against the quiet ones. */
export interface LoadedTimings {
  competitors: number;
  td3_update_ms: number | null;
  vae_step_ms: number | null;
  /** Loaded / quiet median (1.0: no slowdown; a fair share of 2 cores among 1 + 2 busy processes is ~1.5). */
  td3_slowdown: number | null;
  vae_slowdown: number | null;
}

export interface TorchResult {
  torch_version: string;
  threads: number;
  blas: string;
  td3_update_ms: number;
  td3_update_min_ms: number;
  vae_step_ms?: number;
  vae_step_min_ms?: number;
  actor_infer_ms: number;
}

export interface MlBenchRow {
  backend: string;
  td3_update_ms: number | null;
  vae_step_ms: number | null;
  actor_infer_ms: number | null;
  torch_td3_update_ms: number | null;
  torch_vae_step_ms: number | null;
  td3_ratio: number | null;
  vae_ratio: number | null;
  /** Fastest single update/step seen (least disturbed by other load on the machine). */
  td3_update_min_ms: number | null;
  vae_step_min_ms: number | null;
  torch_td3_update_min_ms: number | null;
  torch_vae_step_min_ms: number | null;
  /** The backend's own one-line description (what the engine reports). */
  detail: string;
  /** What the TD3 figure times (empty when the backend did not load). */
  td3_learner: string;
  notes: string[];
  /** With --competitors: the same timings beside that many busy processes. */
  loaded?: LoadedTimings;
}

export interface MlBenchReport {
  machine: string;
  date: string;
  /** 1-minute load average before and after the run (other work on the machine skews timings). */
  load: [number, number];
  torch: (TorchResult & { note?: string }) | { note: string };
  /** PyTorch with 1 thread, when asked for (--torch-1-thread). */
  torchOneThread?: { td3_update_ms: number | null; vae_step_ms: number | null; td3_update_min_ms: number | null; vae_step_min_ms: number | null };
  /** With --competitors: PyTorch's timings beside the busy processes. */
  torchLoaded?: LoadedTimings;
  rows: MlBenchRow[];
}

async function withCompetitors<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const c = startCompetitors(n);
  try {
    // Let the scheduler see them busy before timing.
    await new Promise((r) => setTimeout(r, 500));
    return await fn();
  } finally {
    c.stop();
  }
}

function loadedTimings(n: number, quiet: { td3: number | null; vae: number | null }, loaded: { td3: number | null; vae: number | null }): LoadedTimings {
  return {
    competitors: n,
    td3_update_ms: loaded.td3,
    vae_step_ms: loaded.vae,
    td3_slowdown: ratio(loaded.td3, quiet.td3),
    vae_slowdown: ratio(loaded.vae, quiet.vae),
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onStderr: (s: string) => void, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(cmd, args, { cwd: ROOT, env, maxBuffer: 16 << 20, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${String(stderr).trim().split('\n').at(-1) || err.message}`));
      else resolvePromise(String(stdout));
    });
    child.stderr?.on('data', (d: Buffer) => onStderr(d.toString()));
  });
}

function median(xs: number[]): number | null {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function torchAvailable(python: string): string | null {
  if (!existsSync(python)) return `${python} not found (apt-get install python3-torch; see bench/README.md)`;
  return null;
}

async function runTorch(o: MlBenchOptions, threads: number, progress: (s: string) => void): Promise<TorchResult> {
  const vaeRepeats = Math.max(2, Math.ceil(o.repeats / 4));
  const args = [join(HERE, 'torch_bench.py'), '--threads', String(threads), '--repeats', String(o.repeats), '--vae-repeats', String(vaeRepeats)];
  const out = await run(o.python, args, process.env, progress, 30 * 60_000);
  return JSON.parse(out.trim().split('\n').at(-1)!) as TorchResult;
}

async function runChild(backend: BenchBackend, o: MlBenchOptions, progress: (s: string) => void): Promise<ChildResult> {
  const isCpu = backend === 'cpu';
  const td3 = isCpu ? Math.min(o.repeats, 3) : o.repeats;
  const vae = isCpu && !o.cpuVae ? 0 : isCpu ? 1 : Math.max(2, Math.ceil(o.repeats / 4));
  const infer = isCpu ? Math.min(10 * o.repeats, 50) : 10 * o.repeats;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (backend === 'wasm-nonative') env.DRIVE_LAB_NATIVE = 'off';
  if (o.blasThreads) env.DRIVE_LAB_BLAS_THREADS = String(o.blasThreads);
  const name = backend === 'wasm-nonative' ? 'wasm' : backend;
  const args = ['--import', 'tsx', join(HERE, 'ml-bench-child.ts'), name, String(td3), String(vae), String(infer)];
  const out = await run(process.execPath, args, env, progress, 60 * 60_000);
  return JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
}

const ratio = (a: number | null, b: number | null | undefined) => (a !== null && b !== null && b !== undefined && b > 0 ? a / b : null);

export async function runMlBench(o: MlBenchOptions, progress: (line: string) => void): Promise<MlBenchReport> {
  const loadBefore = loadavg()[0]!;
  const torchMissing = o.noTorch ? 'skipped (--no-torch)' : torchAvailable(o.python);
  const torchRuns: TorchResult[] = [];
  const torch1Runs: TorchResult[] = [];
  let torchError: string | undefined;
  const childRuns = new Map<BenchBackend, ChildResult[]>();
  const loadedRuns = new Map<BenchBackend, ChildResult[]>();
  const torchLoadedRuns: TorchResult[] = [];
  const competitors = o.competitors ?? 0;
  const childErrors = new Map<BenchBackend, string>();
  for (let round = 0; round < o.rounds; round++) {
    if (o.rounds > 1) progress(`round ${round + 1}/${o.rounds}\n`);
    if (!torchMissing && !torchError) {
      progress(`PyTorch (CPU, ${cpus().length} threads)...\n`);
      try {
        torchRuns.push(await runTorch(o, cpus().length, progress));
        if (competitors > 0) {
          progress(`PyTorch beside ${competitors} busy processes...\n`);
          torchLoadedRuns.push(await withCompetitors(competitors, () => runTorch(o, cpus().length, progress)));
        }
        if (o.torchOneThread && cpus().length > 1) {
          progress('PyTorch (CPU, 1 thread)...\n');
          torch1Runs.push(await runTorch(o, 1, progress));
        }
      } catch (e) {
        torchError = `PyTorch failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    for (const b of o.backends) {
      if (childErrors.has(b)) continue;
      progress(`${b}...\n`);
      try {
        const r = await runChild(b, o, progress);
        childRuns.set(b, [...(childRuns.get(b) ?? []), r]);
        if (competitors > 0) {
          progress(`${b} beside ${competitors} busy processes...\n`);
          const l = await withCompetitors(competitors, () => runChild(b, o, progress));
          loadedRuns.set(b, [...(loadedRuns.get(b) ?? []), l]);
        }
      } catch (e) {
        childErrors.set(b, e instanceof Error ? e.message : String(e));
      }
    }
  }
  const torchTd3 = median(torchRuns.map((t) => t.td3_update_ms));
  const torchVae = median(torchRuns.map((t) => t.vae_step_ms ?? NaN));
  const min = (xs: number[]) => (xs.some(Number.isFinite) ? Math.min(...xs.filter(Number.isFinite)) : null);
  const torchTd3Min = min(torchRuns.map((t) => t.td3_update_min_ms));
  const torchVaeMin = min(torchRuns.map((t) => t.vae_step_min_ms ?? NaN));
  const rows: MlBenchRow[] = [];
  for (const b of o.backends) {
    const runs = childRuns.get(b);
    if (!runs) {
      rows.push({
        backend: b,
        td3_update_ms: null,
        vae_step_ms: null,
        actor_infer_ms: null,
        torch_td3_update_ms: torchTd3,
        torch_vae_step_ms: torchVae,
        td3_ratio: null,
        vae_ratio: null,
        td3_update_min_ms: null,
        vae_step_min_ms: null,
        torch_td3_update_min_ms: torchTd3Min,
        torch_vae_step_min_ms: torchVaeMin,
        detail: '',
        td3_learner: '',
        notes: [`did not load: ${(childErrors.get(b) ?? '').replace(/^no ML backend could be loaded \((.*)\)$/, '$1')}`],
      });
      continue;
    }
    const td3 = median(runs.map((r) => r.td3_update_ms ?? NaN));
    const vae = median(runs.map((r) => r.vae_step_ms ?? NaN));
    const notes: string[] = [];
    if (b === 'cpu' && !o.cpuVae) notes.push('VAE step skipped on cpu (minutes per step; --cpu-vae runs one)');
    if (b === 'cpu') notes.push(`TD3 timed ${runs[0]!.td3_samples}x only on cpu (~1 s per update)`);
    if (b === 'wasm-nonative') notes.push("tfjs-wasm with the project's wasm kernels, native addon off");
    if (b === 'wasm' && !/native kernels \(/.test(runs[0]!.detail)) notes.push('native kernels not in use (npm run build:native)');
    rows.push({
      backend: b,
      td3_update_ms: td3,
      vae_step_ms: vae,
      actor_infer_ms: median(runs.map((r) => r.actor_infer_ms ?? NaN)),
      torch_td3_update_ms: torchTd3,
      torch_vae_step_ms: torchVae,
      td3_ratio: ratio(td3, torchTd3),
      vae_ratio: ratio(vae, torchVae),
      td3_update_min_ms: min(runs.map((r) => r.td3_update_min_ms ?? NaN)),
      vae_step_min_ms: min(runs.map((r) => r.vae_step_min_ms ?? NaN)),
      torch_td3_update_min_ms: torchTd3Min,
      torch_vae_step_min_ms: torchVaeMin,
      detail: runs[0]!.detail,
      td3_learner: runs[0]!.td3_learner,
      notes,
      ...(loadedRuns.has(b)
        ? {
            loaded: loadedTimings(
              competitors,
              { td3, vae },
              { td3: median(loadedRuns.get(b)!.map((r) => r.td3_update_ms ?? NaN)), vae: median(loadedRuns.get(b)!.map((r) => r.vae_step_ms ?? NaN)) },
            ),
          }
        : {}),
    });
  }
  const t = torchRuns[0];
  const torch = t
    ? { ...t, td3_update_ms: torchTd3!, vae_step_ms: torchVae ?? undefined, actor_infer_ms: median(torchRuns.map((r) => r.actor_infer_ms))! }
    : { note: torchMissing ?? torchError ?? 'not run' };
  const c = cpus();
  const report: MlBenchReport = {
    machine: `${c.length}-core ${c[0]?.model ?? 'CPU'}, Node ${process.version}`,
    date: new Date().toISOString().slice(0, 10),
    load: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
    torch,
    rows,
  };
  if (torchLoadedRuns.length)
    report.torchLoaded = loadedTimings(
      competitors,
      { td3: torchTd3, vae: torchVae },
      { td3: median(torchLoadedRuns.map((t) => t.td3_update_ms)), vae: median(torchLoadedRuns.map((t) => t.vae_step_ms ?? NaN)) },
    );
  if (torch1Runs.length) {
    report.torchOneThread = {
      td3_update_ms: median(torch1Runs.map((t) => t.td3_update_ms)),
      vae_step_ms: median(torch1Runs.map((t) => t.vae_step_ms ?? NaN)),
      td3_update_min_ms: min(torch1Runs.map((t) => t.td3_update_min_ms)),
      vae_step_min_ms: min(torch1Runs.map((t) => t.vae_step_min_ms ?? NaN)),
    };
  }
  return report;
}
