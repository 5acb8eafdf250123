/**
 * `npm run cli -- bench lane`: speed of the lane simulator.
 * - env steps/s on one core: state, pixels 64x64, pixels 160x80 (a noisy lane-keeping driver,
 *   so episodes look like training: mostly driving, sometimes a reset)
 * - the share of a step spent in physics, camera and the rest (reward, termination, obs)
 * - reset cost (a new road: generation, scene, camera tables) and camera-only frames/s
 * - all cores: a WorkerVecEnv with one worker per core
 * - the machine's state (a reference loop and the load average), since shared machines are noisy
 * Prints a markdown table for bench/RESULTS.md (--json for machine-readable output).
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LaneEnvConfig, type LaneEnvConfigInput } from '../../../../src-shared/config/envs/lane.js';
import { Rng } from '../../../core/rng.js';
import { LaneEnv } from '../../../sim/lane/lane-env.js';
import { tileFrames, writePng } from '../../../sim/lane/png.js';
import { WorkerVecEnv } from '../../../sim/worker-vec-env.js';
import { globalOptions, intOption, output } from '../../context.js';

interface ModeResult {
  mode: string;
  /** Wall clock (includes waiting for a CPU on a shared machine). */
  stepsPerS: number;
  usPerStep: number;
  /** Per CPU-second of this process (what one core delivers when it is not shared). */
  stepsPerCpuS: number;
  physicsPct: number;
  cameraPct: number;
  otherPct: number;
  resets: number;
}

/** ns per iteration of a fixed float/byte loop: the machine's speed right now. */
function referenceLoopNs(): number {
  const n = 4096;
  const a = new Float64Array(n).map((_, i) => (i * 0.37) % 1.3);
  const o = new Uint8Array(n);
  let best = Infinity;
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    for (let k = 0; k < 200; k++) for (let i = 0; i < n; i++) o[i] = (Math.floor(a[i]! * 7.3 + k) & 63) + ((a[i]! * 255) | 0);
    best = Math.min(best, ((performance.now() - t0) * 1e6) / (200 * n));
  }
  return best;
}

/** A lane-keeping driver with Gaussian steering noise, from the env's own state. */
function driver(env: LaneEnv, rng: Rng, noise: number, out: Float32Array): Float32Array {
  const st = env.laneState;
  const a = -0.5 * st.offset - 2 * st.headingError + noise * rng.normal();
  out[0] = a > 1 ? 1 : a < -1 ? -1 : a;
  return out;
}

function measureMode(name: string, input: LaneEnvConfigInput, steps: number): ModeResult {
  const env = new LaneEnv(LaneEnvConfig.parse(input));
  const rng = new Rng(1);
  const act = new Float32Array(1);
  env.reset(1);
  const run = (n: number): number => {
    let resets = 0;
    for (let i = 0; i < n; i++) {
      const r = env.step(driver(env, rng, 0.15, act));
      if (r.terminated || r.truncated) {
        env.reset();
        resets++;
      }
    }
    return resets;
  };
  run(Math.min(2000, steps / 5)); // warm up the JIT
  // Throughput without instrumentation, best of 3 chunks (the machine is shared).
  let best = Infinity;
  let bestCpu = Infinity;
  let resets = 0;
  const chunk = Math.ceil(steps / 3);
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    resets += run(chunk);
    best = Math.min(best, (performance.now() - t0) / chunk);
    const c = process.cpuUsage(c0);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000 / chunk);
  }
  // Shares with instrumentation.
  env.profiling = true;
  const t = env.timing;
  t.physics = t.camera = t.other = t.steps = 0;
  run(chunk);
  const total = t.physics + t.camera + t.other;
  return {
    mode: name,
    stepsPerS: 1000 / best,
    usPerStep: best * 1000,
    stepsPerCpuS: 1000 / bestCpu,
    physicsPct: (100 * t.physics) / total,
    cameraPct: (100 * t.camera) / total,
    otherPct: (100 * t.other) / total,
    resets,
  };
}

function measureResets(input: LaneEnvConfigInput, n: number): number {
  const env = new LaneEnv(LaneEnvConfig.parse(input));
  env.reset(0);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) env.reset();
  return (performance.now() - t0) / n;
}

function measureCamera(width: number, height: number, frames: number): number {
  const env = new LaneEnv(LaneEnvConfig.parse({ id: 'lane', obs: 'state', camera: { width, height } }));
  env.reset(3);
  const act = new Float32Array(1);
  const rng = new Rng(2);
  let best = Infinity;
  for (let k = 0; k < 4; k++) {
    let ms = 0;
    for (let i = 0; i < frames / 4; i++) {
      const r = env.step(driver(env, rng, 0.1, act));
      if (r.terminated || r.truncated) env.reset();
      const t0 = performance.now();
      env.frame();
      ms += performance.now() - t0;
    }
    best = Math.min(best, ms / (frames / 4));
  }
  return 1000 / best;
}

/** Steps per second of a WorkerVecEnv under random actions, and the mean episode length (steps) they gave. */
async function measureVec(
  input: LaneEnvConfigInput,
  workers: number,
  numEnvs: number,
  seconds: number,
): Promise<{ stepsPerS: number; meanEpisodeSteps: number }> {
  const vec = await WorkerVecEnv.create(LaneEnvConfig.parse(input), { numEnvs, workers, seed: 5 });
  try {
    vec.reset();
    const actions = new Float32Array(numEnvs * vec.actDim);
    const rng = new Rng(3);
    let ends = 0;
    const stepAll = () => {
      for (let i = 0; i < actions.length; i++) actions[i] = 0.3 * rng.normal();
      const r = vec.step(actions);
      for (let i = 0; i < numEnvs; i++) ends += r.terminated[i]! | r.truncated[i]!;
    };
    for (let i = 0; i < 200; i++) stepAll();
    ends = 0;
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      stepAll();
      n++;
    }
    return { stepsPerS: (n * numEnvs * 1000) / (performance.now() - t0), meanEpisodeSteps: (n * numEnvs) / Math.max(1, ends) };
  } finally {
    await vec.close();
  }
}

function saveFrames(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [w, h] of [
    [64, 64],
    [160, 80],
  ] as const) {
    const frames: Uint8Array[] = [];
    for (let k = 0; k < 8; k++) {
      const seed = 1_000_000 + k;
      const env = new LaneEnv(LaneEnvConfig.parse({ id: 'lane', obs: 'state', camera: { width: w, height: h } }));
      env.reset(seed, { roadSeed: seed, offset: 0, headingError: 0 });
      const act = new Float32Array(1);
      const rng = new Rng(k);
      for (let i = 0; i < 60 * k; i++) {
        const r = env.step(driver(env, rng, 0, act));
        if (r.terminated || r.truncated) break;
      }
      frames.push(env.frame().slice());
    }
    const t = tileFrames(frames, w, h, 4);
    const path = join(dir, `lane-camera-${w}x${h}.png`);
    writePng(path, t.rgb, t.width, t.height, w <= 64 ? 2 : 1);
    written.push(path);
  }
  return written;
}

export function register(bench: Command): void {
  bench
    .command('lane')
    .description('Lane simulator speed: steps/s for state and pixels (64x64, 160x80), time shares, resets, camera, all cores through workers.')
    .option('--steps <n>', 'env steps per single-core measurement (pixels 160x80 uses a quarter)', '15000')
    .option('--seconds <s>', 'seconds per all-cores measurement', '8')
    .option('--frames <dir>', 'also save camera frame grids (PNG) into this folder')
    .action(async (o: { steps: string; seconds: string; frames?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const steps = intOption('--steps', o.steps, 100)!;
      const seconds = Number(o.seconds) > 0 ? Number(o.seconds) : 8;
      const log = (m: string) => {
        if (!g.json) process.stderr.write(m + '\n');
      };
      const machine = {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        node: process.version,
        loadAverage1m: loadavg()[0]!,
        referenceLoopNsBefore: referenceLoopNs(),
      };
      log(`machine: ${machine.cores} cores, load ${machine.loadAverage1m.toFixed(2)}, reference loop ${machine.referenceLoopNsBefore.toFixed(2)} ns`);
      const modes: ModeResult[] = [];
      for (const [name, input, n] of [
        ['state', { id: 'lane', obs: 'state' }, steps],
        ['pixels 64x64', { id: 'lane', obs: 'pixels' }, steps],
        ['pixels 160x80', { id: 'lane', obs: 'pixels', camera: { width: 160, height: 80 } }, Math.ceil(steps / 4)],
      ] as Array<[string, LaneEnvConfigInput, number]>) {
        log(`single core: ${name} ...`);
        modes.push(measureMode(name, input, n));
      }
      log('resets and camera ...');
      const resetMs = { state: measureResets({ id: 'lane', obs: 'state' }, 40), pixels64: measureResets({ id: 'lane', obs: 'pixels' }, 40) };
      const cameraFps = { '64x64': measureCamera(64, 64, 4000), '160x80': measureCamera(160, 80, 1000) };
      const cores = availableParallelism();
      log(`all cores: ${cores} workers ...`);
      const vec = {
        workers: cores,
        numEnvs: 2 * cores,
        pixels64OneWorker: await measureVec({ id: 'lane', obs: 'pixels' }, 1, 2, seconds),
        pixels64AllWorkers: await measureVec({ id: 'lane', obs: 'pixels' }, cores, 2 * cores, seconds),
        stateAllWorkers: await measureVec({ id: 'lane', obs: 'state' }, cores, 2 * cores, seconds),
      };
      const framesWritten = o.frames ? saveFrames(o.frames) : [];
      const result = {
        date: new Date().toISOString(),
        machine: { ...machine, loadAverage1mAfter: loadavg()[0]!, referenceLoopNsAfter: referenceLoopNs() },
        modes,
        resetMs,
        cameraFps,
        vec,
        framesWritten,
      };
      output(g, result, () =>
        [
          `Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; load average ${machine.loadAverage1m.toFixed(1)} -> ${result.machine.loadAverage1mAfter.toFixed(1)}; reference loop ${machine.referenceLoopNsBefore.toFixed(2)} -> ${result.machine.referenceLoopNsAfter.toFixed(2)} ns/iteration`,
          '',
          '| env (one core) | steps/s (wall) | steps per CPU-second | us/step (wall) | physics | camera | rest |',
          '|---|---:|---:|---:|---:|---:|---:|',
          ...modes.map(
            (m) =>
              `| ${m.mode} | ${m.stepsPerS.toFixed(0)} | ${m.stepsPerCpuS.toFixed(0)} | ${m.usPerStep.toFixed(1)} | ${m.physicsPct.toFixed(0)}% | ${m.cameraPct.toFixed(0)}% | ${m.otherPct.toFixed(0)}% |`,
          ),
          '',
          `Reset (new road, scene and tables): ${resetMs.state.toFixed(2)} ms (state), ${resetMs.pixels64.toFixed(2)} ms (pixels 64x64).`,
          `Camera alone: ${cameraFps['64x64'].toFixed(0)} frames/s at 64x64, ${cameraFps['160x80'].toFixed(0)} frames/s at 160x80.`,
          `WorkerVecEnv (random actions: episodes of ~${vec.pixels64AllWorkers.meanEpisodeSteps.toFixed(0)} steps, so resets weigh more than in the runs above), pixels 64x64: ${vec.pixels64OneWorker.stepsPerS.toFixed(0)} steps/s with 1 worker (2 envs), ${vec.pixels64AllWorkers.stepsPerS.toFixed(0)} steps/s with ${vec.workers} workers (${vec.numEnvs} envs); state: ${vec.stateAllWorkers.stepsPerS.toFixed(0)} steps/s with ${vec.workers} workers.`,
          ...framesWritten.map((f) => `wrote ${f}`),
        ].join('\n'),
      );
    });
}
