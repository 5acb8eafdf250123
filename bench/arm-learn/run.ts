/**
 * The robot-arm learning benchmark: TD3 on `arm-reach` (goal: >= 95% success over 100
 * deterministic evaluation episodes within 30,000 env steps, for every seed) or `arm-push`
 * (goal: >= 90% within 300,000 env steps, for every seed). Each seed is one run through the real training loop (Engine ->
 * worker thread -> runTraining) with the env preset (src-shared/config/presets.ts) plus any
 * overrides; runs train `parallel` at a time in worker threads. Success is read from the
 * training loop's own eval lines (`mean_is_success`, the mean of the arm env's
 * info.episode.is_success over the 100 evaluation episodes on the fixed held-out seeds).
 * Writes results.json, curves.json and a learning-curve PNG at the end, and results.partial.json
 * (the runs ended so far) each time a run ends.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunConfigInput, BackendChoice } from '../../src-shared/config/run-config.js';
import type { MetricLine } from '../../src-shared/types.js';
import { Engine } from '../../src-main/services/engine.js';
import { readJsonIfExists } from '../../src-main/core/durable-write.js';
import { deepMerge } from '../../src-main/store/run-store.js';

export type ArmLearnTask = 'reach' | 'push';
/** Final success rate every seed must reach. */
export const ARM_SUCCESS_GOALS: Record<ArmLearnTask, number> = { reach: 0.95, push: 0.9 };

export interface ArmLearnOptions {
  task: ArmLearnTask;
  seeds: number[];
  /** Env steps per run (default: the env preset's). */
  steps?: number;
  /** Env steps between evaluations (each of evalEpisodes episodes). */
  evalEvery: number;
  evalEpisodes: number;
  /** Runs trained at the same time (worker threads). */
  parallel: number;
  /** Extra config on top of the preset (e.g. {env: {control: 'position'}}). */
  overrides: Record<string, unknown>;
  python: string;
  outDir: string;
  backend: BackendChoice;
  log: (line: string) => void;
}

export interface ArmLearnRun {
  id: string;
  seed: number;
  status: string;
  /** Final evaluation: success rate, mean final distance (m), mean return, episodes. */
  finalSuccess: number;
  finalDistance: number;
  finalReturn: number;
  evalEpisodes: number;
  /** First evaluation step with success >= the task's goal (null: never). */
  stepsToGoal: number | null;
  /** Lowest evaluation success from that step on (null: never reached the goal). */
  minAfterGoal: number | null;
  /** Best evaluation success and its step. */
  bestSuccess: number;
  bestStep: number;
  wallClockS: number;
  updatesPerS: number | null;
  /** [step, success rate, mean final distance] of every evaluation. */
  evals: Array<[number, number, number]>;
  /** [step, is_success, final distance] of every training episode (with exploration noise). */
  episodes: Array<[number, number, number]>;
}

export interface ArmLearnResult {
  date: string;
  machine: { cpus: number; model: string; memGiB: number; node: string };
  backend: string;
  task: ArmLearnTask;
  env: string;
  /** The full config of the first run (seed aside, all runs share it). */
  config: unknown;
  parallel: number;
  runs: ArmLearnRun[];
  /** The task's success goal (ARM_SUCCESS_GOALS). */
  goal: number;
  /** Every seed finished with final success >= goal. */
  goalMet: boolean;
  files: { results: string; curves: string; png: string | null };
}

const here = dirname(fileURLToPath(import.meta.url));
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

export async function runArmLearnBench(o: ArmLearnOptions): Promise<ArmLearnResult> {
  mkdirSync(o.outDir, { recursive: true });
  const runsDir = join(o.outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  const env = o.task === 'reach' ? 'arm-reach' : 'arm-push';
  const engine = new Engine({ runsDir, backend: o.backend });
  const client = engine.client();
  const plan: Array<{ id: string; seed: number }> = [];
  for (const seed of o.seeds) {
    const base: RunConfigInput = {
      name: `td3-${env}-seed${seed}`,
      env: { id: env },
      algo: 'td3',
      seed,
      evalEvery: o.evalEvery,
      evalEpisodes: o.evalEpisodes,
      logEvery: 1_000,
      backend: o.backend,
      ...(o.steps === undefined ? {} : { totalSteps: o.steps }),
    };
    const r = await client.request('runs.create', { config: deepMerge(base as Record<string, unknown>, o.overrides) as RunConfigInput });
    plan.push({ id: r.id, seed });
  }
  const config = engine.store.readConfig(plan[0]!.id).config;
  o.log(
    `${env}: ${plan.length} seed(s), ${config.totalSteps} steps each, ${o.parallel} at a time; control ${(config.env as { control?: string }).control}, replay ${config.td3.replay.type}`,
  );

  const progress = new Map<string, number>();
  const latest = new Map<string, number>();
  const offs = [
    client.on('run.progress', (p) => progress.set(p.id, p.step)),
    client.on('run.metric', (m) => {
      if (m.line.kind === 'eval' && typeof m.line.mean_is_success === 'number') latest.set(m.id, m.line.mean_is_success);
    }),
  ];
  const ticker = setInterval(() => {
    const active = plan.filter((p) => engine.training.isActive(p.id));
    if (active.length) {
      o.log(
        `  ${active.map((p) => `seed ${p.seed}: ${progress.get(p.id) ?? 0}/${config.totalSteps}${latest.has(p.id) ? ` (eval success ${(100 * latest.get(p.id)!).toFixed(0)}%)` : ''}`).join(', ')}`,
      );
    }
  }, 60_000);

  const wall = new Map<string, number>();
  /** A finished (or ended) run's figures, read from its folder. */
  const runOf = (p: (typeof plan)[number]): ArmLearnRun => {
    const lines = engine.store.metrics(p.id, 0, 10_000_000).lines as MetricLine[];
    const ev = readJsonIfExists<{ mean_return: number; episodes: number; episode_stats?: Record<string, number> }>(join(engine.store.dir(p.id), 'eval.json'));
    const evals = lines.filter((l) => l.kind === 'eval').map((l): [number, number, number] => [l.step, num(l.mean_is_success), num(l.mean_final_distance)]);
    const first = evals.find((e) => e[1] >= ARM_SUCCESS_GOALS[o.task]);
    const best = evals.reduce((b, e) => (e[1] > b[1] ? e : b), [0, -1, 0] as [number, number, number]);
    const trainLines = lines.filter((l) => l.kind === 'train' && typeof l.updates_per_s === 'number');
    return {
      id: p.id,
      seed: p.seed,
      status: engine.store.readMeta(p.id).status,
      finalSuccess: num(ev?.episode_stats?.is_success),
      finalDistance: num(ev?.episode_stats?.final_distance),
      finalReturn: num(ev?.mean_return),
      evalEpisodes: ev?.episodes ?? 0,
      stepsToGoal: first ? first[0] : null,
      minAfterGoal: first ? Math.min(...evals.filter((e) => e[0] >= first[0]).map((e) => e[1])) : null,
      bestSuccess: best[1],
      bestStep: best[0],
      wallClockS: wall.get(p.id) ?? Number.NaN,
      updatesPerS: trainLines.length ? trainLines.reduce((a, l) => a + (l.updates_per_s as number), 0) / trainLines.length : null,
      evals,
      episodes: lines.filter((l) => l.kind === 'episode').map((l): [number, number, number] => [l.step, num(l.is_success), num(l.final_distance)]),
    };
  };

  const queue = [...plan];
  const ended: typeof plan = [];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(o.parallel, plan.length)) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const t0 = performance.now();
        await client.request('train.start', { id: p.id });
        await engine.training.wait(p.id);
        wall.set(p.id, (performance.now() - t0) / 1000);
        const ev = readJsonIfExists<{ episode_stats?: Record<string, number> }>(join(engine.store.dir(p.id), 'eval.json'));
        const s = ev?.episode_stats?.is_success;
        o.log(
          `seed ${p.seed}: ${engine.store.readMeta(p.id).status} in ${wall.get(p.id)!.toFixed(0)} s, final success ${s === undefined ? '-' : `${(100 * s).toFixed(0)}%`}`,
        );
        // What has ended so far, in case the bench is stopped before the last seed ends.
        ended.push(p);
        writeFileSync(
          join(o.outDir, 'results.partial.json'),
          JSON.stringify({ date: new Date().toISOString(), task: o.task, env, runs: ended.map(runOf) }, null, 2),
        );
      }
    }),
  );
  clearInterval(ticker);
  for (const off of offs) off();

  const runs: ArmLearnRun[] = plan.map(runOf);
  const backend = engine.store.readConfig(plan[0]!.id).backend ?? o.backend;
  await engine.close();

  const result: ArmLearnResult = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    backend,
    task: o.task,
    env,
    config,
    parallel: o.parallel,
    runs,
    goal: ARM_SUCCESS_GOALS[o.task],
    goalMet: runs.every((r) => r.status === 'finished' && r.finalSuccess >= ARM_SUCCESS_GOALS[o.task]),
    files: { results: join(o.outDir, 'results.json'), curves: join(o.outDir, 'curves.json'), png: null },
  };
  writeFileSync(
    result.files.curves,
    JSON.stringify({
      env,
      backend,
      totalSteps: config.totalSteps,
      goal: ARM_SUCCESS_GOALS[o.task],
      runs: runs.map(({ seed, evals, episodes, finalSuccess }) => ({ seed, evals, episodes, finalSuccess })),
    }),
  );
  const png = join(o.outDir, `${env}-learning-curves.png`);
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

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');

/** The markdown rows for bench/RESULTS.md. */
export function formatArmLearnResult(r: ArmLearnResult): string {
  const lines = [
    `Machine: ${r.machine.cpus}-core ${r.machine.model}, ${r.machine.memGiB} GiB, Node ${r.machine.node.replace(/^v/, '')}; ML backend: ${r.backend}; ${r.parallel} run(s) at a time. ${r.date.slice(0, 10)}.`,
    '',
    `| seed | final success (${r.runs[0]?.evalEpisodes ?? 0} episodes) | mean final distance | steps to first >= ${pct(r.goal)} | lowest eval after that | best (step) | wall clock | updates/s |`,
    '|---|---|---|---|---|---|---|---|',
    ...r.runs.map(
      (x) =>
        `| ${x.seed} | ${pct(x.finalSuccess)} | ${Number.isFinite(x.finalDistance) ? `${(100 * x.finalDistance).toFixed(1)} cm` : '-'} | ${x.stepsToGoal === null ? 'never' : x.stepsToGoal.toLocaleString('en-US')} | ${x.minAfterGoal === null ? '-' : pct(x.minAfterGoal)} | ${pct(x.bestSuccess)} (${x.bestStep.toLocaleString('en-US')}) | ${x.wallClockS.toFixed(0)} s | ${x.updatesPerS === null ? '-' : x.updatesPerS.toFixed(0)} |`,
    ),
    '',
    `Goal (final success >= ${pct(r.goal)} for every seed): ${r.goalMet ? 'met' : 'NOT met'}${
      r.runs.some((x) => x.status !== 'finished')
        ? ` (runs not finished: ${r.runs
            .filter((x) => x.status !== 'finished')
            .map((x) => `seed ${x.seed} ${x.status}`)
            .join(', ')})`
        : ''
    }.`,
  ];
  return lines.join('\n');
}
