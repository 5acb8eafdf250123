/**
 * The standalone runner on Pendulum: an exported policy, run from its TF.js or its ONNX file,
 * gives the same per-seed returns as the same Mlp run directly; and the runner with the loader
 * imports nothing but the simulator, the export code and their pure dependencies.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { exportPolicy } from '../../../src-main/export/export.js';
import { loadExportedPolicy } from '../../../src-main/export/load.js';
import { evaluatePolicy, type EvaluationResult } from '../../../src-main/export/runner.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { tempDir } from '../../helpers/tmp.js';
import { pendulumMeta } from './helpers.js';

const tmp = tempDir('drive-lab-export-runner-');
const ENV = { id: 'pendulum' as const, maxEpisodeSteps: 200 };
const SEEDS = [0, 1, 2];

/** A hand-made controller as an Mlp: torque = 2 tanh(-(3 sin(theta) + omega)), via relu(z) - relu(-z). */
function handMadeMlp(): Mlp {
  const mlp = new Mlp({ inputDim: 3, hidden: [2], outputDim: 1, outputActivation: 'tanh' }, new Rng(0), 'hand');
  mlp.setWeights([Float32Array.from([0, 0, 3, -3, 1, -1]), new Float32Array(2), Float32Array.from([-1, 1]), new Float32Array(1)]);
  return mlp;
}

function direct(mlp: Mlp) {
  return (obs: Float32Array) => tf.tidy(() => Float32Array.from(mlp.apply(tf.tensor2d(obs, [1, obs.length])).dataSync()));
}

const policies = { hand: handMadeMlp(), random: new Mlp({ inputDim: 3, hidden: [64, 64], outputDim: 1, outputActivation: 'tanh' }, new Rng(42), 'random') };

beforeAll(async () => {
  for (const [name, mlp] of Object.entries(policies)) await exportPolicy({ actor: mlp, meta: pendulumMeta() }, join(tmp.dir, name), { samples: 200 });
});
afterAll(() => {
  for (const m of Object.values(policies)) m.dispose();
  tmp.cleanup();
});

describe('policy runner', () => {
  for (const name of Object.keys(policies) as Array<keyof typeof policies>) {
    it(`${name} Mlp: TF.js and ONNX exports give the Mlp's per-seed returns`, async () => {
      const reference = await evaluatePolicy(direct(policies[name]), ENV, { seeds: SEEDS, episodes: 2 });
      expect(reference.seeds.map((s) => s.seed)).toEqual(SEEDS);
      expect(reference.seeds.every((s) => s.returns.length === 2 && s.lengths.every((l) => l === 200))).toBe(true);
      // Different seeds start differently.
      expect(new Set(reference.seeds.map((s) => s.returns[0])).size).toBe(3);
      const results: Record<string, EvaluationResult> = {};
      for (const format of ['tfjs', 'onnx'] as const) {
        const policy = await loadExportedPolicy(join(tmp.dir, name), { format });
        results[format] = await evaluatePolicy((obs) => policy.act(obs), ENV, { seeds: SEEDS, episodes: 2 });
        await policy.dispose();
      }
      for (const r of Object.values(results)) {
        r.seeds.forEach((s, i) => {
          s.returns.forEach((ret, e) => expect(Math.abs(ret - reference.seeds[i]!.returns[e]!)).toBeLessThan(1e-3));
        });
        expect(Math.abs(r.meanReturn - reference.meanReturn)).toBeLessThan(1e-3);
      }
      // A second run is bit-identical (deterministic).
      const again = await loadExportedPolicy(join(tmp.dir, name), { format: 'onnx' });
      expect(await evaluatePolicy((obs) => again.act(obs), ENV, { seeds: SEEDS, episodes: 2 })).toEqual(results.onnx);
      await again.dispose();
    });
  }

  it('the runner and loader import only the simulator, the export code and pure helpers (no learner)', () => {
    const root = resolve(import.meta.dirname, '../../..');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
        const spec = (m[1] ?? m[2])!;
        if (/^import\s+type\b/.test(m[0].trim())) continue;
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (target.endsWith('.ts')) visit(target);
      }
    };
    visit(join(root, 'src-main/export/runner.ts'));
    visit(join(root, 'src-main/export/load.ts'));
    const files = [...seen].map((f) => relative(root, f)).sort();
    expect(files).toContain('src-main/sim/classic/pendulum.ts');
    expect(files).toContain('src-main/export/onnx/read.ts');
    // src-shared holds only schemas and pure helpers (the env adapters' live-view columns come from src-shared/live.ts).
    const allowed = [/^src-main\/export\//, /^src-main\/sim\//, /^src-shared\//, /^src-main\/core\//];
    expect(files.filter((f) => !allowed.some((a) => a.test(f)))).toEqual([]);
  });
});
