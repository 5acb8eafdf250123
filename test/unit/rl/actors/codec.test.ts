/** The Redis transport's binary frames: round trips, and bytes that do not parse become undefined (counted as malformed). */
import { describe, expect, it } from 'vitest';
import { ActorWeights, rowsAsFloats, TransitionBatch, type FloatTransitionBatch } from '../../../../src-shared/actors.js';
import { ActorBook } from '../../../../src-main/rl/actors/actor-book.js';
import { decodeFrame, encodeBatch, encodeWeights } from '../../../../src-main/rl/actors/redis/codec.js';
import { EnvConfig } from '../../../../src-shared/config/envs/index.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const digest = '0123456789abcdef';

/** Each array of a frame -> its kind in the frame's header. */
function kinds(frame: Buffer): Record<string, string> {
  const header = JSON.parse(frame.subarray(4, 4 + frame.readUInt32LE(0)).toString('utf8')) as { $arrays: Array<[string, string]> };
  return Object.fromEntries(header.$arrays.map(([name, kind]) => [name, kind]));
}
const batch: FloatTransitionBatch = {
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

  it('send camera observations as bytes that decode to pixel rows of bitwise the same float32 values', () => {
    // Real frames: a lane env with a 24x16 camera, 6 steps of steering.
    const env = makeEnv(EnvConfig.parse({ id: 'lane', obs: 'pixels', camera: { width: 24, height: 16 } }));
    const layout = env.imageLayout!;
    const imageDim = layout.height * layout.width * layout.channels;
    const obsDim = env.observationSpace.shape[0]!;
    const count = 6;
    const obs = new Float32Array(count * obsDim);
    const next = new Float32Array(count * obsDim);
    let o = env.reset(3).obs;
    for (let i = 0; i < count; i++) {
      obs.set(o, i * obsDim);
      o = env.step(Float32Array.from([i % 2 ? 0.4 : -0.3])).obs;
      next.set(o, i * obsDim);
    }
    env.close?.();
    const pixels: FloatTransitionBatch = {
      ...batch,
      count,
      obsDim,
      env: new Uint8Array(count),
      obs,
      actions: new Float32Array(count),
      rewards: new Float64Array(count),
      next,
      flags: new Uint8Array(count),
    };
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const plain = encodeBatch(pixels);
    const packed = encodeBatch(pixels, imageDim);
    expect(packed.length).toBeLessThan(plain.length * 0.3);
    // Each next observation but the last is the following obs row: only the last is sent.
    expect(kinds(packed)).toMatchObject({ obs: 'px', nextFrom: 'i32', nextRest: 'px' });
    const back = TransitionBatch.parse(decodeFrame(packed));
    // The learner gets the pixels as bytes (its replay buffer keeps them so) ...
    expect(back.obs).toMatchObject({ rowDim: obsDim, imageDim });
    expect(back.next).toMatchObject({ rowDim: obsDim, imageDim });
    // ... that are exactly the actor's float32 observations.
    expect(bytes(rowsAsFloats(back.obs)).equals(bytes(obs))).toBe(true);
    expect(bytes(rowsAsFloats(back.next)).equals(bytes(next))).toBe(true);
    expect({ ...back, obs: rowsAsFloats(back.obs), next: rowsAsFloats(back.next) }).toEqual(pixels);

    // A pixel that is not exactly byte / 255 (or -0): those observations go as float32, unchanged.
    for (const odd of [0.5, -0]) {
      const off = Float32Array.from(obs);
      off[7] = odd;
      const frame = encodeBatch({ ...pixels, obs: off }, imageDim);
      expect(kinds(frame)).toEqual({ env: 'u8', obs: 'f32', actions: 'f32', rewards: 'f64', nextFrom: 'i32', nextRest: 'px', flags: 'u8' });
      const mixed = TransitionBatch.parse(decodeFrame(frame));
      // float32 obs rows with pixel-row next rows: the rebuilt next rows are float32 too.
      expect(mixed.obs).toBeInstanceOf(Float32Array);
      expect(mixed.next).toBeInstanceOf(Float32Array);
      expect(bytes(rowsAsFloats(mixed.obs)).equals(bytes(off))).toBe(true);
      expect(bytes(rowsAsFloats(mixed.next)).equals(bytes(next))).toBe(true);
    }
    // Truncated packed frames do not parse.
    expect(decodeFrame(packed.subarray(0, packed.length - 1))).toBeUndefined();
  });

  it("send a next observation that is the same env's following observation once, and rebuild it exactly", () => {
    // Two envs interleaved; env 1's episode ends at its second transition (its next is the final obs, not the reset one).
    const d = 2;
    const env = Uint8Array.from([0, 1, 0, 1, 0, 1]);
    const obs = Float32Array.from([0, 0, 10, 10, 1, 1, 11, 11, 2, 2, 50, 50]);
    const next = Float32Array.from([1, 1, 11, 11, 2, 2, 12, 12, 3, 3, 51, 51]);
    const b: FloatTransitionBatch = {
      ...batch,
      count: 6,
      obsDim: d,
      env,
      obs,
      actions: new Float32Array(6),
      rewards: new Float64Array(6),
      next,
      flags: Uint8Array.from([0, 0, 0, 1, 0, 0]),
      episodes: [],
    };
    const frame = encodeBatch(b);
    expect(kinds(frame)).toMatchObject({ nextFrom: 'i32', nextRest: 'f32' });
    const header = JSON.parse(frame.subarray(4, 4 + frame.readUInt32LE(0)).toString('utf8')) as { $arrays: Array<[string, string, number]> };
    // Rows 0, 1, 2 come from obs rows 2, 3, 4; rows 3 (episode end), 4 and 5 (last of their env) are sent.
    expect(header.$arrays.find(([n]) => n === 'nextRest')?.[2]).toBe(3 * d);
    expect(TransitionBatch.parse(decodeFrame(frame))).toEqual(b);
    // -0 and NaN rows are compared bit for bit (Object.is), never merged with 0 or another NaN payload.
    const signed = { ...b, obs: Float32Array.from(obs).fill(-0, 4, 6), next: Float32Array.from(next).fill(0, 0, 2) };
    const back = TransitionBatch.parse(decodeFrame(encodeBatch(signed)));
    const [backNext, backObs] = [rowsAsFloats(back.next), rowsAsFloats(back.obs)];
    expect(Object.is(backNext[0], 0) && Object.is(backObs[4], -0)).toBe(true);
    // An index past the batch or a missing row does not parse.
    const bad = Buffer.from(frame);
    const at = 4 + frame.readUInt32LE(0) + 6 + 12 * 4; // after env (u8 x 6) and obs (f32 x 12)
    bad.writeInt32LE(99, at + 6 * 4 + 6 * 8); // nextFrom[0], after actions (f32 x 6) and rewards (f64 x 6)
    expect(decodeFrame(bad)).toBeUndefined();
    // A batch in which no next row repeats an obs row is sent as before.
    expect(kinds(encodeBatch({ ...b, next: next.map((v) => v + 0.5) }))).toMatchObject({ next: 'f32' });
  });
});
