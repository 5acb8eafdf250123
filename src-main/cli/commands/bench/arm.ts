/** `npm run cli -- bench arm`: robot-arm simulator speed and scripted-controller success. */
import type { Command } from 'commander';
import { armBenchTable, runArmBench } from '../../../../bench/arm/arm-bench.js';
import { armCameraBenchTable, runArmCameraBench } from '../../../../bench/arm/camera-bench.js';
import { globalOptions, intOption, output, Progress } from '../../context.js';

export function register(bench: Command): void {
  bench
    .command('arm')
    .description('Robot arm: control steps per second on one core (arm-reach, arm-push; position and velocity control) and scripted-controller success rates.')
    .option('--steps <n>', 'control steps of random actions per env and control mode', '5000')
    .option('--episodes <n>', 'scripted-controller episodes per env and control mode', '100')
    .option('--seed <n>', 'seed of the envs and the random actions', '0')
    .option('--camera-frames <n>', 'frames rendered to time the table camera (64x64 and 128x128; 0 = skip)', '2000')
    .action((o: { steps: string; episodes: string; seed: string; cameraFrames: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const steps = intOption('--steps', o.steps, 1)!;
      const episodes = intOption('--episodes', o.episodes, 1)!;
      const seed = intOption('--seed', o.seed, 0)!;
      const progress = new Progress(g, 'bench arm', 4);
      const result = runArmBench({ steps, episodes, seed, progress: (done, _total, label) => progress.update(done, label) });
      progress.stop();
      const cameraFrames = intOption('--camera-frames', o.cameraFrames, 0)!;
      const camera = cameraFrames > 0 ? runArmCameraBench(cameraFrames, [64, 128], seed) : [];
      output(g, { ...result, camera }, () => armBenchTable(result) + (camera.length ? `\n\nTable camera:\n\n${armCameraBenchTable(camera)}` : ''));
    });
}
