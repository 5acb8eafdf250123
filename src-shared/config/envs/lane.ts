/**
 * Options of the `lane` env: procedural lane following after Kendall et al. 2018 ("Learning to
 * Drive in a Day"). Every field has a documented default. Units: metres, seconds, degrees
 * where the name says Deg.
 */
import { z } from 'zod';

/** Road seeds for training (drawn by the env on reset) and for held-out evaluation: disjoint ranges [first, first + count). */
export const LANE_TRAIN_SEEDS = { first: 0, count: 1_000_000 } as const;
export const LANE_TEST_SEEDS = { first: 1_000_000, count: 10_000 } as const;

/** The first `n` held-out test seeds (the default evaluation set). */
export function laneTestSeeds(n = 10): number[] {
  return Array.from({ length: n }, (_, i) => LANE_TEST_SEEDS.first + i);
}

export function isLaneTestSeed(seed: number): boolean {
  return seed >= LANE_TEST_SEEDS.first && seed < LANE_TEST_SEEDS.first + LANE_TEST_SEEDS.count;
}

export const LaneObsKind = z.enum(['state', 'pixels', 'vae']);
export type LaneObsKind = z.infer<typeof LaneObsKind>;

const range = (lo: number, hi: number, def: [number, number], what: string) =>
  z
    .tuple([z.number().min(lo).max(hi), z.number().min(lo).max(hi)])
    .refine(([a, b]) => a <= b, 'the first number must not exceed the second')
    .default(def)
    .describe(`${what}: [min, max], drawn per road seed.`);

export const LaneCameraConfig = z.object({
  width: z.number().int().min(8).max(640).default(64).describe('Camera image width (pixels).'),
  height: z.number().int().min(8).max(480).default(64).describe('Camera image height (pixels).'),
  hFovDeg: z.number().min(20).max(150).default(75).describe('Horizontal field of view (degrees); pixels are square.'),
  heightM: z.number().min(0.5).max(3).default(1.6).describe('Camera height above the ground at rest (m); 1.6 = a roof-mounted camera.'),
  forwardM: z.number().min(-2).max(2).default(0.8).describe("Camera position ahead of the car's centre (m)."),
  pitchDeg: z.number().min(-30).max(45).default(11).describe('Downward pitch of the optical axis (degrees).'),
  hood: z.boolean().default(true).describe("Draw the car's bonnet at the bottom of the image, as a driver sees it."),
  antiAlias: z.boolean().default(true).describe('Analytic box-filter coverage of edges and thin distant lines (off: one sample per pixel).'),
  jitterPositionM: z.number().min(0).max(0.5).default(0).describe('Per-frame camera position jitter, standard deviation (m), e.g. 0.01 for vibration.'),
  jitterAngleDeg: z.number().min(0).max(10).default(0).describe('Per-frame camera yaw/pitch/roll jitter, standard deviation (degrees).'),
  mountJitterDeg: z.number().min(0).max(10).default(0).describe('Per-episode camera mount pitch/yaw offset, standard deviation (degrees).'),
  brightnessJitter: z.number().min(0).max(0.5).default(0).describe('Per-frame brightness factor jitter, standard deviation (1 = none), e.g. 0.05.'),
});
export type LaneCameraConfig = z.infer<typeof LaneCameraConfig>;

export const LaneRoadConfig = z.object({
  lengthM: z.number().min(400).max(20_000).default(1200).describe('Generated road length (m); episodes start 30 m in and need 150 m of road ahead.'),
  minRadiusM: z
    .number()
    .min(15)
    .max(1000)
    .default(25)
    .describe('Tightest bend radius (m); raised when needed so bends stay drivable at the target speed (4 m/s^2 lateral).'),
  curviness: z.number().min(0).max(1).default(0.5).describe('0: mostly straights and gentle arcs; 1: mostly bends and S-bends.'),
  maxHeadingDeg: z
    .number()
    .min(20)
    .max(85)
    .default(75)
    .describe('Largest road heading away from the initial direction (degrees); keeps roads from looping back on themselves.'),
  laneWidthM: range(2.5, 5, [3.0, 3.75], 'Lane width (m)'),
  laneCount: range(1, 4, [1, 3], 'Lanes on the road (the car drives in the rightmost)'),
});
export type LaneRoadConfig = z.infer<typeof LaneRoadConfig>;

export const LaneRandomizeConfig = z.object({
  style: z
    .boolean()
    .default(true)
    .describe('Per road seed: asphalt, verge, grass and sky colours and textures, marking styles (solid, dashed, double, missing; white, yellow).'),
  lighting: z.boolean().default(true).describe('Per road seed: sun direction, brightness and tint, and fog distance.'),
  props: z.boolean().default(true).describe('Roadside props (trees, bushes, poles, posts, signs) with random density; off: none.'),
});
export type LaneRandomizeConfig = z.infer<typeof LaneRandomizeConfig>;

/** How the `vae` observation's conv encoder is set up for RL (see src-main/rl/encoder/). */
export const LaneVaeEncoderMode = z.enum(['frozen', 'finetune', 'scratch']);
export type LaneVaeEncoderMode = z.infer<typeof LaneVaeEncoderMode>;

export const LaneVaeObsConfig = z.object({
  model: z
    .string()
    .min(1)
    .max(4096)
    .default('vae/model')
    .describe(
      'The pretrained VAE (a model folder written by the drive pipeline\'s vae stage); a relative path is resolved against the run folder. Not read in "scratch" mode.',
    ),
  mode: LaneVaeEncoderMode.default('frozen').describe(
    '"frozen": the VAE encoder\'s latent mean is the observation (replay stores latents); "finetune": the encoder starts from the VAE and is trained by the critic loss, actor gradients stopped (SAC-AE, Yarats et al.; replay stores uint8 frames); "scratch": the same conv encoder from random weights, trained by the critic loss (the "deep RL from pixels" baseline; no VAE).',
  ),
  normalize: z
    .boolean()
    .default(true)
    .describe(
      '"frozen" and "finetune": standardize each latent dimension with its mean and standard deviation over the VAE\'s training frames (folded into the encoder\'s last layer, so exports are unchanged in shape).',
    ),
  filters: z
    .array(z.number().int().min(1).max(1024))
    .min(1)
    .max(6)
    .default([32, 64, 128, 256])
    .describe('"scratch" only: filters of the 4x4 stride-2 encoder convs (the other modes take the VAE\'s).'),
  latentDim: z.number().int().min(1).max(1024).default(32).describe('"scratch" only: latent size (the other modes take the VAE\'s).'),
});
export type LaneVaeObsConfig = z.infer<typeof LaneVaeObsConfig>;

export const LaneEnvConfig = z.object({
  id: z.literal('lane'),
  obs: LaneObsKind.default('state').describe(
    'Observation: "state" = [lane offset, heading error, curvature at 5/10/20/40 m ahead, speed, steering] (fast, for debugging and baselines); "pixels" = camera image (H*W*3 in [0,1], HWC) followed by speed and steering; "vae" = the pixels observation read through a convolutional VAE encoder: the policy sees [latent, speed, steering] (options in `vae`).',
  ),
  vae: LaneVaeObsConfig.optional().describe(
    'Options of the "vae" observation (read only when obs is "vae"; absent = the defaults): which VAE, and whether its encoder is frozen, fine-tuned or trained from scratch.',
  ),
  camera: LaneCameraConfig.default(LaneCameraConfig.parse({})).describe('The driver-view camera (used by the pixels observation and frame()).'),
  road: LaneRoadConfig.default(LaneRoadConfig.parse({})).describe('Procedural road generation.'),
  randomize: LaneRandomizeConfig.default(LaneRandomizeConfig.parse({})).describe('Domain randomization per road seed.'),
  actionRepeat: z.number().int().min(1).max(30).default(3).describe('Physics steps (1/60 s each) per env step; 3 = 20 Hz control.'),
  throttle: z
    .boolean()
    .default(false)
    .describe(
      'false: the action is steering only and a cruise controller holds targetSpeedMps (as in Kendall et al.); true: a second action, throttle/brake in [-1, 1].',
    ),
  // Optional (absent = false) so configs written before it keep their digest and still resume.
  speedSetpoint: z
    .boolean()
    .optional()
    .describe(
      "true: a second action in [-1, 1] sets the cruise controller's speed, (a + 1) / 2 * maxSpeedMps (Kendall et al.'s speed set-point); absent or false: the controller holds targetSpeedMps. Not together with throttle.",
    ),
  // Optional (absent = continuous steering) so existing runs' configs keep their digest.
  steeringBins: z
    .number()
    .int()
    .min(3)
    .max(21)
    .optional()
    .describe(
      'Discrete steering (for the DQN family): the action is one of this many steering positions evenly spaced over [-maxSteerDeg, +maxSteerDeg] (odd counts include straight ahead; 5-9 is typical). Needs throttle off. Absent: continuous steering.',
    ),
  targetSpeedMps: z.number().min(1).max(30).default(8).describe('Cruise-control speed (without speedSetpoint) and the start speed (m/s).'),
  maxSpeedMps: z.number().min(2).max(60).default(15).describe('Engine governor: no drive force above this speed (m/s); also scales the speed observation.'),
  maxSteerDeg: z.number().min(5).max(45).default(30).describe('Road-wheel angle at steering action +-1 (degrees); + steers left.'),
  steerRateDegPerS: z.number().min(10).max(2000).default(120).describe('Steering actuator rate limit (degrees/s).'),
  maxDistanceM: z.number().min(10).max(19_000).default(1000).describe('Truncate the episode after this distance along the road (m).'),
  maxEpisodeSteps: z.number().int().min(1).max(1_000_000).default(4000).describe('Truncate the episode after this many env steps.'),
  headingLimitDeg: z.number().min(5).max(180).default(45).describe('Disengagement when the heading error passes this (degrees).'),
  stallSpeedMps: z.number().min(0).max(5).default(0.5).describe('Below this speed (m/s) for stallSeconds the car has stalled: a disengagement.'),
  stallSeconds: z.number().min(0.1).max(60).default(3).describe('Seconds below stallSpeedMps that count as a stall.'),
  initialOffsetStdM: z.number().min(0).max(1).default(0.2).describe('Start: lateral offset from the lane centre, standard deviation (m).'),
  initialHeadingStdDeg: z.number().min(0).max(20).default(2).describe('Start: heading error, standard deviation (degrees).'),
});
export type LaneEnvConfig = z.infer<typeof LaneEnvConfig>;
export type LaneEnvConfigInput = z.input<typeof LaneEnvConfig>;

/** Actions of a lane env: steering, plus throttle or a speed set-point when configured. */
export function laneActionDim(config: Pick<LaneEnvConfig, 'throttle' | 'speedSetpoint'>): number {
  return config.throttle || config.speedSetpoint ? 2 : 1;
}
