/**
 * How the learner puts an actor's transitions into its replay buffer. Camera observations that
 * arrive with their pixels as bytes (PixelRows: the Redis transport's form) go into a buffer that
 * keeps pixels as bytes without a round trip through float32 (ReplayBuffer.addPixels); any other
 * combination goes in as float32 rows, with the same result.
 */
import { rowsAsFloats, TRANSITION_TERMINATED, TRANSITION_TRUNCATED, type TransitionBatch } from '../../../src-shared/actors.js';
import { ReplayBuffer, type PixelRow, type Replay } from '../replay/replay-buffer.js';

/**
 * Stores the first `n` transitions of `b`, those of the batch's env e in the buffer's env stream
 * `firstStream + min(e, streams - 1)`; returns the 1-based positions in the batch of the
 * transitions that end an episode.
 */
export function storeBatch(buffer: Replay, b: TransitionBatch, n: number, firstStream: number, streams: number): number[] {
  const { obsDim: od, actDim: ad } = b;
  const endsAt: number[] = [];
  const obsRows = b.obs;
  const nextRows = b.next;
  const asBytes =
    buffer instanceof ReplayBuffer &&
    !(obsRows instanceof Float32Array) &&
    !(nextRows instanceof Float32Array) &&
    obsRows.imageDim === buffer.imageDim &&
    nextRows.imageDim === buffer.imageDim;
  const obsF = asBytes ? undefined : rowsAsFloats(obsRows);
  const nextF = asBytes ? undefined : rowsAsFloats(nextRows);
  const k = buffer instanceof ReplayBuffer ? buffer.imageDim : 0;
  const vd = od - k;
  const rowOf = (r: typeof obsRows, i: number): PixelRow => {
    const p = r as Exclude<typeof obsRows, Float32Array>;
    return { pixels: p.pixels.subarray(i * k, (i + 1) * k), vec: p.vec.subarray(i * vd, (i + 1) * vd) };
  };
  for (let i = 0; i < n; i++) {
    const f = b.flags[i]!;
    const env = firstStream + Math.min(b.env[i]!, streams - 1);
    const term = (f & TRANSITION_TERMINATED) !== 0;
    const trunc = (f & TRANSITION_TRUNCATED) !== 0;
    const action = b.actions.subarray(i * ad, (i + 1) * ad);
    if (asBytes) buffer.addPixels(env, rowOf(obsRows, i), action, b.rewards[i]!, rowOf(nextRows, i), term, trunc);
    else buffer.add(env, obsF!.subarray(i * od, (i + 1) * od), action, b.rewards[i]!, nextF!.subarray(i * od, (i + 1) * od), term, trunc);
    if (term || trunc) endsAt.push(i + 1);
  }
  return endsAt;
}
