/**
 * How the learner puts an actor's transitions into its replay buffer. Camera observations that
 * arrive with their pixels as bytes (PixelRows: the Redis transport's form) go into a buffer that
 * keeps pixels as bytes without a round trip through float32 (ReplayBuffer.addPixels); any other
 * combination goes in as float32 rows, with the same result.
 */
import { rowsAsFloats, TRANSITION_TERMINATED, TRANSITION_TRUNCATED, type TransitionBatch } from '../../../src-shared/actors.js';
import { ReplayBuffer, type Replay } from '../replay/replay-buffer.js';

/**
 * Stores the first `n` transitions of `b`, those of the batch's env e in the buffer's env stream
 * `firstStream + min(e, streams - 1)`; returns the 1-based positions in the batch of the
 * transitions that end an episode.
 */
export function storeBatch(buffer: Replay, b: TransitionBatch, n: number, firstStream: number, streams: number): number[] {
  const { obsDim: od, actDim: ad, obs, next } = b;
  const endsAt: number[] = [];
  const bytes =
    buffer instanceof ReplayBuffer &&
    !(obs instanceof Float32Array) &&
    !(next instanceof Float32Array) &&
    obs.imageDim === buffer.imageDim &&
    next.imageDim === buffer.imageDim
      ? { buffer, obs, next }
      : undefined;
  const obsF = bytes ? undefined : rowsAsFloats(obs);
  const nextF = bytes ? undefined : rowsAsFloats(next);
  for (let i = 0; i < n; i++) {
    const f = b.flags[i]!;
    const env = firstStream + Math.min(b.env[i]!, streams - 1);
    const term = (f & TRANSITION_TERMINATED) !== 0;
    const trunc = (f & TRANSITION_TRUNCATED) !== 0;
    const action = b.actions.subarray(i * ad, (i + 1) * ad);
    if (bytes) bytes.buffer.addPixels(env, bytes.obs, i, action, b.rewards[i]!, bytes.next, i, term, trunc);
    else buffer.add(env, obsF!.subarray(i * od, (i + 1) * od), action, b.rewards[i]!, nextF!.subarray(i * od, (i + 1) * od), term, trunc);
    if (term || trunc) endsAt.push(i + 1);
  }
  return endsAt;
}
