import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../src-main/services/engine.js';
import { ArmPose, ArmScene } from '../../../../src-shared/scene/arm.js';
import { EnvConfig } from '../../../../src-shared/config/envs';
import type { ArmEnv } from '../../../../src-main/sim/arm/arm-env.js';
import { forwardKinematics, N_BODIES, POSE_STRIDE } from '../../../../src-main/sim/arm/kinematics.js';
import { JOINTS } from '../../../../src-main/sim/arm/model.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';
import { tempDir } from '../../../helpers/tmp.js';

describe('arm scene for the three.js view', () => {
  const tmp = tempDir();
  const engine = new Engine({ runsDir: tmp.dir });
  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('answers scene.arm with bodies, joints, table, target and a start pose that matches the kinematics', async () => {
    const scene = await engine.client().request('scene.arm', { env: 'arm-reach', seed: 3 });
    expect(ArmScene.safeParse(scene).success).toBe(true);
    expect(scene.up).toBe('z');
    expect(scene.bodies.map((b) => b.name)).toEqual(['base', 'turret', 'upper-arm', 'forearm', 'wrist', 'paddle']);
    expect(scene.bodies.at(-1)!.role).toBe('end-effector');
    expect(scene.joints).toHaveLength(JOINTS.length);
    expect(scene.controlDt).toBeCloseTo(10 / 240, 12);
    const pose = scene.initialPose;
    expect(pose.bodies).toHaveLength(POSE_STRIDE * scene.bodies.length);
    const fk = forwardKinematics(
      JOINTS.map((j) => j.neutral),
      new Float64Array(POSE_STRIDE * N_BODIES),
    );
    for (let k = 0; k < fk.length; k++) expect(pose.bodies[k]).toBeCloseTo(fk[k]!, 9);
    for (let k = 0; k < 3; k++) {
      expect(pose.target[k]).toBeGreaterThanOrEqual(scene.goalRegion.low[k]!);
      expect(pose.target[k]).toBeLessThanOrEqual(scene.goalRegion.high[k]!);
    }
    const other = await engine.client().request('scene.arm', { env: 'arm-reach', seed: 4 });
    expect(other.initialPose.target).not.toEqual(pose.target);
  });

  it('includes the cube for arm-push and rejects unknown envs', async () => {
    const scene = await engine.client().request('scene.arm', { env: 'arm-push' });
    expect(scene.bodies.at(-1)).toMatchObject({ name: 'cube', role: 'cube' });
    expect(scene.initialPose.bodies).toHaveLength(POSE_STRIDE * scene.bodies.length);
    const reply = await engine.dispatcher.handleEnvelope({ type: 'req', id: 1, channel: 'scene.arm', payload: { env: 'arm-moon' } });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('bad-request');
  });

  it('gives per-step poses that satisfy the ArmPose schema while an episode plays', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-push' })) as ArmEnv;
    env.reset(1);
    const a = new Float32Array(env.actionSpace.shape[0]!).fill(0.3);
    for (let t = 0; t < 5; t++) env.step(a);
    const pose = env.pose();
    expect(ArmPose.parse(pose)).toEqual(pose);
    expect(pose.step).toBe(5);
    expect(pose.t).toBeCloseTo(5 * env.controlDtS, 12);
    expect(pose.joints).toHaveLength(JOINTS.length);
  });
});
