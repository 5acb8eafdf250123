/** The Redis transport's binary frames: round trips, and bytes that do not parse become undefined (counted as malformed). */
import { describe, expect, it } from 'vitest';
import { ActorWeights, TransitionBatch } from '../../../../src-shared/actors.js';
import { ActorBook } from '../../../../src-main/rl/actors/actor-book.js';
import { decodeFrame, encodeBatch, encodeWeights } from '../../../../src-main/rl/actors/redis/codec.js';

const digest = '0123456789abcdef';
const batch: TransitionBatch = {
  type: 'transitions',
  runId: 'r1',
  digest,
  actor: 'a',
  slot: 1,
  version: 3,
  seq: 7,
  count: 2,
  obsDim: 3,
  actDim: 1,
  env: Uint8Array.from([0, 1]),
  obs: Float32Array.from([1, 2, 3, 4, 5, 6]),
  actions: Float32Array.from([0.5, -0.5]),
  rewards: Float64Array.from([-1.25, 0.1]),
  next: Float32Array.from([7, 8, 9, 10, 11, 12]),
  flags: Uint8Array.from([0, 2]),
  episodes: [{ env: 1, return: -3.5, length: 200, info: { distance: 12 } }],
  stepsPerS: 99,
};

describe('Redis frames', () => {
  it('round-trip transition batches and weights exactly', () => {
    const back = TransitionBatch.parse(decodeFrame(encodeBatch(batch)));
    expect(back).toEqual(batch);
    const w = { type: 'weights' as const, runId: 'r1', digest, version: 4, random: false, actor: [Float32Array.from([1, 2]), Float32Array.from([3])] };
    expect(ActorWeights.parse(decodeFrame(encodeWeights(w)))).toEqual(w);
  });

  it('refuses truncated, padded and garbage frames, and the book counts them by reason', () => {
    const good = encodeBatch(batch);
    expect(decodeFrame(good.subarray(0, good.length - 1))).toBeUndefined();
    expect(decodeFrame(Buffer.concat([good, Buffer.from([0])]))).toBeUndefined();
    expect(decodeFrame(Buffer.from('not a frame'))).toBeUndefined();
    expect(decodeFrame(Buffer.alloc(2))).toBeUndefined();
    const book = new ActorBook('r1', digest);
    expect(book.accept(decodeFrame(Buffer.from('garbage')))).toBeUndefined();
    expect(book.accept({ ...batch, obs: new Float32Array(5) })).toBeUndefined();
    expect(book.accept({ ...batch, runId: 'r2' })).toBeUndefined();
    expect(book.accept({ ...batch, digest: 'ffffffffffffffff' })).toBeUndefined();
    expect(book.rejected).toEqual({ malformed: 2, foreignRun: 1, foreignDigest: 1 });
    expect(book.accept(batch)?.kind).toBe('batch');
  });
});
