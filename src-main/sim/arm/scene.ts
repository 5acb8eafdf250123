/**
 * The static scene description of an arm env for the three.js view (schema in
 * src-shared/scene/arm.ts), built from the same model data as the physics.
 */
import { ArmPushEnvConfig, ArmReachEnvConfig, type ArmEnvId } from '../../../src-shared/config/envs/arm.js';
import type { ArmScene, ArmSceneBody, ArmSceneJoint } from '../../../src-shared/scene/arm.js';
import { ArmEnv } from './arm-env.js';
import { BASE_LINK, CUBE, EE_OFFSET, JOINTS, LINKS, PHYSICS_DT, PUSH_XY_RANGE, REACH_TARGET_HIGH, REACH_TARGET_LOW, TABLE } from './model.js';

type Vec3 = [number, number, number];
const v3 = (v: readonly number[]): Vec3 => [v[0]!, v[1]!, v[2]!];

/** The scene of an env, with the start of the episode `seed` as its initial pose. */
export function armScene(env: ArmEnv, seed: number): ArmScene {
  const bodies: ArmSceneBody[] = [
    { name: BASE_LINK.name, role: 'base', shape: { kind: 'box', halfExtents: v3(BASE_LINK.halfExtents) }, colour: BASE_LINK.colour },
    ...LINKS.map((l, i): ArmSceneBody => ({
      name: l.name,
      role: i === LINKS.length - 1 ? 'end-effector' : 'link',
      shape: { kind: 'box', halfExtents: v3(l.halfExtents) },
      colour: l.colour,
    })),
  ];
  if (env.id === 'arm-push') {
    const h = CUBE.halfSize;
    bodies.push({ name: 'cube', role: 'cube', shape: { kind: 'box', halfExtents: [h, h, h] }, colour: CUBE.colour });
  }
  const joints: ArmSceneJoint[] = JOINTS.map((j, i) => ({
    name: j.name,
    parent: i,
    child: i + 1,
    axis: j.axis === 'z' ? [0, 0, 1] : [0, 1, 0],
    pivot: v3(j.parentPivot),
    lower: j.lower,
    upper: j.upper,
  }));
  const goalLow: Vec3 = env.id === 'arm-reach' ? v3(REACH_TARGET_LOW) : [-PUSH_XY_RANGE, -PUSH_XY_RANGE, CUBE.halfSize];
  const goalHigh: Vec3 = env.id === 'arm-reach' ? v3(REACH_TARGET_HIGH) : [PUSH_XY_RANGE, PUSH_XY_RANGE, CUBE.halfSize];
  env.reset(seed);
  return {
    env: env.id,
    up: 'z',
    physicsDt: PHYSICS_DT,
    controlDt: env.controlDtS,
    bodies,
    joints,
    endEffector: { body: LINKS.length, offset: v3(EE_OFFSET) },
    table: { centre: [TABLE.centre[0], TABLE.centre[1]], size: [TABLE.size[0], TABLE.size[1]], top: 0, thickness: TABLE.thickness, colour: TABLE.colour },
    target: { radius: 0.02, threshold: env.config.distanceThreshold, colour: '#2fbf4f' },
    goalRegion: { low: goalLow, high: goalHigh },
    initialPose: env.pose(),
  };
}

/** The scene of an env id with its default options (the `scene.arm` channel). */
export function defaultArmScene(id: ArmEnvId, seed: number): ArmScene {
  const config = id === 'arm-reach' ? ArmReachEnvConfig.parse({ id }) : ArmPushEnvConfig.parse({ id });
  return armScene(new ArmEnv(config), seed);
}
