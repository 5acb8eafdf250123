/**
 * `bench algos`: trains each chosen entry (bench/algos/entries.ts) on N seeds, drawn at random
 * unless given, `parallel` runs at a time in the engine's worker threads, and checks each run's
 * final deterministic evaluation (eval.json: the actor without noise on the held-out seeds)
 * against the entry's goal. Writes results.json in the output folder.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '../../src-shared/config/run-config.js';
import { Engine } from '../../src-main/services/engine.js';
import { readJsonIfExists } from '../../src-main/core/durable-write.js';
import type { AlgoBenchEntry } from './entry.js';

export interface AlgoBenchOptions {
  entries: AlgoBenchEntry[];
  /** Seeds of every entry; drawn at random when absent. */
  seeds?: number[];
  seedCount: number;
  parallel: number;
  outDir: string;
  backend: BackendChoice;
  log: (line: string) => void;
}

export interface AlgoBenchRun {
  entry: string;
  algo: string;
  seed: number;
  status: string;
  final: number;
  finalStd: number;
  /** The entry's goalStat of the final evaluation (absent when the goal is the mean return). */
  goalStat?: number;
  evals: Array<[number, number]>;
  wallClockS: number;
  passed: boolean;
}

export interface AlgoBenchResult {
  date: string;
  machine: { cpus: number; model: string; memGiB: number; node: string; loadAvgStart: number; loadAvgEnd: number };
  backend: string;
  seeds: number[];
  seedsDrawnAtRandom: boolean;
  parallel: number;
  entries: Array<{ id: string; algo: string; goal: number; goalStat?: string; reference: string; passed: number; runs: number }>;
  runs: AlgoBenchRun[];
  goalMet: boolean;
  file: string;
}

export async function runAlgoBench(o: AlgoBenchOptions): Promise<AlgoBenchResult> {
  mkdirSync(o.outDir, { recursive: true });
  const runsDir = join(o.outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  const drawn = o.seeds === undefined;
  const seeds = o.seeds ?? Array.from({ length: o.seedCount }, () => randomInt(0, 2 ** 31 - 1));
  o.log(`seeds ${drawn ? 'drawn at random' : 'given'}: ${seeds.join(', ')}`);
  const loadStart = loadavg()[0]!;
  const engine = new Engine({ runsDir, backend: o.backend });
  const client = engine.client();
  const plan: Array<{ id: string; entry: AlgoBenchEntry; seed: number }> = [];
  for (const entry of o.entries) {
    for (const seed of seeds) {
      const config = { name: `${entry.id}-seed${seed}`, ...entry.config, algo: entry.algo, seed, backend: o.backend };
      const r = await client.request('runs.create', { config });
      plan.push({ id: r.id, entry, seed });
    }
  }
  const progress = new Map<string, number>();
  const offProgress = client.on('run.progress', (p) => progress.set(p.id, p.step));
  const ticker = setInterval(() => {
    const active = plan.filter((p) => engine.training.isActive(p.id));
    if (active.length) o.log(`  ${active.map((p) => `${p.entry.id} seed ${p.seed}: ${progress.get(p.id) ?? 0}`).join(', ')}`);
  }, 60_000);
  const wall = new Map<string, number>();
  const queue = [...plan];
  await Promise.all(
    Array.from({ length: Math.max(1, o.parallel) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const t0 = performance.now();
        await client.request('train.start', { id: p.id });
        await engine.training.wait(p.id);
        wall.set(p.id, (performance.now() - t0) / 1000);
        const ev = readJsonIfExists<{ mean_return: number }>(join(engine.store.dir(p.id), 'eval.json'));
        o.log(
          `${p.entry.id} seed ${p.seed}: ${engine.store.readMeta(p.id).status} in ${wall.get(p.id)!.toFixed(0)} s, final eval ${ev ? ev.mean_return.toFixed(1) : '-'}`,
        );
      }
    }),
  );
  clearInterval(ticker);
  offProgress();
  const runs: AlgoBenchRun[] = plan.map((p) => {
    const ev = readJsonIfExists<{ mean_return: number; std_return: number; episode_stats?: Record<string, number> }>(join(engine.store.dir(p.id), 'eval.json'));
    const lines = engine.store.metrics(p.id, 0, 1_000_000).lines;
    const status = engine.store.readMeta(p.id).status;
    const final = ev?.mean_return ?? Number.NaN;
    const stat = p.entry.goalStat === undefined ? undefined : (ev?.episode_stats?.[p.entry.goalStat] ?? Number.NaN);
    return {
      entry: p.entry.id,
      algo: p.entry.algo,
      seed: p.seed,
      status,
      final,
      finalStd: ev?.std_return ?? Number.NaN,
      ...(stat === undefined ? {} : { goalStat: stat }),
      evals: lines.filter((l) => l.kind === 'eval').map((l) => [l.step, l.mean_return as number]),
      wallClockS: wall.get(p.id) ?? Number.NaN,
      passed: status === 'finished' && (stat ?? final) >= p.entry.goal,
    };
  });
  const backend = engine.store.readConfig(plan[0]!.id).backend ?? o.backend;
  await engine.close();
  const file = join(o.outDir, 'results.json');
  const result: AlgoBenchResult = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAvgStart: loadStart,
      loadAvgEnd: loadavg()[0]!,
    },
    backend,
    seeds,
    seedsDrawnAtRandom: drawn,
    parallel: o.parallel,
    entries: o.entries.map((e) => {
      const mine = runs.filter((r) => r.entry === e.id);
      return {
        id: e.id,
        algo: e.algo,
        goal: e.goal,
        ...(e.goalStat ? { goalStat: e.goalStat } : {}),
        reference: e.reference,
        passed: mine.filter((r) => r.passed).length,
        runs: mine.length,
      };
    }),
    runs,
    goalMet: runs.every((r) => r.passed),
    file,
  };
  writeFileSync(file, JSON.stringify(result, null, 2));
  return result;
}

/** Markdown for bench/RESULTS.md. */
export function formatAlgoBench(r: AlgoBenchResult): string {
  const m = r.machine;
  return [
    `Machine: ${m.cpus}-core ${m.model}, ${m.memGiB} GiB, Node ${m.node.replace(/^v/, '')}; ML backend: ${r.backend}; ${r.parallel} run(s) at a time; load average ${m.loadAvgStart.toFixed(1)} -> ${m.loadAvgEnd.toFixed(1)}. ${r.date.slice(0, 16).replace('T', ' ')} UTC.`,
    `Seeds (${r.seedsDrawnAtRandom ? 'drawn at random' : 'given'}): ${r.seeds.join(', ')}.`,
    '',
    '| entry | seed | final eval (mean +- std over episodes) | evaluations (step: mean) | wall clock | goal |',
    '|---|---|---|---|---|---|',
    ...r.runs.map((x) => {
      const e = r.entries.find((y) => y.id === x.entry)!;
      const goal = e.goalStat ? `${e.goalStat} >= ${e.goal}, got ${x.goalStat?.toFixed(2)}` : `>= ${e.goal}`;
      const evals = x.evals.map(([s, v]) => `${s / 1000}k: ${v.toFixed(0)}`).join(', ');
      return `| ${x.entry} | ${x.seed} | ${x.final.toFixed(1)} +- ${x.finalStd.toFixed(1)} | ${evals} | ${x.wallClockS.toFixed(0)} s | ${x.passed ? 'met' : `NOT met (${x.status}, ${goal})`} |`;
    }),
    '',
    ...r.entries.map((e) => `- ${e.id}: ${e.passed}/${e.runs} seeds reach ${e.goalStat ? `${e.goalStat} ` : ''}>= ${e.goal} (${e.reference}).`),
  ].join('\n');
}
