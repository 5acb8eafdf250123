/**
 * Options of the robot-arm envs (cannon-es physics, see src-main/sim/arm/): `arm-reach` (move the
 * paddle tip to a random target) and `arm-push` (push a cube to a target on the table), after
 * panda-gym's Reach and Push.
 */
import { z } from 'zod';
import { LaneVaeObsConfig } from './lane.js';

const armCommon = {
  maxEpisodeSteps: z.number().int().min(1).max(100_000).default(50).describe('Time limit (truncation) in control steps; panda-gym uses 50.'),
  control: z
    .enum(['position', 'velocity'])
    .default('velocity')
    .describe(
      'What an action sets per joint: "velocity" = a joint speed up to the joint\'s limit, "position" = an angle target spanning the joint range; either way a position-feedback servo with torque limits drives the joint. TD3 learns arm-reach faster and more precisely with velocity (bench/RESULTS.md).',
    ),
  reward: z
    .enum(['dense', 'sparse'])
    .default('dense')
    .describe('"dense" = minus the distance to the goal (m); "sparse" = 0 on success, -1 otherwise (as panda-gym).'),
  distanceThreshold: z.number().min(0.001).max(1).default(0.05).describe('Success when the distance to the goal is below this (m).'),
  physicsStepsPerAction: z
    .number()
    .int()
    .min(1)
    .max(240)
    .default(10)
    .describe("Physics steps (1/240 s each) per control step: 10 = 24 Hz control, about panda-gym's 25 Hz (a 50-step episode lasts 2.1 s)."),
  terminateOnSuccess: z.boolean().default(false).describe('End the episode (terminated) on success; panda-gym runs the full episode.'),
  initialJointNoise: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe("Uniform noise (rad) added to each joint's neutral angle at reset; 0 = the fixed neutral pose, as panda-gym."),
  solverIterations: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(15)
    .describe('Constraint-solver iterations per physics step for the arm while it touches nothing.'),
  contactSolverIterations: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(40)
    .describe('Constraint-solver iterations in physics steps where the arm touches the table or the cube (keeps joints within millimetres under load).'),
};

/**
 * The camera observation (added after runs existed: optional, absent = "state", so older
 * configs keep their digest).
 */
const armCamera = {
  obs: z
    .enum(['state', 'pixels', 'vae'])
    .optional()
    .describe(
      'Observation: "state" (absent) = joint angles and speeds, end-effector (and cube) state, goal; "pixels" = the fixed table camera\'s image (H*W*3 in [0, 1], HWC) followed by the goal (3, m); "vae" = that observation read through a convolutional VAE encoder: the policy sees [latent, goal] (options in `vae`). With an image the env is not goal-conditioned for hindsight replay (the achieved goal is not in the observation): use uniform replay.',
    ),
  cameraSize: z.number().int().min(16).max(256).optional().describe('Width and height of the camera image in pixels (absent = 64).'),
  cameraLastAction: z
    .boolean()
    .optional()
    .describe(
      'With a camera observation ("pixels" or "vae"): also observe the previous action (the joint speed or angle targets the arm is following; zeros after a reset), after the goal. One frame shows where the arm is but not where it is going, and a policy that cannot tell oscillates around the goal. Absent = off.',
    ),
  vae: LaneVaeObsConfig.optional().describe('Options of the "vae" observation (read only when obs is "vae"; absent = the defaults), as for the lane.'),
};

export const ArmReachEnvConfig = z.object({
  id: z.literal('arm-reach'),
  ...armCommon,
  ...armCamera,
});

export const ArmPushEnvConfig = z.object({
  id: z.literal('arm-push'),
  ...armCommon,
  ...armCamera,
  reward: z
    .enum(['dense', 'sparse'])
    .default('sparse')
    .describe(
      '"sparse" = 0 on success, -1 otherwise (as panda-gym; the default here: with hindsight replay it learns, while minus the cube-to-goal distance never pays the arm for reaching the cube); "dense" = minus the distance to the goal (m).',
    ),
  cubeSolverIterations: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(20)
    .describe('Constraint-solver iterations for the cube while the arm does not touch it; a resting cube needs about 20 to stay put.'),
});

export type ArmReachEnvConfig = z.infer<typeof ArmReachEnvConfig>;
export type ArmPushEnvConfig = z.infer<typeof ArmPushEnvConfig>;
export type ArmEnvConfig = ArmReachEnvConfig | ArmPushEnvConfig;
export type ArmEnvId = ArmEnvConfig['id'];
/** Default camera image size (pixels, square). */
export const ARM_CAMERA_SIZE = 64;
export const ARM_ENV_IDS = ['arm-reach', 'arm-push'] as const satisfies readonly ArmEnvId[];
