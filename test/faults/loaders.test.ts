/**
 * Every loader verifies an export the way `policy check` does: weights edited after export
 * (with the sha256 in metadata.json updated to match) are refused by `policy run` (either
 * format), by --init-policy (importPolicy) and by the app's loaders, not only by `policy check`.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/core/rng.js';
import { exportPolicy } from '../../src-main/export/export.js';
import { importPolicy, loadExportedPolicy, openExport } from '../../src-main/export/load.js';
import { Mlp } from '../../src-main/ml/mlp.js';
import { tempDir } from '../helpers/tmp.js';
import { pendulumMeta, rehash } from '../unit/export/helpers.js';

const tmp = tempDir('drive-lab-loaders-');
const GOOD = join(tmp.dir, 'good');

beforeAll(async () => {
  const mlp = new Mlp({ inputDim: 3, hidden: [8], outputDim: 1, outputActivation: 'tanh' }, new Rng(5), 'actor');
  await exportPolicy({ actor: mlp, meta: pendulumMeta() }, GOOD, { samples: 50 });
  mlp.dispose();
});
afterAll(() => tmp.cleanup());

describe('export loaders verify like policy check', () => {
  it('weights edited in one format with the hash updated: refused by every loader and every format choice', async () => {
    const dir = join(tmp.dir, 'edited');
    cpSync(GOOD, dir, { recursive: true });
    const bin = readFileSync(join(dir, 'weights.bin'));
    bin.writeFloatLE(0.123, 0);
    writeFileSync(join(dir, 'weights.bin'), bin);
    rehash(dir);
    const different = /weights.bin and policy.onnx hold different values/;
    await expect(openExport(dir)).rejects.toThrow(different); // policy check
    await expect(loadExportedPolicy(dir, { format: 'tfjs' })).rejects.toThrow(different); // policy run --format tfjs
    await expect(loadExportedPolicy(dir, { format: 'onnx' })).rejects.toThrow(different);
    await expect(loadExportedPolicy(dir)).rejects.toThrow(different);
    await expect(importPolicy(dir)).rejects.toThrow(different); // train --init-policy
    await expect(importPolicy(dir, { format: 'onnx' })).rejects.toThrow(different);
  });

  it('the good export still loads in both formats', async () => {
    for (const format of ['tfjs', 'onnx'] as const) {
      const p = await loadExportedPolicy(GOOD, { format });
      expect((await p.act(Float32Array.of(1, 0, 0))).length).toBe(1);
      await p.dispose();
    }
    expect((await importPolicy(GOOD)).actor.spec.hidden).toEqual([8]);
  });
});
