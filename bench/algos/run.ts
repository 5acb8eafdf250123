/**
 * The algorithm-families learning benchmark (`bench algos`): each case trains one algorithm on
 * one env for its budget, N seeds, through the engine as the app does (worker threads, the env
 * and algorithm presets); goal: the final deterministic evaluation (eval.json, 10 episodes on
 * held-out seeds) reaches the case's threshold for every seed. RL Baselines3 Zoo's figures are
 * reported beside ours. Seeds are drawn at random unless given. Writes results.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { AlgoId } from '../../src-shared/config/algo.js';
import type { EnvId } from '../../src-shared/config/envs/index.js';
import type { BackendChoice } from '../../src-shared/config/run-config.js';
import { Engine } from '../../src-main/services/engine.js';
import { readJsonIfExists } from '../../src-main/core/durable-write.js';

export interface AlgoBenchCase {
  /** Name on the command line: "<algo>-<env>". */
  name: string;
  algo: AlgoId;
  env: EnvId;
  steps: number;
  /** Final deterministic eval mean return every seed must reach. */
  goal: number;
  /** RL Zoo's reported figure for the same env and budget. */
  zoo: string;
}

/** The cases of the issue's table this bench knows (other families add theirs here). */
export const ALGO_BENCH_CASES: AlgoBenchCase[] = [
  { name: 'dqn-cartpole', algo: 'dqn', env: 'cartpole', steps: 50_000, goal: 475, zoo: 'DQN 500 at 50k' },
  { name: 'rainbow-cartpole', algo: 'rainbow', env: 'cartpole', steps: 50_000, goal: 475, zoo: '- (no Rainbow in rl-zoo; DQN 500 at 50k)' },
  { name: 'dqn-mountaincar', algo: 'dqn', env: 'mountaincar-discrete', steps: 120_000, goal: -110, zoo: 'DQN -103 at 120k' },
];

export interface AlgoBenchOptions {
  cases: AlgoBenchCase[];
  seeds: number[];
  /** Runs trained side by side (worker threads). */
  parallel: number;
  /** Overrides every case's budget (quick checks); absent: the case's. */
  steps?: number;
  outDir: string;
  backend: BackendChoice;
  log: (line: string) => void;
}

export interface AlgoBenchRun {
  case: string;
  algo: AlgoId;
  env: EnvId;
  seed: number;
  steps: number;
  status: string;
  final: number;
  finalStd: number;
  wallClockS: number;
  evals: Array<[number, number]>;
}

export interface AlgoBenchResult {
  date: string;
  machine: { cpus: number; model: string; memGiB: number; node: string };
  backend: string;
  parallel: number;
  seeds: number[];
  runs: AlgoBenchRun[];
  cases: Array<AlgoBenchCase & { finals: number[]; met: boolean }>;
  goalMet: boolean;
}

/** Seeds drawn at random (say so in RESULTS.md). */
export function randomSeeds(n: number): number[] {
  return Array.from({ length: n }, () => Math.floor(Math.random() * 2 ** 31));
}

export async function runAlgoBench(o: AlgoBenchOptions): Promise<AlgoBenchResult> {
  mkdirSync(o.outDir, { recursive: true });
  const runsDir = join(o.outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  const engine = new Engine({ runsDir, backend: o.backend });
  const client = engine.client();
  const plan: Array<{ id: string; c: AlgoBenchCase; seed: number; steps: number }> = [];
  for (const c of o.cases) {
    for (const seed of o.seeds) {
      const steps = o.steps ?? c.steps;
      const r = await client.request('runs.create', {
        config: {
          name: `${c.name}-seed${seed}`,
          env: { id: c.env },
          algo: c.algo,
          seed,
          totalSteps: steps,
          evalEvery: Math.max(1, Math.floor(steps / 10)),
          backend: o.backend,
        },
      });
      plan.push({ id: r.id, c, seed, steps });
    }
  }
  const progress = new Map<string, number>();
  const offProgress = client.on('run.progress', (p) => progress.set(p.id, p.step));
  const ticker = setInterval(() => {
    const active = plan.filter((p) => engine.training.isActive(p.id));
    if (active.length) o.log(`  ${active.map((p) => `${p.c.name} seed ${p.seed}: ${progress.get(p.id) ?? 0}/${p.steps}`).join(', ')}`);
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
          `${p.c.name} seed ${p.seed}: ${engine.store.readMeta(p.id).status} in ${wall.get(p.id)!.toFixed(0)} s, final eval ${ev ? ev.mean_return.toFixed(1) : '-'}`,
        );
      }
    }),
  );
  clearInterval(ticker);
  offProgress();
  const runs: AlgoBenchRun[] = plan.map((p) => {
    const ev = readJsonIfExists<{ mean_return: number; std_return: number }>(join(engine.store.dir(p.id), 'eval.json'));
    const lines = engine.store.metrics(p.id, 0, 1_000_000).lines;
    return {
      case: p.c.name,
      algo: p.c.algo,
      env: p.c.env,
      seed: p.seed,
      steps: p.steps,
      status: engine.store.readMeta(p.id).status,
      final: ev?.mean_return ?? Number.NaN,
      finalStd: ev?.std_return ?? Number.NaN,
      wallClockS: wall.get(p.id) ?? Number.NaN,
      evals: lines.filter((l) => l.kind === 'eval').map((l) => [l.step, l.mean_return as number]),
    };
  });
  const backend = plan.length ? (engine.store.readConfig(plan[0]!.id).backend ?? o.backend) : o.backend;
  await engine.close();
  const cases = o.cases.map((c) => {
    const mine = runs.filter((r) => r.case === c.name);
    return { ...c, finals: mine.map((r) => r.final), met: mine.length > 0 && mine.every((r) => r.status === 'finished' && r.final >= c.goal) };
  });
  const result: AlgoBenchResult = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    backend,
    parallel: o.parallel,
    seeds: o.seeds,
    runs,
    cases,
    goalMet: cases.every((c) => c.met),
  };
  writeFileSync(join(o.outDir, 'results.json'), JSON.stringify(result, null, 2));
  return result;
}

/** The markdown rows for bench/RESULTS.md. */
export function formatAlgoResult(r: AlgoBenchResult): string {
  return [
    `Machine: ${r.machine.cpus}-core ${r.machine.model}, ${r.machine.memGiB} GiB, Node ${r.machine.node.replace(/^v/, '')}; ML backend: ${r.backend}; ${r.parallel} run(s) side by side. ${r.date.slice(0, 10)}. Seeds: ${r.seeds.join(', ')}.`,
    '',
    '| case | seed | steps | final eval (10 episodes) | wall clock | status |',
    '|---|---|---|---|---|---|',
    ...r.runs.map(
      (x) => `| ${x.case} | ${x.seed} | ${x.steps} | ${x.final.toFixed(1)} +- ${x.finalStd.toFixed(1)} | ${x.wallClockS.toFixed(0)} s | ${x.status} |`,
    ),
    '',
    '| case | goal | ours (per seed) | met | RL Zoo |',
    '|---|---|---|---|---|',
    ...r.cases.map((c) => `| ${c.name} | >= ${c.goal} | ${c.finals.map((f) => f.toFixed(1)).join(', ')} | ${c.met ? 'yes' : 'no'} | ${c.zoo} |`),
  ].join('\n');
}
