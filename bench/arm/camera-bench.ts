/**
 * The arm camera's speed (`npm run cli -- bench arm --camera-frames N`): frames per second of CPU
 * time (one core) of the headless table camera at a given size, rendering poses recorded along
 * scripted push episodes (the arm over the table, the cube in view), and control steps per CPU
 * second of arm-push with the pixels observation (physics + camera) beside the state observation.
 */
import { EnvConfig } from '../../src-shared/config/envs/index.js';
import { Rng } from '../../src-main/core/rng.js';
import type { ArmEnv } from '../../src-main/sim/arm/arm-env.js';
import { ArmCamera } from '../../src-main/sim/arm/camera.js';
import { scriptedPolicy } from '../../src-main/sim/arm/scripted.js';
import { makeEnv } from '../../src-main/sim/registry.js';
import type { Env } from '../../src-main/sim/env.js';

export interface ArmCameraBenchRow {
  size: number;
  framesPerCpuS: number;
  /** arm-push control steps per CPU second, random actions: pixels observation and state observation. */
  pixelsStepsPerCpuS: number;
  stateStepsPerCpuS: number;
}

const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

function stepsPerCpuS(env: Env, steps: number, seed: number): number {
  const rng = new Rng(seed);
  const action = new Float32Array(env.actionSpace.shape[0]!);
  env.reset(seed);
  const cpu0 = process.cpuUsage();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < action.length; i++) action[i] = rng.uniform(-1, 1);
    const r = env.step(action);
    if (r.terminated || r.truncated) env.reset();
  }
  return steps / cpuSeconds(cpu0);
}

export function runArmCameraBench(frames: number, sizes: readonly number[] = [64], seed = 0): ArmCameraBenchRow[] {
  // Poses along scripted push episodes.
  const env = makeEnv(EnvConfig.parse({ id: 'arm-push' })) as ArmEnv;
  const policy = scriptedPolicy('arm-push', 'velocity');
  const poses: Float64Array[] = [];
  const act = new Float32Array(5);
  for (let ep = 0; ep < 4; ep++) {
    let obs = env.reset(seed + ep).obs;
    for (let t = 0; t < 50; t++) {
      const p = new Float64Array(7 * 7);
      env.arm.writePoses(p);
      poses.push(p);
      obs = env.step(policy.act(obs, act)).obs;
    }
  }
  return sizes.map((size) => {
    const cam = new ArmCamera({ width: size, height: size }, true);
    for (let i = 0; i < 50; i++) cam.render(poses[i % poses.length]!);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < frames; i++) cam.render(poses[i % poses.length]!);
    const framesPerCpuS = frames / cpuSeconds(cpu0);
    const steps = Math.max(200, Math.round(frames / 2));
    return {
      size,
      framesPerCpuS,
      pixelsStepsPerCpuS: stepsPerCpuS(makeEnv(EnvConfig.parse({ id: 'arm-push', obs: 'pixels', cameraSize: size })), steps, seed),
      stateStepsPerCpuS: stepsPerCpuS(makeEnv(EnvConfig.parse({ id: 'arm-push' })), steps, seed),
    };
  });
}

export function armCameraBenchTable(rows: readonly ArmCameraBenchRow[]): string {
  return [
    '| camera size | frames/s (1 core, CPU time) | arm-push pixels obs: steps/s (CPU) | arm-push state obs: steps/s (CPU) |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.size}x${r.size} | ${r.framesPerCpuS.toFixed(0)} | ${r.pixelsStepsPerCpuS.toFixed(0)} | ${r.stateStepsPerCpuS.toFixed(0)} |`),
  ].join('\n');
}
