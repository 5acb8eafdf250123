/**
 * The ONNX files pass the ONNX project's own checker (onnx.checker.check_model with full_check,
 * and strict shape inference), an implementation independent of ours and of onnxruntime.
 * Needs Debian's python3-onnx (`apt-get install python3-onnx`); where it is not installed this
 * file reports one skipped test, not a pass.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { describeArchitecture } from '../../../src-main/export/architecture.js';
import { exportPolicy } from '../../../src-main/export/export.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { tempDir } from '../../helpers/tmp.js';
import { imageMeta, pendulumMeta, randomWeights, SMALL_ENCODER } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
const tmp = tempDir('drive-lab-onnx-checker-');
afterAll(() => tmp.cleanup());

const CHECK = `
import sys, onnx
from onnx import checker, shape_inference
for p in sys.argv[1:]:
    m = onnx.load(p)
    checker.check_model(m, full_check=True)
    inferred = shape_inference.infer_shapes(m, strict_mode=True)
    out = inferred.graph.output[0]
    print(p, m.ir_version, m.opset_import[0].version, [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim])
`;

describe('ONNX checker (python3-onnx)', () => {
  it.runIf(hasOnnx)('accepts the MLP and the conv encoder + MLP exports', async () => {
    const mlp = new Mlp({ inputDim: 3, hidden: [16], outputDim: 1, outputActivation: 'tanh' }, new Rng(1), 'actor');
    await exportPolicy({ actor: mlp, meta: pendulumMeta() }, join(tmp.dir, 'mlp'), { formats: ['onnx'], samples: 20 });
    mlp.dispose();
    const desc = describeArchitecture({ encoder: SMALL_ENCODER, actor: { inputDim: 8, hidden: [16], outputDim: 2, outputActivation: 'tanh' } });
    const w = randomWeights(
      desc.params.map((p) => p.size),
      2,
    );
    const k = desc.actorParamOffset;
    await exportPolicy(
      { encoder: { spec: SMALL_ENCODER, weights: w.slice(0, k) }, actor: { spec: desc.arch.actor, weights: w.slice(k) }, meta: imageMeta() },
      join(tmp.dir, 'cam'),
      { formats: ['onnx'], samples: 20 },
    );
    const r = spawnSync(PYTHON, ['-c', CHECK, join(tmp.dir, 'mlp', 'policy.onnx'), join(tmp.dir, 'cam', 'policy.onnx')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/mlp\/policy.onnx 7 13 \['batch', 1\]$/);
    expect(lines[1]).toMatch(/cam\/policy.onnx 7 13 \['batch', 2\]$/);
  });
});
