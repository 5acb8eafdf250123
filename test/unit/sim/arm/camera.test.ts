import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs/index.js';
import { ArmEnv } from '../../../../src-main/sim/arm/arm-env.js';
import { ArmCamera } from '../../../../src-main/sim/arm/camera.js';
import { ArmCameraEnv } from '../../../../src-main/sim/arm/camera-env.js';
import { encodedImageObs, envViewOf, makeEnv, scriptedController } from '../../../../src-main/sim/registry.js';
import { isGoalEnv } from '../../../../src-main/sim/goal-env.js';

const push = (size = 64) => EnvConfig.parse({ id: 'arm-push', obs: 'pixels', cameraSize: size }) as Extract<EnvConfig, { id: 'arm-push' }>;
const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the arm camera', () => {
  it('gives bitwise-identical images for the same seed and pose, in separate envs', () => {
    const a = makeEnv(push()) as ArmCameraEnv;
    const b = makeEnv(push()) as ArmCameraEnv;
    expect(a).toBeInstanceOf(ArmCameraEnv);
    const ra = a.reset(17).obs.slice();
    // Pinned: a change of the renderer or the scene shows here (update deliberately).
    expect(hash(a.frame())).toBe('c1841dac95cfd83a5b2e024ed1f98a506130618f55ad953461bcb49708a832a8');
    const rb = b.reset(17).obs.slice();
    expect(Buffer.from(rb.buffer).equals(Buffer.from(ra.buffer))).toBe(true);
    const act = Float32Array.of(0.5, 0.8, -0.3, 0.4, 0.2);
    for (let t = 0; t < 4; t++) {
      const sa = a.step(act).obs;
      const sb = b.step(act).obs;
      expect(hash(a.frame())).toBe(hash(b.frame()));
      expect(Buffer.from(sa.buffer).equals(Buffer.from(sb.buffer))).toBe(true);
    }
    // Rendering the same poses again, with another camera object, gives the same bytes.
    const poses = new Float64Array(7 * a.camera.nBoxes);
    a.sim.arm.writePoses(poses);
    const again = new ArmCamera({ width: 64, height: 64 }, true).render(poses);
    expect(hash(again)).toBe(hash(a.frame()));
  });

  it('shows the arm move and the cube; the observation is [image / 255, goal] and the env is not goal-conditioned', () => {
    const env = makeEnv(push()) as ArmCameraEnv;
    const r = env.reset(3);
    expect(isGoalEnv(env)).toBe(false);
    expect(env.imageLayout).toEqual({ height: 64, width: 64, channels: 3, extraDim: 3 });
    expect(r.obs.length).toBe(64 * 64 * 3 + 3);
    const first = env.frame().slice();
    for (let i = 0; i < first.length; i += 97) expect(r.obs[i]).toBe(Math.fround(first[i]! / 255));
    expect(Array.from(r.obs.slice(-3))).toEqual(Array.from(r.info.desired_goal as Float32Array));
    // The cube's red is in the picture.
    let red = 0;
    for (let i = 0; i < first.length; i += 3) if (first[i]! > 120 && first[i + 1]! < 70 && first[i + 2]! < 70) red++;
    expect(red).toBeGreaterThan(3);
    for (let t = 0; t < 5; t++) env.step(Float32Array.of(1, -1, 1, 0, 0));
    let changed = 0;
    const now = env.frame();
    for (let i = 0; i < now.length; i++) if (now[i] !== first[i]) changed++;
    expect(changed).toBeGreaterThan(100);
    // The same episode as the state env: same goal and rewards.
    const state = new ArmEnv(EnvConfig.parse({ id: 'arm-push' }) as Extract<EnvConfig, { id: 'arm-push' }>);
    const s0 = state.reset(3);
    expect(Array.from(s0.info.desired_goal as Float32Array)).toEqual(Array.from(r.obs.slice(-3)));
  });

  it('observes the previous action after the goal with cameraLastAction (zeros after a reset), the rest unchanged', () => {
    const reach = (lastAction: boolean) =>
      makeEnv(EnvConfig.parse({ id: 'arm-reach', obs: 'pixels', cameraSize: 32, ...(lastAction ? { cameraLastAction: true } : {}) })) as ArmCameraEnv;
    const plain = reach(false);
    const env = reach(true);
    const pixels = 32 * 32 * 3;
    expect(env.imageLayout.extraDim).toBe(3 + 5); // the goal and 5 joints' targets
    expect(env.observationSpace.low.length).toBe(pixels + 8);
    const a = plain.reset(5).obs.slice();
    const b = env.reset(5).obs;
    expect(Array.from(b.subarray(0, pixels + 3))).toEqual(Array.from(a));
    expect(Array.from(b.subarray(pixels + 3))).toEqual([0, 0, 0, 0, 0]);
    const action = Float32Array.of(0.5, -2, 0.25, 1, -0.75);
    const s = env.step(action).obs;
    const t = plain.step(action).obs;
    expect(Array.from(s.subarray(0, pixels + 3))).toEqual(Array.from(t));
    expect(Array.from(s.subarray(pixels + 3))).toEqual([0.5, -1, 0.25, 1, -0.75]); // clipped to the action space
    expect(Array.from(env.reset(6).obs.subarray(pixels + 3))).toEqual([0, 0, 0, 0, 0]);
    expect(encodedImageObs(EnvConfig.parse({ id: 'arm-reach', obs: 'vae', cameraLastAction: true }))).toMatchObject({
      extraDim: 8,
      extraNames: ['goal x (m)', 'goal y (m)', 'goal z (m)', ...[1, 2, 3, 4, 5].map((j) => `previous action ${j}`)],
    });
  });

  it('is drawn in the live view and read by a VAE encoder with obs "vae"; no scripted controller on images', () => {
    const env = makeEnv(push(32));
    const cam = envViewOf(env)!.camera();
    expect(cam).toMatchObject({ width: 32, height: 32 });
    expect(cam!.rgb.length).toBe(32 * 32 * 3);
    expect(envViewOf(makeEnv(EnvConfig.parse({ id: 'arm-reach' })))!.camera()).toBeUndefined();
    const vae = encodedImageObs(EnvConfig.parse({ id: 'arm-reach', obs: 'vae' }));
    expect(vae).toMatchObject({ height: 64, width: 64, channels: 3, extraDim: 3 });
    expect(encodedImageObs(EnvConfig.parse({ id: 'arm-reach', obs: 'pixels' }))).toBeUndefined();
    expect(scriptedController(EnvConfig.parse({ id: 'arm-push', obs: 'pixels' }))).toBeUndefined();
    expect(scriptedController(EnvConfig.parse({ id: 'arm-push' }))).toBeTypeOf('function');
  });
});
