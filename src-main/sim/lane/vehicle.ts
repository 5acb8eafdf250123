/**
 * The car's physics: a cannon-es RaycastVehicle (4 ray-cast wheels with suspension and tyre
 * friction) on a flat ground plane, fixed step 1/60 s. Quadratic aerodynamic drag plus rolling
 * resistance bound the speed; the engine drives the rear wheels; an optional cruise controller
 * holds a target speed. Steering follows the command through a rate-limited actuator.
 *
 * cannon-es has no clone or serialize: reset() puts every piece of state that influences the
 * next step (chassis, wheels, world clock) into a canonical state, so equal inputs give
 * bitwise-equal trajectories; snapshot()/restore() save and reload that state exactly.
 * The wheel update is vehicle-update.ts (cannon-es's arithmetic without its allocations); the
 * rest of a step is cannon-es's World.step.
 */
import * as CANNON from 'cannon-es';
import { CAR } from './car-spec.js';
import { fastVehicleUpdate } from './vehicle-update.js';

/** Physics step (s). */
export const PHYSICS_DT = 1 / 60;
const G = 9.81;
/** Drag: 0.5 * rho * Cd * A with rho 1.2 kg/m^3, Cd*A 0.7 m^2 (N per (m/s)^2). */
const DRAG = 0.5 * 1.2 * 0.7;
/** Rolling resistance coefficient. */
const ROLL = 0.012;
/** Largest drive force (N) and brake force (N), summed over wheels. */
export const MAX_DRIVE_FORCE = 4000;
export const MAX_BRAKE_FORCE = 9000;
/** Cruise controller gain: desired acceleration per m/s of speed error (1/s). */
const CRUISE_GAIN = 1.5;

const FRONT_LEFT = 0;
const FRONT_RIGHT = 1;
const REAR_LEFT = 2;
const REAR_RIGHT = 3;

/** Numbers per snapshot (see snapshot()). */
export const VEHICLE_STATE_FLOATS = 3 + 4 + 3 + 3 + 2 + 4 * 4;

export class CarPhysics {
  readonly world: CANNON.World;
  readonly chassis: CANNON.Body;
  readonly vehicle: CANNON.RaycastVehicle;
  /** Current road-wheel angle (rad, + left) and the applied throttle in [-1, 1]. */
  steer = 0;
  throttle = 0;
  /** Chassis centre height and suspension lengths of the car at rest on the ground (m). */
  readonly restY: number;
  private readonly restSuspension = new Float64Array(4);
  private readonly scratchIn = new CANNON.Vec3();
  private readonly scratchOut = new CANNON.Vec3();

  constructor() {
    const world = new CANNON.World({ gravity: new CANNON.Vec3(0, -G, 0) });
    world.broadphase = new CANNON.NaiveBroadphase();
    world.allowSleep = false;
    const ground = new CANNON.Body({ mass: 0, shape: new CANNON.Plane() });
    ground.quaternion.setFromEuler(-Math.PI / 2, 0, 0); // plane normal +z -> +y
    ground.aabbNeedsUpdate = true;
    world.addBody(ground);
    world.rayTest = planeRayTest(ground);
    const [hx, hy, hz] = CAR.halfExtents;
    const chassis = new CANNON.Body({ mass: CAR.mass, shape: new CANNON.Box(new CANNON.Vec3(hx, hy, hz)) });
    chassis.linearDamping = 0;
    chassis.angularDamping = 0.05;
    chassis.allowSleep = false;
    // The chassis never touches the flat ground while the wheels carry it; skipping its contact
    // tests roughly halves the cost of a step. A roll-over ends the episode (see LaneEnv).
    chassis.collisionFilterMask = 0;
    const vehicle = new CANNON.RaycastVehicle({ chassisBody: chassis, indexForwardAxis: 0, indexUpAxis: 1, indexRightAxis: 2 });
    const x = CAR.wheelbase / 2;
    const z = CAR.track / 2;
    const mounts: Array<[number, number, boolean]> = [
      [x, -z, true], // front left (right is +z)
      [x, z, true], // front right
      [-x, -z, false], // rear left
      [-x, z, false], // rear right
    ];
    for (const [mx, mz, front] of mounts) {
      vehicle.addWheel({
        radius: CAR.wheelRadius,
        directionLocal: new CANNON.Vec3(0, -1, 0),
        axleLocal: new CANNON.Vec3(0, 0, 1),
        chassisConnectionPointLocal: new CANNON.Vec3(mx, CAR.wheelMountY, mz),
        suspensionRestLength: CAR.suspensionRestLength,
        suspensionStiffness: 35, // per unit chassis mass: ~1.2 Hz body bounce
        dampingCompression: 4.4,
        dampingRelaxation: 3.0,
        maxSuspensionForce: 1e6,
        maxSuspensionTravel: 0.25,
        frictionSlip: 1.1, // ~ dry asphalt
        rollInfluence: 0.05,
        isFrontWheel: front,
        useCustomSlidingRotationalSpeed: true,
        customSlidingRotationalSpeed: -30,
      });
    }
    vehicle.addToWorld(world);
    // The library's per-step wheel update, bitwise the same without its allocations (vehicle-update.ts).
    vehicle.updateVehicle = fastVehicleUpdate(vehicle, ground);
    this.world = world;
    this.chassis = chassis;
    this.vehicle = vehicle;
    // Settle once at rest to find the resting height and suspension lengths.
    chassis.position.set(0, 0.9, 0);
    for (let i = 0; i < 240; i++) world.step(PHYSICS_DT);
    this.restY = chassis.position.y;
    for (let i = 0; i < 4; i++) this.restSuspension[i] = vehicle.wheelInfos[i]!.suspensionLength;
  }

  /**
   * Puts the car at rest height on map point (x, y) heading `yaw` (rad) moving forward at
   * `speed` (m/s), wheels straight, every transient cleared.
   */
  reset(x: number, y: number, yaw: number, speed: number): void {
    const b = this.chassis;
    b.position.set(x, this.restY, -y);
    b.quaternion.set(0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2));
    b.velocity.set(speed * Math.cos(yaw), 0, -speed * Math.sin(yaw));
    b.angularVelocity.set(0, 0, 0);
    this.clearTransients(0, 0, speed);
  }

  private clearTransients(steer: number, throttle: number, speed: number): void {
    const b = this.chassis;
    b.force.set(0, 0, 0);
    b.torque.set(0, 0, 0);
    b.vlambda.set(0, 0, 0);
    b.wlambda.set(0, 0, 0);
    b.previousPosition.copy(b.position);
    b.interpolatedPosition.copy(b.position);
    b.previousQuaternion.copy(b.quaternion);
    b.interpolatedQuaternion.copy(b.quaternion);
    b.aabbNeedsUpdate = true;
    b.updateInertiaWorld(true);
    this.steer = steer;
    this.throttle = throttle;
    const v = this.vehicle;
    v.sliding = false;
    v.currentVehicleSpeedKmHour = 3.6 * speed;
    v.numWheelsOnGround = 0;
    for (let i = 0; i < 4; i++) {
      const w = v.wheelInfos[i]!;
      w.steering = i === FRONT_LEFT || i === FRONT_RIGHT ? steer : 0;
      w.rotation = 0;
      w.deltaRotation = (speed * PHYSICS_DT) / w.radius;
      w.engineForce = 0;
      w.brake = 0;
      w.suspensionLength = this.restSuspension[i]!;
      w.suspensionRelativeVelocity = 0;
      w.suspensionForce = 0;
      w.clippedInvContactDotSuspension = 1;
      w.sliding = false;
      w.skidInfo = 0;
      w.slipInfo = 0;
      w.sideImpulse = 0;
      w.forwardImpulse = 0;
      w.isInContact = false;
      w.raycastResult.reset();
    }
    this.world.time = 0;
    this.world.stepnumber = 0;
  }

  /** Forward speed (m/s; negative when rolling backwards). */
  forwardSpeed(): number {
    const q = this.chassis.quaternion;
    // Local +x in world: first column of the rotation matrix.
    const fx = 1 - 2 * (q.y * q.y + q.z * q.z);
    const fy = 2 * (q.x * q.y + q.w * q.z);
    const fz = 2 * (q.x * q.z - q.w * q.y);
    const v = this.chassis.velocity;
    return v.x * fx + v.y * fy + v.z * fz;
  }

  /** Map yaw of the chassis (rad). */
  yaw(): number {
    const q = this.chassis.quaternion;
    const fx = 1 - 2 * (q.y * q.y + q.z * q.z);
    const fz = 2 * (q.x * q.z - q.w * q.y);
    return Math.atan2(-fz, fx);
  }

  /** Cosine of the chassis tilt: its up axis's world y (1 upright, < 0 upside down). */
  upright(): number {
    const q = this.chassis.quaternion;
    return 1 - 2 * (q.x * q.x + q.z * q.z);
  }

  /**
   * One physics step. `steerTarget` (rad, + left) is approached at `steerRate` rad/s.
   * `throttle` in [-1, 1] (negative brakes), or NaN for the cruise controller at `cruiseSpeed`.
   * `maxSpeed` (m/s) is the engine governor.
   */
  step(steerTarget: number, steerRate: number, throttle: number, cruiseSpeed: number, maxSpeed: number): void {
    const dt = PHYSICS_DT;
    const maxDelta = steerRate * dt;
    let ds = steerTarget - this.steer;
    if (ds > maxDelta) ds = maxDelta;
    else if (ds < -maxDelta) ds = -maxDelta;
    this.steer += ds;
    const v = this.vehicle;
    v.setSteeringValue(this.steer, FRONT_LEFT);
    v.setSteeringValue(this.steer, FRONT_RIGHT);
    const speed = this.forwardSpeed();
    const resist = DRAG * speed * speed + ROLL * CAR.mass * G;
    let force: number; // drive (> 0) or brake (< 0), N
    if (Number.isNaN(throttle)) {
      force = CAR.mass * CRUISE_GAIN * (cruiseSpeed - speed) + resist;
      force = force > MAX_DRIVE_FORCE ? MAX_DRIVE_FORCE : force < -MAX_BRAKE_FORCE ? -MAX_BRAKE_FORCE : force;
      // Coast instead of braking for small excesses.
      if (force < 0 && speed < cruiseSpeed + 0.3) force = 0;
    } else {
      force = throttle >= 0 ? throttle * MAX_DRIVE_FORCE : throttle * MAX_BRAKE_FORCE;
    }
    if (force > 0) {
      const governor = maxSpeed - speed;
      if (governor < 1) force *= governor > 0 ? governor : 0;
    }
    this.throttle = force >= 0 ? force / MAX_DRIVE_FORCE : force / MAX_BRAKE_FORCE;
    const drive = force > 0 ? force / 2 : 0;
    v.applyEngineForce(drive, REAR_LEFT);
    v.applyEngineForce(drive, REAR_RIGHT);
    const brake = force < 0 ? (-force / 4) * dt : 0; // an impulse per step
    for (let i = 0; i < 4; i++) v.setBrake(brake, i);
    // Drag and rolling resistance against the horizontal velocity, at the centre of mass.
    const b = this.chassis;
    const vx = b.velocity.x;
    const vz = b.velocity.z;
    const vh = Math.sqrt(vx * vx + vz * vz);
    if (vh > 1e-6) {
      const f = (DRAG * vh * vh + (vh > 0.1 ? ROLL * CAR.mass * G : 0)) / vh;
      b.force.x -= f * vx;
      b.force.z -= f * vz;
    }
    this.world.step(dt);
  }

  /**
   * The full dynamic state into `out` (VEHICLE_STATE_FLOATS numbers): position, quaternion,
   * velocity, angular velocity, steering, throttle, and per wheel rotation, delta rotation,
   * suspension length and suspension relative velocity. restore() reloads it exactly.
   */
  snapshot(out: Float64Array, offset = 0): void {
    const b = this.chassis;
    let o = offset;
    out[o++] = b.position.x;
    out[o++] = b.position.y;
    out[o++] = b.position.z;
    out[o++] = b.quaternion.x;
    out[o++] = b.quaternion.y;
    out[o++] = b.quaternion.z;
    out[o++] = b.quaternion.w;
    out[o++] = b.velocity.x;
    out[o++] = b.velocity.y;
    out[o++] = b.velocity.z;
    out[o++] = b.angularVelocity.x;
    out[o++] = b.angularVelocity.y;
    out[o++] = b.angularVelocity.z;
    out[o++] = this.steer;
    out[o++] = this.throttle;
    for (let i = 0; i < 4; i++) {
      const w = this.vehicle.wheelInfos[i]!;
      out[o++] = w.rotation;
      out[o++] = w.deltaRotation;
      out[o++] = w.suspensionLength;
      out[o++] = w.suspensionRelativeVelocity;
    }
  }

  restore(a: Float64Array, offset = 0): void {
    const b = this.chassis;
    let o = offset;
    b.position.set(a[o]!, a[o + 1]!, a[o + 2]!);
    o += 3;
    b.quaternion.set(a[o]!, a[o + 1]!, a[o + 2]!, a[o + 3]!);
    o += 4;
    b.velocity.set(a[o]!, a[o + 1]!, a[o + 2]!);
    o += 3;
    b.angularVelocity.set(a[o]!, a[o + 1]!, a[o + 2]!);
    o += 3;
    const steer = a[o++]!;
    const throttle = a[o++]!;
    this.clearTransients(steer, throttle, this.forwardSpeed());
    for (let i = 0; i < 4; i++) {
      const w = this.vehicle.wheelInfos[i]!;
      w.rotation = a[o++]!;
      w.deltaRotation = a[o++]!;
      w.suspensionLength = a[o++]!;
      w.suspensionRelativeVelocity = a[o++]!;
    }
  }

  /** World transform of wheel i (updated from the current chassis state) into position/quaternion arrays. */
  wheelTransform(i: number, position: number[], quaternion: number[]): void {
    this.vehicle.updateWheelTransform(i);
    const t = this.vehicle.wheelInfos[i]!.worldTransform;
    position[0] = t.position.x;
    position[1] = t.position.y;
    position[2] = t.position.z;
    quaternion[0] = t.quaternion.x;
    quaternion[1] = t.quaternion.y;
    quaternion[2] = t.quaternion.z;
    quaternion[3] = t.quaternion.w;
  }

  /** Local point (body frame) to world, into the scratch vector returned. */
  pointToWorld(x: number, y: number, z: number): CANNON.Vec3 {
    this.scratchIn.set(x, y, z);
    return this.chassis.pointToWorldFrame(this.scratchIn, this.scratchOut);
  }
}

/**
 * World.rayTest for a world whose rays can meet only `ground`, a static Plane (the chassis is
 * filtered out of every query; nothing else is in the world): the arithmetic of cannon-es's
 * Ray against a Plane, step for step (so results are bitwise the same), without its
 * broadphase query and the four vectors it allocates per ray. The wheels cast four rays per
 * physics step.
 */
function planeRayTest(ground: CANNON.Body): CANNON.World['rayTest'] {
  const shape = ground.shapes[0]!;
  if (ground.shapes.length !== 1 || !(shape instanceof CANNON.Plane)) throw new Error('planeRayTest: the ground must be one Plane');
  // Ray.intersectBody: the shape's world orientation and position; Ray._intersectPlane: its normal.
  const orientation = new CANNON.Quaternion();
  ground.quaternion.mult(ground.shapeOrientations[0]!, orientation);
  const position = new CANNON.Vec3();
  ground.quaternion.vmult(ground.shapeOffsets[0]!, position);
  position.vadd(ground.position, position);
  const normal = new CANNON.Vec3(0, 0, 1);
  orientation.vmult(normal, normal);
  const direction = new CANNON.Vec3();
  const rel = new CANNON.Vec3();
  const scaled = new CANNON.Vec3();
  const hit = new CANNON.Vec3();
  const precision = 0.0001; // Ray.precision
  return (from, to, result) => {
    if (!(result instanceof CANNON.RaycastResult)) throw new Error('planeRayTest: closest-hit queries only');
    result.reset();
    to.vsub(from, direction);
    direction.normalize();
    from.vsub(position, rel);
    const planeToFrom = rel.dot(normal);
    to.vsub(position, rel);
    const planeToTo = rel.dot(normal);
    if (planeToFrom * planeToTo > 0) return;
    if (from.distanceTo(to) < planeToFrom) return;
    const nDotDir = normal.dot(direction);
    if (Math.abs(nDotDir) < precision) return;
    // cannon-es recomputes normal . (from - position) here: the same value as planeToFrom.
    const t = -planeToFrom / nDotDir;
    direction.scale(t, scaled);
    from.vadd(scaled, hit);
    // Ray.reportIntersection in CLOSEST mode with skipBackfaces.
    const distance = from.distanceTo(hit);
    if (nDotDir > 0) return;
    result.hitFaceIndex = -1;
    result.hasHit = true;
    result.set(from, to, normal, hit, shape, ground, distance);
  };
}
