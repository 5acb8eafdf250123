/**
 * Export-time verification: random valid inputs (inside the observation space's bounds; images
 * in [0, 1]) from a seeded Rng, run through the TF.js actor (reference forward) and through each
 * written format as loaded back from disk; the max abs difference must stay under the tolerance.
 */
import type { ArchitectureDesc } from './architecture.js';
import { Rng } from '../core/rng.js';
import { fromBound, type ObservationSpec, type VectorSpace } from './metadata.js';
import { referenceForward } from './reference.js';
import type { ModelRunner } from './runtime.js';

export const VERIFY_SAMPLES = 1000;
export const VERIFY_TOLERANCE = 1e-4;
/** Half-width used where a bound is infinite. */
const OPEN_RANGE = 10;

export const INPUT_SAMPLING =
  "uniform in [low, high] per observation element (an infinite bound, or one of magnitude >= 1e30 such as Gymnasium's float32 max, is replaced by the finite one -/+ 20, or by -/+10 when both are infinite); image pixels uniform in [0, 1]";

/** Bounds this large stand for "unbounded" (Gymnasium writes np.finfo(np.float32).max). */
const UNBOUNDED = 1e30;

function sampleRange(s: VectorSpace, i: number): [number, number] {
  const clean = (v: number) => (Math.abs(v) >= UNBOUNDED ? v * Infinity : v);
  const lo = clean(fromBound(s.low[i]!, 'low'));
  const hi = clean(fromBound(s.high[i]!, 'high'));
  if (Number.isFinite(lo) && Number.isFinite(hi)) return [lo, hi];
  if (Number.isFinite(lo)) return [lo, lo + 2 * OPEN_RANGE];
  if (Number.isFinite(hi)) return [hi - 2 * OPEN_RANGE, hi];
  return [-OPEN_RANGE, OPEN_RANGE];
}

/** `batch` random valid inputs, one flat array per graph input. */
export function sampleInputs(desc: ArchitectureDesc, obs: ObservationSpec, batch: number, rng: Rng): Float32Array[] {
  return desc.inputs.map((inp) => {
    const per = inp.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(batch * per);
    if (inp.name === 'image') {
      for (let j = 0; j < out.length; j++) out[j] = rng.next();
      return out;
    }
    const space = obs.kind === 'vector' ? obs.space : obs.extra!;
    const ranges = Array.from({ length: per }, (_, i) => sampleRange(space, i));
    for (let b = 0; b < batch; b++) for (let i = 0; i < per; i++) out[b * per + i] = rng.uniform(ranges[i]![0], ranges[i]![1]);
    return out;
  });
}

export interface Discrepancy {
  maxAbsDiff: number;
  sample: number;
  output: number;
  expected: number;
  got: number;
}

/** Max abs difference of each runner from the reference forward pass over `samples` inputs. */
export async function compareWithReference(
  desc: ArchitectureDesc,
  weights: readonly Float32Array[],
  obs: ObservationSpec,
  runners: Record<string, ModelRunner>,
  samples: number,
  seed: number,
  onChunk?: (done: number, total: number) => void,
): Promise<Record<string, Discrepancy>> {
  const rng = new Rng(seed);
  const result: Record<string, Discrepancy> = {};
  for (const k of Object.keys(runners)) result[k] = { maxAbsDiff: 0, sample: -1, output: -1, expected: 0, got: 0 };
  // Chunks keep memory bounded for image inputs.
  const chunk = desc.arch.encoder ? 100 : 500;
  const n = desc.outputDim;
  for (let start = 0; start < samples; start += chunk) {
    const batch = Math.min(chunk, samples - start);
    const inputs = sampleInputs(desc, obs, batch, rng);
    const ref = referenceForward(desc, weights, inputs, batch);
    for (const [k, runner] of Object.entries(runners)) {
      const got = await runner.run(inputs, batch);
      if (got.length !== ref.length) throw new Error(`${k} output has ${got.length} values, expected ${ref.length}`);
      const d = result[k]!;
      for (let j = 0; j < ref.length; j++) {
        const diff = Math.abs(got[j]! - ref[j]!);
        // NaN counts as an infinite difference.
        const v = Number.isNaN(diff) ? Infinity : diff;
        if (d.sample < 0 || v > d.maxAbsDiff)
          Object.assign(d, { maxAbsDiff: v, sample: start + Math.floor(j / n), output: j % n, expected: ref[j]!, got: got[j]! });
      }
    }
    onChunk?.(start + batch, samples);
  }
  return result;
}
