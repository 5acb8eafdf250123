/**
 * `npm run cli -- bench export`: export and verification time and accuracy for a Pendulum-sized
 * TD3 actor (3 -> 256 -> 256 -> 1) and a Kendall-sized camera policy (64x64x3 image, convs
 * 32-64-128-256 4x4 stride 2, latent 32 + 2 extra features, actor 256-256 -> 2), and the
 * per-step cost of running a policy in the simulator: the Mlp directly vs its TF.js and ONNX
 * exports (same seeds, returns compared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { Rng } from '../../../core/rng.js';
import { describeArchitecture } from '../../../export/architecture.js';
import { envExportInfo } from '../../../export/env-info.js';
import { exportPolicy, type ExportResult } from '../../../export/export.js';
import { loadExportedPolicy } from '../../../export/load.js';
import { vectorSpace } from '../../../export/metadata.js';
import { evaluatePolicy, type EvaluationResult } from '../../../export/runner.js';
import { selectBackend } from '../../../ml/backend.js';
import { Mlp } from '../../../ml/mlp.js';
import { globalOptions, intOption, output } from '../../context.js';

const PENDULUM = { id: 'pendulum' as const, maxEpisodeSteps: 200 };

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

export function register(bench: Command): void {
  bench
    .command('export')
    .description('Policy export: export + verification time and max abs difference, and per-step cost of running exports vs the Mlp.')
    .option('--samples <n>', 'verification inputs per export', '1000')
    .option('--seeds <n>', 'Pendulum seeds for the runner comparison (200 steps each)', '5')
    .action(async (o: { samples: string; seeds: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const samples = intOption('--samples', o.samples, 1)!;
      const seeds = Array.from({ length: intOption('--seeds', o.seeds, 1)! }, (_, i) => i);
      const backend = await selectBackend(g.backend);
      const dir = mkdtempSync(join(tmpdir(), 'drive-lab-bench-export-'));
      const mlp = new Mlp({ inputDim: 3, hidden: [256, 256], outputDim: 1, outputActivation: 'tanh' }, new Rng(0), 'bench-actor');
      try {
        const log = (s: string) => !g.json && process.stderr.write(`${s}\n`);
        log(`backend ${backend.name}; exporting the Pendulum actor`);
        const [mlpExport, mlpSeconds] = await timed(() =>
          exportPolicy({ actor: mlp, meta: { envId: 'pendulum', algo: 'td3', ...envExportInfo(PENDULUM) } }, join(dir, 'mlp'), { samples }),
        );

        log('exporting the camera policy');
        const encoder = {
          imageShape: [64, 64, 3] as [number, number, number],
          convs: [32, 64, 128, 256].map((filters) => ({ filters, kernel: 4, stride: 2 })),
          latentDim: 32,
          extraDim: 2,
        };
        const desc = describeArchitecture({ encoder, actor: { inputDim: 34, hidden: [256, 256], outputDim: 2, outputActivation: 'tanh' } });
        const rng = new Rng(1);
        // PyTorch-style init per layer: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); params come as (kernel, bias) pairs.
        const weights: Float32Array[] = [];
        for (let i = 0; i < desc.params.length; i += 2) {
          const kernel = desc.params[i]!;
          const bound = 1 / Math.sqrt(kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1));
          for (const p of [kernel, desc.params[i + 1]!]) weights.push(Float32Array.from({ length: p.size }, () => rng.uniform(-bound, bound)));
        }
        const k = desc.actorParamOffset;
        const [camExport, camSeconds] = await timed(() =>
          exportPolicy(
            {
              encoder: { spec: encoder, weights: weights.slice(0, k) },
              actor: { spec: desc.arch.actor, weights: weights.slice(k) },
              meta: {
                envId: 'lane',
                algo: 'ddpg',
                observation: {
                  kind: 'image',
                  image: { height: 64, width: 64, channels: 3, layout: 'NHWC', channelOrder: 'RGB', range: [0, 1], normalization: 'uint8 / 255' },
                  extra: vectorSpace([0, -1], [30, 1]),
                },
                actionScaling: [
                  { name: 'steering', unit: 'normalized', low: -1, high: 1 },
                  { name: 'throttle', unit: 'normalized', low: -1, high: 1 },
                ],
              },
            },
            join(dir, 'camera'),
            { samples },
          ),
        );

        log(`running ${seeds.length} Pendulum episodes per policy`);
        const runs: Record<string, { result: EvaluationResult; msPerStep: number }> = {};
        const steps = seeds.length * PENDULUM.maxEpisodeSteps;
        const [direct, directSeconds] = await timed(() =>
          evaluatePolicy((obs) => tf.tidy(() => Float32Array.from(mlp.apply(tf.tensor2d(obs, [1, 3])).dataSync())), PENDULUM, { seeds }),
        );
        runs.mlp = { result: direct, msPerStep: (1000 * directSeconds) / steps };
        for (const format of ['tfjs', 'onnx'] as const) {
          const policy = await loadExportedPolicy(mlpExport.dir, { format });
          const [r, s] = await timed(() => evaluatePolicy((obs) => policy.act(obs), PENDULUM, { seeds }));
          await policy.dispose();
          runs[format] = { result: r, msPerStep: (1000 * s) / steps };
        }
        const returnDiff = (r: EvaluationResult) => Math.max(...r.seeds.map((s, i) => Math.abs(s.returns[0]! - direct.seeds[i]!.returns[0]!)));
        const summary = (r: ExportResult, seconds: number) => ({
          seconds: Number(seconds.toFixed(2)),
          samples,
          maxAbsDiff: r.metadata.verification.maxAbsDiff,
        });
        const value = {
          backend: backend.name,
          pendulumActor: summary(mlpExport, mlpSeconds),
          cameraPolicy: { ...summary(camExport, camSeconds), params: desc.params.reduce((a, p) => a + p.size, 0) },
          runner: Object.fromEntries(
            Object.entries(runs).map(([name, r]) => [
              name,
              { msPerStep: Number(r.msPerStep.toFixed(3)), meanReturn: r.result.meanReturn, maxReturnDiffFromMlp: returnDiff(r.result) },
            ]),
          ),
        };
        output(g, value, () =>
          [
            `backend ${backend.name}`,
            `Pendulum actor 3-256-256-1: export + verification (${samples} inputs) ${value.pendulumActor.seconds} s, max abs diff ${JSON.stringify(value.pendulumActor.maxAbsDiff)}`,
            `camera policy (${value.cameraPolicy.params} params): ${value.cameraPolicy.seconds} s, max abs diff ${JSON.stringify(value.cameraPolicy.maxAbsDiff)}`,
            ...Object.entries(value.runner).map(
              ([name, r]) =>
                `runner ${name}: ${r.msPerStep} ms/step (policy + env), mean return ${r.meanReturn.toFixed(3)}, max |return - Mlp's| ${r.maxReturnDiffFromMlp.toExponential(2)}`,
            ),
          ].join('\n'),
        );
      } finally {
        mlp.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
