/**
 * The robot arm and its workspace, as data: one source for the physics (arm-world.ts), the
 * kinematics (kinematics.ts), the scripted controllers and the three.js scene description.
 *
 * Frame: world z is up, metres, radians, kilograms, seconds. The table top is the plane z = 0;
 * the workspace (targets, cube) is centred on the world origin, as in panda-gym, and the arm's
 * fixed base stands at BASE_POSITION, behind it on the -x side.
 *
 * The arm: a static base, then five revolute joints: base yaw (about z), shoulder, elbow and
 * wrist pitch (about the link's y axis), and wrist roll (about the paddle's long axis), ending in
 * a flat paddle. In the zero pose every link points straight up; a positive pitch leans the link
 * towards +x (forward). The roll turns the paddle's face, so it can push square-on in any
 * direction.
 */

/** Physics step: 240 Hz. The joints stay within millimetres at this step (see arm-world.ts). */
export const PHYSICS_DT = 1 / 240; // s
export const GRAVITY = 9.81; // m/s^2

/** Where the base's bottom centre stands on the table (m). */
export const BASE_POSITION: readonly [number, number, number] = [-0.4, 0, 0];

export interface LinkSpec {
  readonly name: string;
  /** Half extents of the link's box (m), in the link frame; the body origin is the box centre. */
  readonly halfExtents: readonly [number, number, number];
  readonly mass: number; // kg
  /** sRGB colour for the view, '#rrggbb'. */
  readonly colour: string;
}

export interface JointSpec {
  readonly name: string;
  /** Rotation axis in both link frames (they coincide at angle 0). */
  readonly axis: 'y' | 'z';
  /** Pivot in the parent link frame (m). */
  readonly parentPivot: readonly [number, number, number];
  /** Pivot in the child link frame (m). */
  readonly childPivot: readonly [number, number, number];
  readonly lower: number; // rad
  readonly upper: number; // rad
  /** Motor torque limit (N m). */
  readonly maxTorque: number;
  /** Speed limit of the joint servo (rad/s); velocity actions are scaled to it. */
  readonly maxSpeed: number;
  /** Angle at reset (rad). */
  readonly neutral: number;
}

/** The static base block (half extents, m); its bottom rests on the table. */
export const BASE_LINK: LinkSpec = { name: 'base', halfExtents: [0.07, 0.07, 0.025], mass: 0, colour: '#3a3f47' };

/** Moving links, root to tip; LINKS[i] is the child of JOINTS[i]. */
export const LINKS: readonly LinkSpec[] = [
  { name: 'turret', halfExtents: [0.045, 0.045, 0.1], mass: 1.0, colour: '#e07b39' },
  { name: 'upper-arm', halfExtents: [0.03, 0.03, 0.175], mass: 1.2, colour: '#d9d9d9' },
  { name: 'forearm', halfExtents: [0.025, 0.025, 0.165], mass: 0.8, colour: '#e07b39' },
  { name: 'wrist', halfExtents: [0.025, 0.025, 0.02], mass: 0.15, colour: '#3a3f47' },
  // The paddle: thin along x (its face normal), wide along y.
  { name: 'paddle', halfExtents: [0.01, 0.05, 0.05], mass: 0.2, colour: '#2f6fb5' },
];

export const JOINTS: readonly JointSpec[] = [
  { name: 'base-yaw', axis: 'z', parentPivot: [0, 0, 0.025], childPivot: [0, 0, -0.1], lower: -1.6, upper: 1.6, maxTorque: 10, maxSpeed: 2.5, neutral: 0 },
  { name: 'shoulder', axis: 'y', parentPivot: [0, 0, 0.1], childPivot: [0, 0, -0.175], lower: -0.6, upper: 2.0, maxTorque: 20, maxSpeed: 2.0, neutral: 0.36 },
  { name: 'elbow', axis: 'y', parentPivot: [0, 0, 0.175], childPivot: [0, 0, -0.165], lower: -0.3, upper: 2.6, maxTorque: 10, maxSpeed: 2.5, neutral: 2.02 },
  { name: 'wrist', axis: 'y', parentPivot: [0, 0, 0.165], childPivot: [0, 0, -0.02], lower: -1.9, upper: 1.9, maxTorque: 4, maxSpeed: 3.0, neutral: 0.76 },
  { name: 'wrist-roll', axis: 'z', parentPivot: [0, 0, 0.02], childPivot: [0, 0, -0.05], lower: -1.6, upper: 1.6, maxTorque: 2, maxSpeed: 3.0, neutral: 0 },
];

export const N_JOINTS = JOINTS.length;

/** The end-effector point: the centre of the paddle's far edge, in the paddle frame (m). */
export const EE_OFFSET: readonly [number, number, number] = [0, 0, 0.05];

/**
 * Added to each principal moment of inertia of every link (kg m^2), like a motor's armature:
 * it keeps the thin links' tiny moments from slowing the iterative solver's convergence.
 */
export const LINK_ARMATURE = 0.002;

/** The cube of the push task. */
export const CUBE = { halfSize: 0.02, mass: 0.5, colour: '#c23b3b' } as const;

/** Friction coefficients (Coulomb, see arm-world.ts for how cannon-es is made to honour them). */
export const FRICTION = { cubeTable: 0.5, armCube: 0.3, armTable: 0.3 } as const;

/** The table shown in the view (the physics uses the infinite plane z = 0). */
export const TABLE = { size: [1.4, 1.0] as const, centre: [-0.15, 0] as const, thickness: 0.04, colour: '#8b6b4a' } as const;

/**
 * Goal and object ranges (m), as panda-gym: reach targets uniform in a 0.3 m cube
 * x, y in [-0.15, 0.15], z in [0, 0.3]; push cube start and goal uniform in x, y in [-0.15, 0.15]
 * on the table.
 */
export const REACH_TARGET_LOW: readonly [number, number, number] = [-0.15, -0.15, 0];
export const REACH_TARGET_HIGH: readonly [number, number, number] = [0.15, 0.15, 0.3];
export const PUSH_XY_RANGE = 0.15;

/** Servo gain: the joint speed command is kp * angle error (1/s), clipped to maxSpeed. */
export const SERVO_KP = 20;
/** Servo references stay this far inside the joint limits (rad), so servos never press on a limit. */
export const SERVO_LIMIT_MARGIN = 0.02;
/** Velocity control: how far the servo's reference may run ahead of the joint (rad). */
export const SERVO_MAX_LEAD = 0.1;
