import * as CANNON from 'cannon-es';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/rng.js';
import { CarPhysics, PHYSICS_DT } from '../../../../src-main/sim/lane/vehicle.js';

/** The fields of a RaycastResult that RaycastVehicle reads. */
function fields(r: CANNON.RaycastResult) {
  return {
    hasHit: r.hasHit,
    distance: r.distance,
    hitPoint: [r.hitPointWorld.x, r.hitPointWorld.y, r.hitPointWorld.z],
    hitNormal: [r.hitNormalWorld.x, r.hitNormalWorld.y, r.hitNormalWorld.z],
    body: r.body ? r.body.id : null,
    shape: r.shape ? r.shape.id : null,
    hitFaceIndex: r.hitFaceIndex,
  };
}

describe('lane car physics', () => {
  it("the analytic wheel rays give cannon-es's own ray-test results bit for bit", () => {
    const car = new CarPhysics();
    const rng = new Rng(4);
    const from = new CANNON.Vec3();
    const to = new CANNON.Vec3();
    const fast = new CANNON.RaycastResult();
    const slow = new CANNON.RaycastResult();
    let hits = 0;
    for (let i = 0; i < 2000; i++) {
      // Mostly wheel-like rays (down from just above the ground), some too short, parallel, up, or from below.
      from.set(rng.normal() * 50, 0.2 + Math.abs(rng.normal()), rng.normal() * 50);
      const len = i % 5 === 0 ? 0.1 : 0.4 + Math.abs(rng.normal());
      to.set(from.x + rng.normal() * 0.2, from.y - len * (i % 7 === 0 ? -1 : 1), from.z + rng.normal() * 0.2);
      if (i % 11 === 0) to.y = from.y; // parallel to the ground
      if (i % 13 === 0) from.y = -0.3; // from below: through the plane's back face (no hit) or up
      car.world.rayTest(from, to, fast);
      CANNON.World.prototype.rayTest.call(car.world, from, to, slow);
      expect(fields(fast)).toEqual(fields(slow));
      if (slow.hasHit) hits++;
    }
    expect(hits).toBeGreaterThan(500);
    expect(hits).toBeLessThan(2000);
  });

  it('settles at rest and drives straight ahead under the cruise controller', () => {
    const car = new CarPhysics();
    car.reset(0, 0, 0, 10);
    const steps = 300; // 5 s
    for (let i = 0; i < steps; i++) car.step(0, 1, Number.NaN, 10, 20);
    const v = car.chassis.velocity;
    expect(Math.hypot(v.x, v.z)).toBeGreaterThan(9);
    expect(Math.abs(car.chassis.position.z)).toBeLessThan(0.05);
    expect(Math.abs(car.chassis.position.y - car.restY)).toBeLessThan(0.05);
    expect(car.chassis.position.x).toBeGreaterThan(9 * steps * PHYSICS_DT); // forward is +x at yaw 0
  });

  it("the allocation-free wheel update gives cannon-es's own updateVehicle results bit for bit", () => {
    const fast = new CarPhysics();
    const lib = new CarPhysics();
    // The library's method (from the prototype) on the second car.
    delete (lib.vehicle as { updateVehicle?: unknown }).updateVehicle;
    expect(lib.vehicle.updateVehicle).toBe(CANNON.RaycastVehicle.prototype.updateVehicle);
    expect(fast.vehicle.updateVehicle).not.toBe(CANNON.RaycastVehicle.prototype.updateVehicle);
    const state = (car: CarPhysics): number[] => {
      const out: number[] = [car.vehicle.currentVehicleSpeedKmHour, car.vehicle.numWheelsOnGround, car.vehicle.sliding ? 1 : 0];
      const b = car.chassis;
      out.push(b.position.x, b.position.y, b.position.z, b.quaternion.x, b.quaternion.y, b.quaternion.z, b.quaternion.w);
      out.push(b.velocity.x, b.velocity.y, b.velocity.z, b.angularVelocity.x, b.angularVelocity.y, b.angularVelocity.z);
      for (const w of car.vehicle.wheelInfos) {
        out.push(w.rotation, w.deltaRotation, w.suspensionLength, w.suspensionRelativeVelocity, w.suspensionForce, w.clippedInvContactDotSuspension);
        out.push(w.sideImpulse, w.forwardImpulse, w.skidInfo, w.slipInfo, w.sliding ? 1 : 0, w.isInContact ? 1 : 0);
        const r = w.raycastResult;
        out.push(
          r.distance,
          r.hitNormalWorld.x,
          r.hitNormalWorld.y,
          r.hitNormalWorld.z,
          r.hitPointWorld.x,
          r.hitPointWorld.y,
          r.hitPointWorld.z,
          r.body ? 1 : 0,
        );
        const t = w.worldTransform;
        out.push(t.position.x, t.position.y, t.position.z, t.quaternion.x, t.quaternion.y, t.quaternion.z, t.quaternion.w);
        out.push(
          w.chassisConnectionPointWorld.x,
          w.chassisConnectionPointWorld.y,
          w.chassisConnectionPointWorld.z,
          w.directionWorld.x,
          w.directionWorld.y,
          w.directionWorld.z,
          w.axleWorld.x,
          w.axleWorld.y,
          w.axleWorld.z,
        );
      }
      return out;
    };
    // (The over-extension branch cannot run: a wheel's ray is its rest length plus radius long.)
    const seen = { sliding: 0, airborne: 0, braking: 0 };
    const rng = new Rng(9);
    // Scenarios: cruising with weaving, full throttle into sharp steering (sliding), hard braking,
    // reversing, a drop from above the ground (wheels out of reach), a roll-over.
    const scenarios: Array<{ speed: number; lift: number; n: number; act: (k: number) => [number, number] }> = [
      { speed: 10, lift: 0, n: 300, act: (k) => [0.3 * Math.sin(k / 20), Number.NaN] },
      { speed: 30, lift: 0, n: 240, act: (k) => [k % 80 < 40 ? 0.6 : -0.6, 1] },
      { speed: 25, lift: 0, n: 200, act: (k) => [0.2 * rng.normal(), k < 100 ? -1 : 0.5] },
      { speed: 0, lift: 0, n: 200, act: () => [0.4, -0.6] },
      { speed: 5, lift: 0.9, n: 200, act: (k) => [0.1 * Math.sin(k / 7), 0.3] },
      { speed: 40, lift: 0, n: 300, act: (k) => [k % 30 < 15 ? 0.7 : -0.7, 1] },
    ];
    for (const sc of scenarios) {
      for (const car of [fast, lib]) {
        car.reset(1, 2, 0.3, sc.speed);
        car.chassis.position.y += sc.lift;
      }
      for (let k = 0; k < sc.n; k++) {
        const [steer, throttle] = sc.act(k);
        fast.step(steer, 10, throttle, 15, 45);
        lib.step(steer, 10, throttle, 15, 45);
        expect(state(fast)).toEqual(state(lib));
        const v = lib.vehicle;
        if (v.sliding) seen.sliding++;
        for (const w of v.wheelInfos) {
          if (!w.isInContact) seen.airborne++;
          if (w.brake > 0) seen.braking++;
        }
      }
    }
    // Every branch of the update ran.
    expect(seen.sliding).toBeGreaterThan(10);
    expect(seen.airborne).toBeGreaterThan(10);
    expect(seen.braking).toBeGreaterThan(10);
  });
});
