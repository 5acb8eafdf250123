import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { PrioritizedReplayBuffer } from '../../../src-main/rl/replay/prioritized.js';
import { ReplayBuffer, type PixelRows } from '../../../src-main/rl/replay/replay-buffer.js';

const IMAGE = 6;
const VEC = 2;
const OBS = IMAGE + VEC;

/** One camera observation in both forms: pixels as bytes, and the float32 row (byte / 255, then the vector). */
interface Obs {
  row: PixelRows;
  floats: Float32Array;
}

function randomObs(rng: Rng): Obs {
  const pixels = Uint8Array.from({ length: IMAGE }, () => rng.int(256));
  const vec = Float32Array.from({ length: VEC }, () => rng.normal());
  const floats = new Float32Array(OBS);
  for (let i = 0; i < IMAGE; i++) floats[i] = pixels[i]! * (1 / 255);
  floats.set(vec, IMAGE);
  return { row: { pixels, vec }, floats };
}

/**
 * Feeds the same stream of transitions of 3 envs to every buffer, each transition through
 * add() (float32 rows) or addPixels() (bytes) as `how` says: episodes end terminated or
 * truncated, and now and then an env starts from an observation other than its last next one
 * (a broken chain).
 */
function feed(buffers: ReplayBuffer[], how: (b: number, k: number) => 'floats' | 'pixels', steps: number, seed: number): void {
  const rng = new Rng(seed);
  const envs = 3;
  const current: Obs[] = Array.from({ length: envs }, () => randomObs(rng));
  for (let k = 0; k < steps; k++) {
    const e = rng.int(envs);
    if (rng.uniform(0, 1) < 0.05) current[e] = randomObs(rng); // the caller breaks the chain
    const obs = current[e]!;
    const next = randomObs(rng);
    const action = Float32Array.of(rng.uniform(-1, 1));
    const reward = rng.normal();
    const end = rng.uniform(0, 1);
    const terminated = end < 0.08;
    const truncated = !terminated && end < 0.12;
    buffers.forEach((buf, b) => {
      if (how(b, k) === 'floats') buf.add(e, obs.floats, action, reward, next.floats, terminated, truncated);
      else buf.addPixels(e, obs.row, 0, action, reward, next.row, 0, terminated, truncated);
    });
    current[e] = terminated || truncated ? randomObs(rng) : next;
  }
}

/** The same snapshot, then the same samples (every buffer sampled alike, so their Rngs stay in step). */
function expectSame(a: ReplayBuffer, ...others: ReplayBuffer[]): void {
  const sa = a.snapshot();
  for (const b of others) {
    const sb = b.snapshot();
    expect(sb.json).toEqual(sa.json);
    expect(Object.keys(sb.arrays)).toEqual(Object.keys(sa.arrays));
    for (const key of Object.keys(sa.arrays)) expect(sb.arrays[key], key).toEqual(sa.arrays[key]);
  }
  for (let i = 0; i < 5; i++) {
    const x = a.sample(16);
    for (const b of others) {
      const y = b.sample(16);
      for (const key of ['obs', 'actions', 'rewards', 'nextObs', 'terminated', 'truncated', 'steps'] as const) expect(y[key], key).toEqual(x[key]);
    }
  }
}

const options = { capacity: 40, obsDim: OBS, actDim: 1, numEnvs: 3, seed: 9, imageDim: IMAGE, nStep: 3, gamma: 0.9 };

describe('replay buffer: camera observations added as bytes', () => {
  it('holds and samples exactly what the same stream added as float32 rows gives, as the ring wraps around', () => {
    const buffers = [new ReplayBuffer(options), new ReplayBuffer(options), new ReplayBuffer(options)];
    // Buffer 0: float32 rows; 1: bytes; 2: a mix, so a byte-staged next meets a float32 obs and the reverse.
    const mixed = new Rng(5);
    const how = (b: number) => (b === 0 ? 'floats' : b === 1 ? 'pixels' : mixed.uniform(0, 1) < 0.5 ? 'floats' : 'pixels');
    for (let round = 0; round < 4; round++) {
      feed(buffers, how, 70, 100 + round);
      expectSame(buffers[0]!, buffers[1]!, buffers[2]!);
    }
  });

  it('a checkpoint taken while next observations wait as bytes restores into a buffer that goes on identically', () => {
    const a = new ReplayBuffer(options);
    const b = new ReplayBuffer(options);
    feed([a, b], (i) => (i === 0 ? 'floats' : 'pixels'), 55, 7);
    const restored = new ReplayBuffer(options);
    restored.restore(b.snapshot());
    feed([a, restored], (i) => (i === 0 ? 'floats' : 'pixels'), 55, 8);
    expectSame(a, restored);
  });

  it('prioritized replay keeps its priorities in step the same way', () => {
    const p = { ...options, alpha: 0.6, beta0: 0.4, eps: 1e-6, annealSteps: 100 };
    const a = new PrioritizedReplayBuffer(p);
    const b = new PrioritizedReplayBuffer(p);
    feed([a, b], (i) => (i === 0 ? 'floats' : 'pixels'), 90, 11);
    expectSame(a, b);
  });

  it('refuses rows of the wrong size, and buffers without pixels', () => {
    const buf = new ReplayBuffer(options);
    const row = { pixels: new Uint8Array(IMAGE), vec: new Float32Array(VEC) };
    expect(() => buf.addPixels(0, { pixels: new Uint8Array(IMAGE - 1), vec: row.vec }, 0, Float32Array.of(0), 0, row, 0, false, false)).toThrow(
      /rows of 6 pixel bytes and 2 vector values/,
    );
    const plain = new ReplayBuffer({ ...options, imageDim: 0 });
    expect(() => plain.addPixels(0, row, 0, Float32Array.of(0), 0, row, 0, false, false)).toThrow(/pixel bytes/);
  });
});
