/**
 * The robot arm as the three.js view sees it: a static scene description (bodies with their
 * shapes and colours, joints, table, target marker), sent once on the `scene.arm` request
 * channel, and a per-step pose (every body's position and orientation, the target, the
 * end-effector) for streaming while an episode plays.
 *
 * Frame: z is up (as in robotics and panda-gym; set camera.up = (0, 0, 1) or rotate the root
 * -90 degrees about x for a y-up scene). Units: metres, radians, seconds. Quaternions are
 * [x, y, z, w] like three.js's Quaternion.set(x, y, z, w).
 */
import { z } from 'zod';

export const ArmEnvIdSchema = z.enum(['arm-reach', 'arm-push']);

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/);

/** One rigid body of the scene; every body's shape is a box centred on the body origin. */
export const ArmSceneBody = z.object({
  name: z.string(),
  role: z.enum(['base', 'link', 'end-effector', 'cube']),
  shape: z.object({ kind: z.literal('box'), halfExtents: Vec3 }),
  colour: Colour,
});
export type ArmSceneBody = z.infer<typeof ArmSceneBody>;

export const ArmSceneJoint = z.object({
  name: z.string(),
  /** Indices into `bodies`. */
  parent: z.number().int().min(0),
  child: z.number().int().min(0),
  /** Hinge axis and pivot in the parent body's frame (m). */
  axis: Vec3,
  pivot: Vec3,
  lower: z.number(),
  upper: z.number(),
});
export type ArmSceneJoint = z.infer<typeof ArmSceneJoint>;

/**
 * Where everything is at one instant. `bodies` holds 7 numbers per body in the order of
 * ArmScene.bodies: [x, y, z, qx, qy, qz, qw].
 */
export const ArmPose = z.object({
  /** Control steps since the episode began. */
  step: z.number().int().min(0),
  /** Simulated time since the episode began (s). */
  t: z.number().min(0),
  bodies: z.array(z.number()),
  /** Joint angles (rad), root to tip. */
  joints: z.array(z.number()),
  /** End-effector point (m). */
  endEffector: Vec3,
  /** The goal (m): the reach target, or where the cube must go. */
  target: Vec3,
  /** Whether the goal is met at this instant. */
  success: z.boolean(),
});
export type ArmPose = z.infer<typeof ArmPose>;

export const ArmScene = z.object({
  env: ArmEnvIdSchema,
  up: z.literal('z'),
  /** Physics step and control step (s). */
  physicsDt: z.number().positive(),
  controlDt: z.number().positive(),
  bodies: z.array(ArmSceneBody),
  joints: z.array(ArmSceneJoint),
  /** The end-effector point: a body index and an offset in that body's frame (m). */
  endEffector: z.object({ body: z.number().int().min(0), offset: Vec3 }),
  /** The table: its top surface is at z = top; centre and size are the top's rectangle (m). */
  table: z.object({
    centre: z.tuple([z.number(), z.number()]),
    size: z.tuple([z.number(), z.number()]),
    top: z.number(),
    thickness: z.number(),
    colour: Colour,
  }),
  /** The goal marker: a sphere of radius `radius`; success within `threshold` (m). */
  target: z.object({ radius: z.number().positive(), threshold: z.number().positive(), colour: Colour }),
  /** Box the goals are drawn from (m). */
  goalRegion: z.object({ low: Vec3, high: Vec3 }),
  /** The scene at the start of an episode (for the seed the request named). */
  initialPose: ArmPose,
});
export type ArmScene = z.infer<typeof ArmScene>;

/** Request of the `scene.arm` channel. */
export const ArmSceneRequest = z
  .object({
    env: ArmEnvIdSchema,
    /** Seed of the episode whose start `initialPose` shows. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
  })
  .strict();
