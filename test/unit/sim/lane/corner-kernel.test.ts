import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LaneEnvConfig, type LaneEnvConfigInput } from '../../../../src-shared/config/envs/lane.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { buildCornersWasm, cornersWasmModule } from '../../../../src-main/sim/lane/build-corners-wasm.mjs';
import type { DriverCamera } from '../../../../src-main/sim/lane/camera/driver-camera.js';
import { LaneEnv } from '../../../../src-main/sim/lane/lane-env.js';

const make = (input: Omit<LaneEnvConfigInput, 'id'>) => new LaneEnv(LaneEnvConfig.parse({ id: 'lane', ...input }));
const cameraOf = (env: LaneEnv) => {
  env.reset(0);
  env.frame();
  return (env as unknown as { camera: DriverCamera }).camera;
};

/** Every per-sample and per-row array the corner casting writes, as bytes. */
function samples(cam: DriverCamera): Uint8Array[] {
  const c = cam as unknown as Record<string, Float64Array | Uint8Array>;
  return ['cS', 'cD', 'cT', 'cX', 'cY', 'cE', 'cF', 'cV', 'cK', 'rowSky', 'rowPartial', 'rowE0', 'rowDe', 'rowBh'].map((k) => {
    const a = c[k]!;
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  });
}

describe('camera corner kernel (WebAssembly)', () => {
  it('is built from its AssemblyScript source (the committed module is not stale)', async () => {
    const committed = readFileSync(new URL('../../../../src-main/sim/lane/corners-wasm.ts', import.meta.url), 'utf8');
    expect(cornersWasmModule(await buildCornersWasm())).toBe(committed);
  }, 60_000);

  it.each([
    ['64x64', { width: 64, height: 64 }, false],
    ['160x80 with pose jitter (rolled rays)', { width: 160, height: 80, jitterAngleDeg: 2, jitterPositionM: 0.05 }, false],
    ['48x40 without bonnet or anti-aliasing', { width: 48, height: 40, hood: false, antiAlias: false }, false],
    ['64x64, every sample (reference shading)', { width: 64, height: 64 }, true],
  ])('casts the same samples as the TypeScript, bit for bit: %s', (_name, camera, reference) => {
    const wasm = make({ obs: 'pixels', camera });
    const ts = make({ obs: 'pixels', camera });
    const cw = cameraOf(wasm);
    const ct = cameraOf(ts);
    ct.kernelCast = false;
    cw.referenceShading = reference;
    ct.referenceShading = reference;
    const rng = new Rng(3);
    const act = new Float32Array(1);
    let frames = 0;
    let roads = 0;
    for (const seed of [1, 2, 1_000_003]) {
      wasm.reset(seed);
      ts.reset(seed);
      roads++;
      for (let i = 0; i < 80; i++) {
        // Weaving, and now and then a hard turn off the road (far grass, the band's edges, sky).
        act[0] = i % 50 > 40 ? 1 : Math.sin(i / 9) * 0.5 + 0.2 * rng.normal();
        const a = wasm.step(act);
        const b = ts.step(act);
        expect(Array.from(wasm.frame())).toEqual(Array.from(ts.frame()));
        const sa = samples(cw);
        const sb = samples(ct);
        for (let k = 0; k < sa.length; k++) expect(Buffer.compare(sa[k]!, sb[k]!)).toBe(0);
        frames++;
        expect(b.terminated).toBe(a.terminated);
        if (a.terminated || a.truncated) {
          // A new road (the kernel's road copy changes, its memory may grow).
          wasm.reset(seed + 10 * i);
          ts.reset(seed + 10 * i);
          roads++;
        }
      }
    }
    expect(roads).toBeGreaterThan(3);
    expect(frames).toBe(240);
  });
});
