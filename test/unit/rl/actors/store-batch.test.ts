/** The learner's intake of actor batches: camera batches decoded as pixel rows go into the replay buffer as bytes, and hold what float32 rows would. */
import { describe, expect, it } from 'vitest';
import { TransitionBatch, type FloatTransitionBatch } from '../../../../src-shared/actors.js';
import { EnvConfig } from '../../../../src-shared/config/envs/index.js';
import { ActorBook } from '../../../../src-main/rl/actors/actor-book.js';
import { decodeFrame, encodeBatch } from '../../../../src-main/rl/actors/redis/codec.js';
import { storeBatch } from '../../../../src-main/rl/actors/store-batch.js';
import { ReplayBuffer } from '../../../../src-main/rl/replay/replay-buffer.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const digest = '0123456789abcdef';

/** `count` transitions of a lane env with a 24x16 camera over two env streams, episodes ending now and then. */
function cameraBatch(count: number): { batch: FloatTransitionBatch; imageDim: number } {
  const env = makeEnv(EnvConfig.parse({ id: 'lane', obs: 'pixels', camera: { width: 24, height: 16 } }));
  const layout = env.imageLayout!;
  const imageDim = layout.height * layout.width * layout.channels;
  const obsDim = env.observationSpace.shape[0]!;
  const obs = new Float32Array(count * obsDim);
  const next = new Float32Array(count * obsDim);
  const flags = new Uint8Array(count);
  let o = env.reset(5).obs;
  for (let i = 0; i < count; i++) {
    obs.set(o, i * obsDim);
    const s = env.step(Float32Array.from([Math.sin(i) * 0.5]));
    next.set(s.obs, i * obsDim);
    // Every 7th transition ends its episode (truncated); the env then starts again.
    const end = i % 7 === 6;
    flags[i] = end ? 2 : 0;
    o = end ? env.reset(100 + i).obs : s.obs;
  }
  env.close?.();
  const batch: FloatTransitionBatch = {
    type: 'transitions',
    runId: 'r1',
    digest,
    actor: 'a',
    slot: 0,
    version: 1,
    seq: 0,
    count,
    obsDim,
    actDim: 1,
    env: new Uint8Array(count),
    obs,
    actions: Float32Array.from({ length: count }, (_, i) => Math.sin(i) * 0.5),
    rewards: Float64Array.from({ length: count }, (_, i) => i / 10),
    next,
    flags,
    episodes: [],
    stepsPerS: 1,
  };
  return { batch, imageDim };
}

describe('storing actor batches', () => {
  it('camera batches decoded as pixel rows fill the replay buffer exactly as their float32 rows do', () => {
    const { batch, imageDim } = cameraBatch(20);
    const decoded = TransitionBatch.parse(decodeFrame(encodeBatch(batch, imageDim)));
    expect(decoded.obs).not.toBeInstanceOf(Float32Array);
    const opts = { capacity: 64, obsDim: batch.obsDim, actDim: 1, numEnvs: 2, seed: 3, imageDim };
    const fromFloats = new ReplayBuffer(opts);
    const fromBytes = new ReplayBuffer(opts);
    // Twice, so the second batch's first obs meets the first batch's staged next observation.
    for (let k = 0; k < 2; k++) {
      expect(storeBatch(fromFloats, batch, 20, 1, 1)).toEqual([7, 14]);
      expect(storeBatch(fromBytes, decoded, 20, 1, 1)).toEqual([7, 14]);
    }
    expect(fromBytes.snapshot()).toEqual(fromFloats.snapshot());
    const a = fromFloats.sample(32);
    const b = fromBytes.sample(32);
    expect(b.obs).toEqual(a.obs);
    expect(b.nextObs).toEqual(a.nextObs);
    // A buffer that keeps no pixels as bytes takes the same batch as float32 rows.
    const plain = new ReplayBuffer({ ...opts, imageDim: 0 });
    const plainFloats = new ReplayBuffer({ ...opts, imageDim: 0 });
    storeBatch(plain, decoded, 20, 0, 2);
    storeBatch(plainFloats, batch, 20, 0, 2);
    expect(plain.snapshot()).toEqual(plainFloats.snapshot());
  });

  it('pixel rows of the wrong size or shape are refused as malformed', () => {
    const { batch, imageDim } = cameraBatch(3);
    const decoded = TransitionBatch.parse(decodeFrame(encodeBatch(batch, imageDim)));
    const rows = decoded.obs as Exclude<TransitionBatch['obs'], Float32Array>;
    const book = new ActorBook('r1', digest);
    expect(book.accept({ ...decoded, obs: { ...rows, pixels: rows.pixels.subarray(1) } })).toBeUndefined();
    expect(book.accept({ ...decoded, obs: { ...rows, rowDim: rows.rowDim + 1 } })).toBeUndefined();
    expect(book.accept({ ...decoded, obs: { ...rows, imageDim: rows.rowDim + 1 } })).toBeUndefined();
    expect(book.accept({ ...decoded, obs: { ...rows, pixels: Array.from(rows.pixels) } })).toBeUndefined();
    expect(book.rejected.malformed).toBe(4);
    expect(book.accept(decoded)?.kind).toBe('batch');
  });
});
