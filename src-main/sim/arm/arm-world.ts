/**
 * The arm's physics in cannon-es 0.20: a table (the plane z = 0), the static base, five links
 * joined by hinges with position-feedback servos, torque limits and joint limits, and optionally
 * the push task's cube.
 *
 * What keeps it physical (measured here, see test/unit/arm/fidelity.test.ts):
 * - dt = 1/240 s, and every constraint equation retuned for that step with
 *   setSpookParams(1e7, 4, dt) (cannon-es tunes them for 1/60 s otherwise); contacts take the
 *   world's dt themselves.
 * - LINK_ARMATURE added to each link's moments of inertia, and more solver iterations, spent
 *   where they are needed (arm-solver.ts: more while the arm touches something, 20 for the cube,
 *   on flat arrays so an iteration is cheap).
 * - Servos, not bare motors: a motor speed of 0 does not hold a pose in cannon-es. Every physics
 *   step each joint's motor speed is set from the angle error to the servo's reference,
 *   w = clip(ff + kp (ref - angle), +-maxSpeed), with its impulse bounded by maxTorque * dt
 *   (setMotorMaxForce takes an impulse per step).
 * - Friction: cannon-es bounds each contact point's friction impulse per step by
 *   mu * |frictionGravity| * reducedMass, a force used as an impulse, so with the default
 *   frictionGravity friction is 1/dt times too strong (a cube tips over instead of sliding).
 *   frictionGravity = g dt / 4 makes a box resting on its 4 contact points slide at the Coulomb
 *   force mu m g (tested). cannon-es's friction bound never looks at the normal force, so the
 *   paddle's grip on the cube does not grow with how hard it presses (a known simplification).
 *
 * State is only the bodies' positions, orientations and velocities plus the servo references:
 * cannon-es's solver keeps nothing between steps (no warm starting) and the naive broadphase
 * keeps no order, so snapshot()/restore() reproduce a trajectory bit for bit.
 */
import { Body, Box, ContactMaterial, HingeConstraint, Material, NaiveBroadphase, Plane, Vec3, World } from 'cannon-es';
import { ArmSolver } from './arm-solver.js';
import { forwardKinematics, N_BODIES, POSE_STRIDE } from './kinematics.js';
import { JointLimitEquation } from './joint-limit.js';
import {
  BASE_LINK,
  CUBE,
  EE_OFFSET,
  FRICTION,
  GRAVITY,
  JOINTS,
  LINK_ARMATURE,
  LINKS,
  N_JOINTS,
  PHYSICS_DT,
  SERVO_KP,
  SERVO_LIMIT_MARGIN,
  SERVO_MAX_LEAD,
} from './model.js';

/** How actions drive the joints: velocity targets (rad/s) or absolute angle targets (rad). */
export type ArmControlMode = 'velocity' | 'position';

export interface ArmWorldOptions {
  withCube: boolean;
  /** Gauss-Seidel iterations per physics step while the arm touches nothing. */
  solverIterations: number;
  /** Iterations in steps where the arm touches the table or the cube. */
  contactSolverIterations: number;
  /** Iterations for the cube while the arm does not touch it. */
  cubeSolverIterations?: number;
}

/** Everything that determines the future of an ArmWorld; plain numbers (JSON-safe, exact). */
export interface ArmWorldState {
  /** 13 per dynamic body (links, then the cube): position, quaternion, velocity, angular velocity. */
  bodies: number[];
  /** Servo references (rad), one per joint. */
  ref: number[];
  /** The current command per joint: rad/s (velocity mode) or rad (position mode). */
  command: number[];
  time: number;
  stepnumber: number;
}

const GROUP_TABLE = 1;
const GROUP_ARM = 2;
const GROUP_CUBE = 4;
const SPOOK_STIFFNESS = 1e7;
const SPOOK_RELAXATION = 4;
/** Joint limits switch on within this distance of a limit (rad). */
const LIMIT_MARGIN = 0.15;
/** Impulse bound of a joint limit per step (N m s): far above any motor torque. */
const LIMIT_MAX_IMPULSE = 1e3 * PHYSICS_DT;
const BODY_STATE = 13;
const CUBE_SOLVER_ITERATIONS = 20;

// Scratch (module scope, reused; this module is single-threaded per worker).
const sA = new Vec3();
const sB = new Vec3();
const sC = new Vec3();
const localAxisY = new Vec3(0, 1, 0);
const localAxisZ = new Vec3(0, 0, 1);
const fkScratch = new Float64Array(POSE_STRIDE * N_BODIES);
const eeOffset = new Vec3(EE_OFFSET[0], EE_OFFSET[1], EE_OFFSET[2]);

export class ArmWorld {
  readonly world: World;
  readonly base: Body;
  /** Moving links, root to tip (the last is the paddle). */
  readonly links: Body[] = [];
  readonly hinges: HingeConstraint[] = [];
  readonly cube: Body | undefined;
  /** Joint angles (rad) and speeds (rad/s), refreshed by readJoints() and every physics step. */
  readonly q = new Float64Array(N_JOINTS);
  readonly qd = new Float64Array(N_JOINTS);
  /** Servo references (rad). */
  readonly ref = new Float64Array(N_JOINTS);
  /** Per joint: rad/s in velocity mode, rad in position mode. */
  readonly command = new Float64Array(N_JOINTS);
  mode: ArmControlMode = 'velocity';

  private readonly limits: Array<[JointLimitEquation, JointLimitEquation]> = [];
  private readonly localAxes: Vec3[] = [];
  private readonly dynamicBodies: Body[];
  /** Bodies in pose order: the base, the links, then the cube if any. */
  private readonly poseBodies: Body[];

  constructor(options: ArmWorldOptions) {
    const world = new World({ gravity: new Vec3(0, 0, -GRAVITY) });
    world.broadphase = new NaiveBroadphase();
    world.solver = new ArmSolver(
      (b) => b.collisionFilterGroup === GROUP_ARM,
      options.solverIterations,
      options.contactSolverIterations,
      options.cubeSolverIterations ?? CUBE_SOLVER_ITERATIONS,
    );
    world.allowSleep = false;
    world.frictionGravity = new Vec3(0, 0, (GRAVITY * PHYSICS_DT) / 4);
    world.dt = PHYSICS_DT;
    this.world = world;

    const tableMat = new Material('table');
    const armMat = new Material('arm');
    const cubeMat = new Material('cube');
    const contact = (a: Material, b: Material, friction: number) =>
      new ContactMaterial(a, b, {
        friction,
        restitution: 0,
        contactEquationStiffness: 1e7,
        contactEquationRelaxation: 3,
        frictionEquationStiffness: 1e7,
        frictionEquationRelaxation: 3,
      });
    world.addContactMaterial(contact(tableMat, cubeMat, FRICTION.cubeTable));
    world.addContactMaterial(contact(armMat, cubeMat, FRICTION.armCube));
    world.addContactMaterial(contact(armMat, tableMat, FRICTION.armTable));

    const table = new Body({ mass: 0, shape: new Plane(), material: tableMat, collisionFilterGroup: GROUP_TABLE, collisionFilterMask: GROUP_ARM | GROUP_CUBE });
    world.addBody(table);

    this.base = new Body({
      mass: 0,
      shape: new Box(new Vec3(...BASE_LINK.halfExtents)),
      material: armMat,
      collisionFilterGroup: GROUP_ARM,
      collisionFilterMask: GROUP_CUBE,
    });
    world.addBody(this.base);

    for (const spec of LINKS) {
      const body = new Body({
        mass: spec.mass,
        shape: new Box(new Vec3(...spec.halfExtents)),
        material: armMat,
        collisionFilterGroup: GROUP_ARM,
        // Links do not collide with each other (only with the table and the cube).
        collisionFilterMask: GROUP_TABLE | GROUP_CUBE,
        linearDamping: 0.01,
        angularDamping: 0.01,
      });
      body.inertia.x += LINK_ARMATURE;
      body.inertia.y += LINK_ARMATURE;
      body.inertia.z += LINK_ARMATURE;
      body.invInertia.set(1 / body.inertia.x, 1 / body.inertia.y, 1 / body.inertia.z);
      body.updateInertiaWorld(true);
      world.addBody(body);
      this.links.push(body);
    }

    for (let i = 0; i < N_JOINTS; i++) {
      const j = JOINTS[i]!;
      const parent = i === 0 ? this.base : this.links[i - 1]!;
      const child = this.links[i]!;
      const axis = j.axis === 'z' ? localAxisZ : localAxisY;
      this.localAxes.push(axis);
      const hinge = new HingeConstraint(parent, child, {
        pivotA: new Vec3(...j.parentPivot),
        pivotB: new Vec3(...j.childPivot),
        axisA: axis.clone(),
        axisB: axis.clone(),
        collideConnected: false,
      });
      hinge.enableMotor();
      hinge.setMotorMaxForce(j.maxTorque * PHYSICS_DT);
      const lower = new JointLimitEquation(parent, child, 1, LIMIT_MAX_IMPULSE);
      const upper = new JointLimitEquation(parent, child, -1, LIMIT_MAX_IMPULSE);
      hinge.equations.push(lower, upper);
      for (const eq of hinge.equations) eq.setSpookParams(SPOOK_STIFFNESS, SPOOK_RELAXATION, PHYSICS_DT);
      world.addConstraint(hinge);
      this.hinges.push(hinge);
      this.limits.push([lower, upper]);
    }

    if (options.withCube) {
      const h = CUBE.halfSize;
      this.cube = new Body({
        mass: CUBE.mass,
        shape: new Box(new Vec3(h, h, h)),
        material: cubeMat,
        collisionFilterGroup: GROUP_CUBE,
        collisionFilterMask: GROUP_TABLE | GROUP_ARM,
        linearDamping: 0.01,
        angularDamping: 0.01,
      });
      world.addBody(this.cube);
    }
    this.dynamicBodies = this.cube ? [...this.links, this.cube] : [...this.links];
    this.poseBodies = [this.base, ...this.dynamicBodies];
    this.resetPose(JOINTS.map((j) => j.neutral));
  }

  /**
   * Places the arm at joint angles q (rad) at rest, with the servos holding that pose, and the
   * cube (if any) at rest at `cube` (m, centre) with its faces aligned to the axes.
   */
  resetPose(q: ArrayLike<number>, cube?: ArrayLike<number>): void {
    forwardKinematics(q, fkScratch);
    for (let i = 0; i < this.links.length; i++) {
      const o = (i + 1) * POSE_STRIDE;
      const b = this.links[i]!;
      b.position.set(fkScratch[o]!, fkScratch[o + 1]!, fkScratch[o + 2]!);
      b.quaternion.set(fkScratch[o + 3]!, fkScratch[o + 4]!, fkScratch[o + 5]!, fkScratch[o + 6]!);
      settle(b);
    }
    this.base.position.set(fkScratch[0]!, fkScratch[1]!, fkScratch[2]!);
    this.base.aabbNeedsUpdate = true;
    if (this.cube && cube) {
      this.cube.position.set(cube[0]!, cube[1]!, cube[2]!);
      this.cube.quaternion.set(0, 0, 0, 1);
      settle(this.cube);
    }
    for (let i = 0; i < N_JOINTS; i++) {
      this.ref[i] = q[i]!;
      this.command[i] = this.mode === 'position' ? q[i]! : 0;
    }
    this.readJoints();
  }

  /**
   * Sets the command from a normalized action in [-1, 1]^n: a joint speed of
   * a * maxSpeed (velocity mode) or an angle target spanning the joint's range (position mode).
   */
  setAction(action: ArrayLike<number>): void {
    for (let i = 0; i < N_JOINTS; i++) {
      const j = JOINTS[i]!;
      let a = action[i]!;
      a = a > 1 ? 1 : a < -1 ? -1 : Number.isNaN(a) ? 0 : a;
      const lo = j.lower + SERVO_LIMIT_MARGIN;
      const hi = j.upper - SERVO_LIMIT_MARGIN;
      this.command[i] = this.mode === 'velocity' ? a * j.maxSpeed : lo + (a + 1) * 0.5 * (hi - lo);
    }
  }

  /** Advances one physics step (PHYSICS_DT): servo law, joint limits, then cannon-es. */
  stepPhysics(): void {
    this.readJoints();
    const dt = PHYSICS_DT;
    for (let i = 0; i < N_JOINTS; i++) {
      const j = JOINTS[i]!;
      const q = this.q[i]!;
      let ff = 0;
      let ref: number;
      if (this.mode === 'position') {
        ref = this.command[i]!;
      } else {
        ff = this.command[i]!;
        ref = this.ref[i]! + ff * dt;
        if (ref > j.upper - SERVO_LIMIT_MARGIN) {
          ref = j.upper - SERVO_LIMIT_MARGIN;
          ff = 0;
        } else if (ref < j.lower + SERVO_LIMIT_MARGIN) {
          ref = j.lower + SERVO_LIMIT_MARGIN;
          ff = 0;
        }
        // Anti-windup: a blocked joint's reference waits for it.
        if (ref > q + SERVO_MAX_LEAD) ref = q + SERVO_MAX_LEAD;
        else if (ref < q - SERVO_MAX_LEAD) ref = q - SERVO_MAX_LEAD;
      }
      this.ref[i] = ref;
      let w = ff + SERVO_KP * (ref - q);
      w = w > j.maxSpeed ? j.maxSpeed : w < -j.maxSpeed ? -j.maxSpeed : w;
      // The motor drives (w_parent - w_child) . axis to its speed: the joint speed negated.
      this.hinges[i]!.setMotorSpeed(-w);

      const [lower, upper] = this.limits[i]!;
      const gapLow = q - j.lower;
      const gapHigh = j.upper - q;
      lower.gap = gapLow;
      upper.gap = gapHigh;
      lower.enabled = gapLow < LIMIT_MARGIN;
      upper.enabled = gapHigh < LIMIT_MARGIN;
      if (lower.enabled || upper.enabled) {
        const parent = i === 0 ? this.base : this.links[i - 1]!;
        parent.quaternion.vmult(this.localAxes[i]!, lower.axis);
        upper.axis.copy(lower.axis);
      }
    }
    this.world.step(dt);
  }

  /** Refreshes q (rad) and qd (rad/s) from the bodies. */
  readJoints(): void {
    for (let i = 0; i < N_JOINTS; i++) {
      const parent = i === 0 ? this.base : this.links[i - 1]!;
      const child = this.links[i]!;
      const pq = parent.quaternion;
      const cq = child.quaternion;
      // Relative rotation r = conj(pq) * cq; its twist about the local axis is the joint angle.
      const rx = pq.w * cq.x - pq.x * cq.w - pq.y * cq.z + pq.z * cq.y;
      const ry = pq.w * cq.y + pq.x * cq.z - pq.y * cq.w - pq.z * cq.x;
      const rz = pq.w * cq.z - pq.x * cq.y + pq.y * cq.x - pq.z * cq.w;
      const rw = pq.w * cq.w + pq.x * cq.x + pq.y * cq.y + pq.z * cq.z;
      const axis = this.localAxes[i]!;
      const s = rx * axis.x + ry * axis.y + rz * axis.z;
      let angle = 2 * Math.atan2(s, rw);
      if (angle > Math.PI) angle -= 2 * Math.PI;
      else if (angle <= -Math.PI) angle += 2 * Math.PI;
      this.q[i] = angle;
      pq.vmult(axis, sA);
      child.angularVelocity.vsub(parent.angularVelocity, sB);
      this.qd[i] = sA.dot(sB);
    }
  }

  /** End-effector position (m) into out[o..o+2]. */
  endEffector(out: Float32Array | Float64Array | number[], o = 0): void {
    const paddle = this.links[this.links.length - 1]!;
    paddle.pointToWorldFrame(eeOffset, sA);
    out[o] = sA.x;
    out[o + 1] = sA.y;
    out[o + 2] = sA.z;
  }

  /** End-effector velocity (m/s) into out[o..o+2]. */
  endEffectorVelocity(out: Float32Array | Float64Array | number[], o = 0): void {
    const paddle = this.links[this.links.length - 1]!;
    paddle.quaternion.vmult(eeOffset, sA);
    paddle.angularVelocity.cross(sA, sB);
    out[o] = paddle.velocity.x + sB.x;
    out[o + 1] = paddle.velocity.y + sB.y;
    out[o + 2] = paddle.velocity.z + sB.z;
  }

  /** Largest distance (m) between the two ends of any hinge's pivot. */
  jointSeparation(): number {
    let worst = 0;
    for (const h of this.hinges) {
      h.bodyA.pointToWorldFrame(h.pivotA, sA);
      h.bodyB.pointToWorldFrame(h.pivotB, sB);
      const d = sA.distanceTo(sB);
      if (d > worst || Number.isNaN(d)) worst = Number.isNaN(d) ? Infinity : d;
    }
    return worst;
  }

  /** Largest angle (rad) between the parent's and the child's view of any hinge axis. */
  axisMisalignment(): number {
    let worst = 0;
    for (let i = 0; i < this.hinges.length; i++) {
      const h = this.hinges[i]!;
      h.bodyA.quaternion.vmult(h.axisA, sA);
      h.bodyB.quaternion.vmult(h.axisB, sB);
      sA.cross(sB, sC);
      const a = Math.atan2(sC.length(), sA.dot(sB));
      if (a > worst || Number.isNaN(a)) worst = Number.isNaN(a) ? Infinity : a;
    }
    return worst;
  }

  /**
   * Body poses for the view: the base, every link, then the cube if any; 7 numbers each
   * [x, y, z, qx, qy, qz, qw] into out from offset o.
   */
  writePoses(out: Float32Array | Float64Array | number[], o = 0): void {
    for (const b of this.poseBodies) {
      out[o++] = b.position.x;
      out[o++] = b.position.y;
      out[o++] = b.position.z;
      out[o++] = b.quaternion.x;
      out[o++] = b.quaternion.y;
      out[o++] = b.quaternion.z;
      out[o++] = b.quaternion.w;
    }
  }

  snapshot(): ArmWorldState {
    const bodies: number[] = [];
    for (const b of this.dynamicBodies) {
      bodies.push(
        b.position.x,
        b.position.y,
        b.position.z,
        b.quaternion.x,
        b.quaternion.y,
        b.quaternion.z,
        b.quaternion.w,
        b.velocity.x,
        b.velocity.y,
        b.velocity.z,
        b.angularVelocity.x,
        b.angularVelocity.y,
        b.angularVelocity.z,
      );
    }
    return { bodies, ref: Array.from(this.ref), command: Array.from(this.command), time: this.world.time, stepnumber: this.world.stepnumber };
  }

  restore(state: ArmWorldState): void {
    if (state.bodies.length !== BODY_STATE * this.dynamicBodies.length || state.ref.length !== N_JOINTS || state.command.length !== N_JOINTS) {
      throw new Error('arm state does not match this world (cube or joint count differs)');
    }
    let k = 0;
    const s = state.bodies;
    for (const b of this.dynamicBodies) {
      b.position.set(s[k]!, s[k + 1]!, s[k + 2]!);
      b.quaternion.set(s[k + 3]!, s[k + 4]!, s[k + 5]!, s[k + 6]!);
      b.velocity.set(s[k + 7]!, s[k + 8]!, s[k + 9]!);
      b.angularVelocity.set(s[k + 10]!, s[k + 11]!, s[k + 12]!);
      k += BODY_STATE;
      b.previousPosition.copy(b.position);
      b.previousQuaternion.copy(b.quaternion);
      b.interpolatedPosition.copy(b.position);
      b.interpolatedQuaternion.copy(b.quaternion);
      b.force.set(0, 0, 0);
      b.torque.set(0, 0, 0);
      b.aabbNeedsUpdate = true;
      // Not forced: cannon-es leaves an isotropic body's (the cube's) world inertia untouched
      // while stepping, and a forced recomputation would differ in the last bit.
      b.updateInertiaWorld();
    }
    for (let i = 0; i < N_JOINTS; i++) {
      this.ref[i] = state.ref[i]!;
      this.command[i] = state.command[i]!;
    }
    this.world.time = state.time;
    this.world.stepnumber = state.stepnumber;
    this.readJoints();
  }
}

/** Zero velocities and forces, and sync the derived state of a body placed by hand. */
function settle(b: Body): void {
  b.velocity.set(0, 0, 0);
  b.angularVelocity.set(0, 0, 0);
  b.force.set(0, 0, 0);
  b.torque.set(0, 0, 0);
  b.previousPosition.copy(b.position);
  b.previousQuaternion.copy(b.quaternion);
  b.interpolatedPosition.copy(b.position);
  b.interpolatedQuaternion.copy(b.quaternion);
  b.aabbNeedsUpdate = true;
  b.updateInertiaWorld();
}
