/**
 * What the frame collectors (pipelines/drive/collect.ts, pipelines/arm/collect.ts) share: the
 * policy that acts next (the one furthest below its share of the target), and independent seeds
 * per segment of a collection, so that resuming a collection replays the same streams.
 */
import { Rng } from '../core/rng.js';

/** The seed of segment k of a collection (independent streams per segment). */
export function segmentSeed(seed: number, k: number): number {
  return new Rng((seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0).nextU32();
}

/**
 * The source furthest below its share of `count` frames, given how many each has (ties: the order
 * of `sources`); undefined when no source has a share.
 */
export function furthestBelowShare<S extends string>(
  sources: readonly S[],
  shares: Record<S, number>,
  count: number,
  have: Record<string, number>,
): S | undefined {
  let total = 0;
  for (const s of sources) total += shares[s];
  if (!(total > 0)) return undefined;
  let best: S | undefined;
  let bestDeficit = -Infinity;
  for (const s of sources) {
    const share = shares[s] / total;
    if (share <= 0) continue;
    const deficit = share * count - (have[s] ?? 0);
    if (deficit > bestDeficit) {
      best = s;
      bestDeficit = deficit;
    }
  }
  return best;
}
