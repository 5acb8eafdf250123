import { describe, expect, it } from 'vitest';
import { LaneEnvConfig, type LaneEnvConfigInput } from '../../../../src-shared/config/envs/lane.js';
import type { DriverCamera } from '../../../../src-main/sim/lane/camera/driver-camera.js';
import { LaneEnv } from '../../../../src-main/sim/lane/lane-env.js';
import { encodePng } from '../../../../src-main/sim/lane/png.js';

const plain = { style: false, lighting: false, props: false };
const make = (input: Omit<LaneEnvConfigInput, 'id'> = {}) => new LaneEnv(LaneEnvConfig.parse({ id: 'lane', ...input }));
const SEED = 1_000_004;

function pixel(frame: Uint8Array, width: number, x: number, y: number): [number, number, number] {
  const o = (y * width + x) * 3;
  return [frame[o]!, frame[o + 1]!, frame[o + 2]!];
}

describe('driver camera', () => {
  it('sees sky above the horizon, road ahead and the bonnet below, in the scene colours', () => {
    const env = make({ randomize: plain, camera: { width: 64, height: 64 } });
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    const f = env.frame();
    const scene = env.scene;
    const sky = pixel(f, 64, 32, 1);
    expect(sky[2]).toBeGreaterThan(sky[0]); // blue
    expect(sky[2]).toBeGreaterThan(180);
    const hood = pixel(f, 64, 32, 62);
    expect(hood[0]).toBeGreaterThan(hood[1] + 40); // the default car is red
    // Just above the bonnet, in the middle: asphalt grey (r ~ g ~ b).
    let roadRow = 0;
    for (let y = 63; y > 0; y--) {
      const [r, g, b] = pixel(f, 64, 32, y);
      if (Math.abs(r - g) < 12 && Math.abs(g - b) < 12 && r < 150) {
        roadRow = y;
        break;
      }
    }
    expect(roadRow).toBeGreaterThan(32);
    // Beside the road (the car keeps right, so on the right) there is grass: green.
    const side = pixel(f, 64, 63, roadRow - 6);
    expect(side[1]).toBeGreaterThan(side[2] + 20);
    // Painted lines are the brightest thing on the road's rows.
    let brightest = 0;
    for (let x = 0; x < 64; x++) brightest = Math.max(brightest, pixel(f, 64, x, roadRow - 1)[0]);
    expect(brightest).toBeGreaterThan(150);
    expect(scene.markings.length).toBeGreaterThan(0);
  });

  it('draws no bonnet when hood is off, and matches the size option', () => {
    const env = make({ randomize: plain, camera: { width: 160, height: 80, hood: false } });
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    const f = env.frame();
    expect(f.length).toBe(160 * 80 * 3);
    const [r, g, b] = pixel(f, 160, 80, 79);
    expect(Math.abs(r - g)).toBeLessThan(15); // asphalt, not red paint
    expect(Math.abs(g - b)).toBeLessThan(15);
    expect(encodePng(f, 160, 80).subarray(1, 4).toString()).toBe('PNG');
  });

  it('anti-aliasing approaches the true pixel average (a 16x supersampled render)', () => {
    const render = (size: number, antiAlias: boolean) => {
      const env = make({ randomize: plain, camera: { width: size, height: size, antiAlias } });
      env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
      for (let i = 0; i < 30; i++) env.step(Float32Array.of(0));
      return env.frame().slice();
    };
    const hi = render(256, false);
    const truth = new Float64Array(64 * 64 * 3);
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 256; x++) for (let c = 0; c < 3; c++) truth[((y >> 2) * 64 + (x >> 2)) * 3 + c]! += hi[(y * 256 + x) * 3 + c]! / 16;
    const error = (f: Uint8Array, y0: number, y1: number) => {
      let e = 0;
      for (let i = y0 * 192; i < y1 * 192; i++) e += Math.abs(f[i]! - truth[i]!);
      return e / ((y1 - y0) * 192);
    };
    const aa = render(64, true);
    const point = render(64, false);
    expect(error(aa, 0, 64)).toBeLessThan(0.8 * error(point, 0, 64));
    // The distant road, where lines are thinner than a pixel.
    expect(error(aa, 24, 48)).toBeLessThan(0.8 * error(point, 24, 48));
  });

  it('the fast anti-aliased shading matches the general per-pixel path (styles, lighting, props on)', () => {
    // Two identical envs; the second's camera shades with the general path (ground(), mixedPixel()).
    // The same sums in another order: they may differ by one grey level where a value rounds the other way.
    let maxDiff = 0;
    let sumDiff = 0;
    let n = 0;
    for (const seed of [3, 7, 11]) {
      const fast = make({ obs: 'pixels', camera: { width: 64, height: 64 } });
      const ref = make({ obs: 'pixels', camera: { width: 64, height: 64 } });
      fast.reset(seed);
      ref.reset(seed);
      ref.frame();
      (ref as unknown as { camera: DriverCamera }).camera.referenceShading = true;
      for (let i = 0; i < 12; i++) {
        const a = Float32Array.of(0.3 * Math.sin(i));
        const rf = fast.step(a);
        ref.step(a);
        const x = fast.frame();
        const y = ref.frame();
        for (let k = 0; k < x.length; k++) {
          const d = Math.abs(x[k]! - y[k]!);
          if (d > maxDiff) maxDiff = d;
          sumDiff += d;
          n++;
        }
        if (rf.terminated || rf.truncated) break;
      }
    }
    expect(n).toBeGreaterThan(64 * 64 * 3 * 20);
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(sumDiff / n).toBeLessThan(0.001);
  });

  it('renders a pose the same whatever it rendered before, rolled and pitched poses included (no stale samples)', () => {
    // The camera skips samples no pixel reads (sky rows between sky rows, rows under the bonnet)
    // and keeps the previous frame's values there: no image may depend on them.
    const env = make({ obs: 'pixels', camera: { width: 48, height: 40 } });
    env.reset(5);
    for (let i = 0; i < 5; i++) env.step(Float32Array.of(0.2));
    env.frame();
    const cam = (env as unknown as { camera: DriverCamera }).camera;
    const hint = (env as unknown as { roadIndex: number }).roadIndex;
    const F0 = cam.F.slice(),
      R0 = cam.R.slice(),
      D0 = cam.D.slice();
    const poses: [number, number][] = [
      [0, 0],
      [0.9, 0],
      [-1.6, 0.1],
      [0.3, 0.5],
      [0, -0.4],
      [3.1, 0.2],
      [Math.PI, -0.1],
      [-0.2, 0.9],
    ]; // roll, pitch up (rad); upside down: the sky below the ground
    const render = ([roll, pitch]: [number, number], reference = false) => {
      for (let k = 0; k < 3; k++) {
        // Pitch about R, then roll about the new forward axis.
        const f = Math.cos(pitch) * F0[k]! - Math.sin(pitch) * D0[k]!;
        const d = Math.sin(pitch) * F0[k]! + Math.cos(pitch) * D0[k]!;
        cam.F[k] = f;
        cam.R[k] = Math.cos(roll) * R0[k]! + Math.sin(roll) * d;
        cam.D[k] = -Math.sin(roll) * R0[k]! + Math.cos(roll) * d;
      }
      cam.referenceShading = reference;
      const img = cam.render(hint).slice();
      cam.referenceShading = false;
      return img;
    };
    const forward = poses.map((p) => render(p));
    const backward = poses
      .slice()
      .reverse()
      .map((p) => render(p))
      .reverse();
    for (let i = 0; i < poses.length; i++) expect(Array.from(backward[i]!)).toEqual(Array.from(forward[i]!));
    // The general per-pixel path (which reads every sample of the pixels it shades) agrees too.
    for (let i = 0; i < poses.length; i++) {
      const ref = render(poses[i]!, true);
      let maxDiff = 0;
      for (let k = 0; k < ref.length; k++) maxDiff = Math.max(maxDiff, Math.abs(ref[k]! - forward[i]![k]!));
      expect(maxDiff).toBeLessThanOrEqual(1);
    }
    // Some of these poses see sky rows above ground rows, and all of them the bonnet.
    expect(forward.some((f) => f[2]! > f[0]! + 20)).toBe(true);
  });

  it('applies pose jitter and brightness jitter, deterministically per seed', () => {
    const base = make({ camera: { width: 32, height: 32 } });
    const jit = make({ camera: { width: 32, height: 32, jitterAngleDeg: 1, brightnessJitter: 0.1 } });
    base.reset(4);
    jit.reset(4);
    const a = base.frame().slice();
    const b = jit.frame().slice();
    expect(Array.from(b)).not.toEqual(Array.from(a));
    const again = make({ camera: { width: 32, height: 32, jitterAngleDeg: 1, brightnessJitter: 0.1 } });
    again.reset(4);
    expect(Array.from(again.frame())).toEqual(Array.from(b));
  });

  it('shows the road bending the way it bends', () => {
    // Find a place where the road ahead turns firmly left, and check more asphalt on the left half.
    const env = make({ randomize: plain, camera: { width: 64, height: 64 } });
    env.reset(0, { roadSeed: SEED, offset: 0, headingError: 0 });
    const road = (env as unknown as { world: { road: { curvatureAt(s: number): number; length: number } } }).world.road;
    let s = 0;
    for (let k = 60; k < road.length - 200; k += 2)
      if (road.curvatureAt(k + 15) > 0.02 && road.curvatureAt(k + 25) > 0.02) {
        s = k;
        break;
      }
    expect(s).toBeGreaterThan(0);
    // Drive there on the lane centre by resetting the pose through the safety driver.
    const state = env.getState();
    state[4] = s; // s
    env.setState(state);
    env.recover();
    const f = env.frame();
    let left = 0;
    let right = 0;
    for (let y = 24; y < 40; y++) {
      for (let x = 0; x < 64; x++) {
        const [r, g, b] = pixel(f, 64, x, y);
        const grey = Math.abs(r - g) < 10 && Math.abs(g - b) < 10 && r < 140;
        if (grey) x < 32 ? left++ : right++;
      }
    }
    expect(left).toBeGreaterThan(right);
  });
});
