/**
 * The arm benchmark (`npm run cli -- bench arm`): control steps per second on one core for both
 * tasks and both control modes, under random actions (the arm flailing and hitting the table:
 * the expensive case) and under the scripted controllers (typical task motion), plus the
 * scripted controllers' success over held-out seeds, which shows each task is solvable in its
 * 50-step episodes.
 */
import { cpus } from 'node:os';
import type { ArmEnvId } from '../../src-shared/config/envs/arm.js';
import { EnvConfig } from '../../src-shared/config/envs/index.js';
import { Rng } from '../../src-main/core/rng.js';
import type { ArmEnv } from '../../src-main/sim/arm/arm-env.js';
import type { ArmControlMode } from '../../src-main/sim/arm/arm-world.js';
import { runEpisodes } from '../../src-main/sim/arm/rollout.js';
import { scriptedPolicy } from '../../src-main/sim/arm/scripted.js';
import { makeEnv } from '../../src-main/sim/registry.js';

export interface ArmBenchOptions {
  /** Control steps of random actions per task and mode. */
  steps: number;
  /** Scripted episodes per task and mode. */
  episodes: number;
  seed: number;
  /** Called with progress (done, total, label). */
  progress?: (done: number, total: number, label: string) => void;
}

export interface ArmBenchRow {
  env: ArmEnvId;
  control: ArmControlMode;
  /** Random actions: control steps per second of CPU time (one core) and of wall time. */
  randomStepsPerCpuS: number;
  randomStepsPerWallS: number;
  /** Largest hinge separation seen after any control step of the random run (m). */
  randomMaxHingeSeparation: number;
  /** Scripted controller: steps per CPU second, success rate and mean final distance (m). */
  scriptedStepsPerCpuS: number;
  scriptedSuccessRate: number;
  scriptedMeanFinalDistance: number;
  scriptedEpisodes: number;
}

export interface ArmBenchResult {
  date: string;
  machine: string;
  node: string;
  physicsHz: number;
  controlHz: number;
  rows: ArmBenchRow[];
}

const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

export function runArmBench(options: ArmBenchOptions): ArmBenchResult {
  const rows: ArmBenchRow[] = [];
  const combos: Array<[ArmEnvId, ArmControlMode]> = [
    ['arm-reach', 'position'],
    ['arm-reach', 'velocity'],
    ['arm-push', 'position'],
    ['arm-push', 'velocity'],
  ];
  let controlHz = 0;
  combos.forEach(([id, control], index) => {
    const env = makeEnv(EnvConfig.parse({ id, control })) as ArmEnv;
    controlHz = 1 / env.controlDtS;
    options.progress?.(index, combos.length, `${id} ${control}`);

    // Random actions, uniform each step, episodes of 50 steps.
    const rng = new Rng(options.seed);
    const action = new Float32Array(env.actionSpace.shape[0]!);
    let maxSeparation = 0;
    env.reset(options.seed);
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let t = 0; t < options.steps; t++) {
      for (let i = 0; i < action.length; i++) action[i] = rng.uniform(-1, 1);
      const r = env.step(action);
      maxSeparation = Math.max(maxSeparation, env.arm.jointSeparation());
      if (r.terminated || r.truncated) env.reset();
    }
    const randomCpu = cpuSeconds(cpu0);
    const randomWall = (performance.now() - wall0) / 1000;

    const cpu1 = process.cpuUsage();
    const stats = runEpisodes(env, scriptedPolicy(id, control), options.episodes, options.seed + 1_000_000);
    const scriptedCpu = cpuSeconds(cpu1);
    rows.push({
      env: id,
      control,
      randomStepsPerCpuS: options.steps / randomCpu,
      randomStepsPerWallS: options.steps / randomWall,
      randomMaxHingeSeparation: maxSeparation,
      scriptedStepsPerCpuS: stats.steps / scriptedCpu,
      scriptedSuccessRate: stats.successRate,
      scriptedMeanFinalDistance: stats.meanFinalDistance,
      scriptedEpisodes: stats.episodes,
    });
  });
  options.progress?.(combos.length, combos.length, 'done');
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}`,
    node: process.version,
    physicsHz: 240,
    controlHz,
    rows,
  };
}

/** The result as a Markdown table (the format of bench/RESULTS.md). */
export function armBenchTable(result: ArmBenchResult): string {
  const head =
    '| env | control | random: steps/s (1 core, CPU time) | random: steps/s (wall) | max hinge gap | scripted: steps/s (CPU) | scripted success | mean final distance |\n' +
    '|---|---|---|---|---|---|---|---|';
  const rows = result.rows.map(
    (r) =>
      `| ${r.env} | ${r.control} | ${r.randomStepsPerCpuS.toFixed(0)} | ${r.randomStepsPerWallS.toFixed(0)} | ${(r.randomMaxHingeSeparation * 1000).toFixed(2)} mm | ` +
      `${r.scriptedStepsPerCpuS.toFixed(0)} | ${(r.scriptedSuccessRate * 100).toFixed(0)}% of ${r.scriptedEpisodes} | ${(r.scriptedMeanFinalDistance * 100).toFixed(1)} cm |`,
  );
  return [
    `${result.date}, ${result.machine}, Node ${result.node}; physics ${result.physicsHz} Hz, control ${result.controlHz.toFixed(0)} Hz (one control step = ${(result.physicsHz / result.controlHz).toFixed(0)} physics steps)`,
    '',
    head,
    ...rows,
  ].join('\n');
}
