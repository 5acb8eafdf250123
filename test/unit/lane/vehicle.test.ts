import * as CANNON from 'cannon-es';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/engine/rng.js';
import { CarPhysics, PHYSICS_DT } from '../../../src-main/sim/lane/vehicle.js';

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
});
