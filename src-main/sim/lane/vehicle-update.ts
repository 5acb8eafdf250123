/**
 * cannon-es 0.20's RaycastVehicle.updateVehicle (the per-physics-step wheel update: wheel
 * transforms, suspension rays, spring forces, tyre friction, wheel spin), written out for our car:
 * forward x, up y, right z, on a static ground body. Every product and sum is cannon-es's, in its
 * order, so trajectories are bitwise the same (tested against the library's own method); what
 * goes is the ~60 Vec3 and Quaternion objects the library allocates per step and its method calls.
 * The static ground's terms (zero velocity, zero inverse mass and inertia) are folded: they add
 * exact zeros there.
 */
import * as CANNON from 'cannon-es';

/** RaycastVehicle.updateVehicle, allocation-free, for `vehicle` on the static `ground` body. */
export function fastVehicleUpdate(vehicle: CANNON.RaycastVehicle, ground: CANNON.Body): (timeStep: number) => void {
  if (vehicle.indexForwardAxis !== 0 || vehicle.indexUpAxis !== 1 || vehicle.indexRightAxis !== 2) {
    throw new Error('fastVehicleUpdate: axes must be forward x, up y, right z');
  }
  if (ground.type !== CANNON.Body.STATIC || ground.invMass !== 0) throw new Error('fastVehicleUpdate: the ground must be a static body');
  const chassis = vehicle.chassisBody;
  if (chassis.type !== CANNON.Body.DYNAMIC || chassis.allowSleep) throw new Error('fastVehicleUpdate: the chassis must be dynamic and never sleep');
  const wheels = vehicle.wheelInfos;
  const n = wheels.length;
  // updateWheelTransform's steering axis (-directionLocal) and spin axis (axleLocal, normalized).
  const upAxis = new Float64Array(3 * n);
  const spinAxis = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const w = wheels[i]!;
    upAxis[3 * i] = -1 * w.directionLocal.x;
    upAxis[3 * i + 1] = -1 * w.directionLocal.y;
    upAxis[3 * i + 2] = -1 * w.directionLocal.z;
    const r = w.axleLocal.clone();
    r.normalize();
    spinAxis[3 * i] = r.x;
    spinAxis[3 * i + 1] = r.y;
    spinAxis[3 * i + 2] = r.z;
  }
  // Per wheel: the friction axle and forward direction (updateFriction's axle[] and forwardWS[]).
  const axle = new Float64Array(3 * n);
  const fwdWS = new Float64Array(3 * n);
  const pos = chassis.position;
  const vel = chassis.velocity;
  const ang = chassis.angularVelocity;
  const q = chassis.quaternion;
  const I = chassis.invInertiaWorld.elements;
  const world = (): CANNON.World => {
    const w = vehicle.world;
    if (!w) throw new Error('fastVehicleUpdate: the vehicle is not in a world');
    return w;
  };
  const rayTarget = new CANNON.Vec3();

  /** chassis.applyImpulse((ix, iy, iz), (rx, ry, rz)). */
  const applyImpulse = (ix: number, iy: number, iz: number, rx: number, ry: number, rz: number): void => {
    const im = chassis.invMass;
    vel.x = im * ix + vel.x;
    vel.y = im * iy + vel.y;
    vel.z = im * iz + vel.z;
    // r x impulse, then the world inverse inertia.
    const cx = ry * iz - rz * iy;
    const cy = rz * ix - rx * iz;
    const cz = rx * iy - ry * ix;
    const e = I;
    const wx = e[0]! * cx + e[1]! * cy + e[2]! * cz;
    const wy = e[3]! * cx + e[4]! * cy + e[5]! * cz;
    const wz = e[6]! * cx + e[7]! * cy + e[8]! * cz;
    ang.x = wx + ang.x;
    ang.y = wy + ang.y;
    ang.z = wz + ang.z;
  };

  return (timeStep: number): void => {
    const qx = q.x,
      qy = q.y,
      qz = q.z,
      qw = q.w;
    // updateWheelTransform for every wheel (its world pose; castRay repeats the first part with
    // the same inputs and so the same results). The quaternion rotations are written out: a
    // helper function for them made the state-env step slower here (5.8 -> 6.9 us, best of 4).
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      w.isInContact = false;
      let x = w.chassisConnectionPointLocal.x,
        y = w.chassisConnectionPointLocal.y,
        z = w.chassisConnectionPointLocal.z;
      let ix = qw * x + qy * z - qz * y;
      let iy = qw * y + qz * x - qx * z;
      let iz = qw * z + qx * y - qy * x;
      let iw = -qx * x - qy * y - qz * z;
      const cp = w.chassisConnectionPointWorld;
      cp.x = ix * qw + iw * -qx + iy * -qz - iz * -qy;
      cp.y = iy * qw + iw * -qy + iz * -qx - ix * -qz;
      cp.z = iz * qw + iw * -qz + ix * -qy - iy * -qx;
      cp.x = pos.x + cp.x;
      cp.y = pos.y + cp.y;
      cp.z = pos.z + cp.z;
      x = w.directionLocal.x;
      y = w.directionLocal.y;
      z = w.directionLocal.z;
      ix = qw * x + qy * z - qz * y;
      iy = qw * y + qz * x - qx * z;
      iz = qw * z + qx * y - qy * x;
      iw = -qx * x - qy * y - qz * z;
      const dw = w.directionWorld;
      dw.x = ix * qw + iw * -qx + iy * -qz - iz * -qy;
      dw.y = iy * qw + iw * -qy + iz * -qx - ix * -qz;
      dw.z = iz * qw + iw * -qz + ix * -qy - iy * -qx;
      x = w.axleLocal.x;
      y = w.axleLocal.y;
      z = w.axleLocal.z;
      ix = qw * x + qy * z - qz * y;
      iy = qw * y + qz * x - qx * z;
      iz = qw * z + qx * y - qy * x;
      iw = -qx * x - qy * y - qz * z;
      const aw = w.axleWorld;
      aw.x = ix * qw + iw * -qx + iy * -qz - iz * -qy;
      aw.y = iy * qw + iw * -qy + iz * -qx - ix * -qz;
      aw.z = iz * qw + iw * -qz + ix * -qy - iy * -qx;
      // Steering about the up axis, then spin about the axle: chassis * steer * spin, normalized.
      const ss = Math.sin(w.steering * 0.5);
      const sx = upAxis[3 * i]! * ss,
        sy = upAxis[3 * i + 1]! * ss,
        sz = upAxis[3 * i + 2]! * ss;
      const sw = Math.cos(w.steering * 0.5);
      const rs = Math.sin(w.rotation * 0.5);
      const rx = spinAxis[3 * i]! * rs,
        ry = spinAxis[3 * i + 1]! * rs,
        rz = spinAxis[3 * i + 2]! * rs;
      const rw = Math.cos(w.rotation * 0.5);
      const ax = qx * sw + qw * sx + qy * sz - qz * sy;
      const ay = qy * sw + qw * sy + qz * sx - qx * sz;
      const az = qz * sw + qw * sz + qx * sy - qy * sx;
      const aww = qw * sw - qx * sx - qy * sy - qz * sz;
      let tx = ax * rw + aww * rx + ay * rz - az * ry;
      let ty = ay * rw + aww * ry + az * rx - ax * rz;
      let tz = az * rw + aww * rz + ax * ry - ay * rx;
      let tw = aww * rw - ax * rx - ay * ry - az * rz;
      let l = Math.sqrt(tx * tx + ty * ty + tz * tz + tw * tw);
      if (l === 0) {
        tx = ty = tz = tw = 0;
      } else {
        l = 1 / l;
        tx *= l;
        ty *= l;
        tz *= l;
        tw *= l;
      }
      const wq = w.worldTransform.quaternion;
      wq.x = tx;
      wq.y = ty;
      wq.z = tz;
      wq.w = tw;
      const sl = w.suspensionLength;
      const wp = w.worldTransform.position;
      wp.x = cp.x + sl * dw.x;
      wp.y = cp.y + sl * dw.y;
      wp.z = cp.z + sl * dw.z;
    }
    // Signed speed (km/h) and the chassis's forward axis in the world.
    let fx: number, fy: number, fz: number;
    {
      const ix = qw * 1 + qy * 0 - qz * 0;
      const iy = qw * 0 + qz * 1 - qx * 0;
      const iz = qw * 0 + qx * 0 - qy * 1;
      const iw = -qx * 1 - qy * 0 - qz * 0;
      fx = ix * qw + iw * -qx + iy * -qz - iz * -qy;
      fy = iy * qw + iw * -qy + iz * -qx - ix * -qz;
      fz = iz * qw + iw * -qz + ix * -qy - iy * -qx;
    }
    vehicle.currentVehicleSpeedKmHour = 3.6 * Math.sqrt(vel.x * vel.x + vel.y * vel.y + vel.z * vel.z);
    if (fx * vel.x + fy * vel.y + fz * vel.z < 0) vehicle.currentVehicleSpeedKmHour *= -1;

    // castRay per wheel.
    const w0 = world();
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      const dw = w.directionWorld;
      const cp = w.chassisConnectionPointWorld;
      const raylen = w.suspensionRestLength + w.radius;
      rayTarget.x = raylen * dw.x + cp.x;
      rayTarget.y = raylen * dw.y + cp.y;
      rayTarget.z = raylen * dw.z + cp.z;
      const rr = w.raycastResult;
      w0.rayTest(cp, rayTarget, rr); // resets rr first

      rr.groundObject = 0;
      if (rr.body) {
        w.isInContact = true;
        w.suspensionLength = rr.distance - w.radius;
        const minLength = w.suspensionRestLength - w.maxSuspensionTravel;
        const maxLength = w.suspensionRestLength + w.maxSuspensionTravel;
        if (w.suspensionLength < minLength) w.suspensionLength = minLength;
        if (w.suspensionLength > maxLength) {
          w.suspensionLength = maxLength;
          rr.reset();
        }
        const hn = rr.hitNormalWorld;
        const hp = rr.hitPointWorld;
        const denominator = hn.x * dw.x + hn.y * dw.y + hn.z * dw.z;
        // Chassis velocity at the contact point: velocity + angularVelocity x (hit - position).
        const px = hp.x - pos.x,
          py = hp.y - pos.y,
          pz = hp.z - pos.z;
        const vx = ang.y * pz - ang.z * py + vel.x;
        const vy = ang.z * px - ang.x * pz + vel.y;
        const vz = ang.x * py - ang.y * px + vel.z;
        const projVel = hn.x * vx + hn.y * vy + hn.z * vz;
        if (denominator >= -0.1) {
          w.suspensionRelativeVelocity = 0;
          w.clippedInvContactDotSuspension = 1 / 0.1;
        } else {
          const inv = -1 / denominator;
          w.suspensionRelativeVelocity = projVel * inv;
          w.clippedInvContactDotSuspension = inv;
        }
      } else {
        w.suspensionLength = w.suspensionRestLength + 0 * w.maxSuspensionTravel;
        w.suspensionRelativeVelocity = 0.0;
        const hn = rr.hitNormalWorld;
        hn.x = -1 * dw.x;
        hn.y = -1 * dw.y;
        hn.z = -1 * dw.z;
        w.clippedInvContactDotSuspension = 1.0;
      }
    }

    // updateSuspension.
    const chassisMass = chassis.mass;
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      if (w.isInContact) {
        let force = w.suspensionStiffness * (w.suspensionRestLength - w.suspensionLength) * w.clippedInvContactDotSuspension;
        const rel = w.suspensionRelativeVelocity;
        force -= (rel < 0 ? w.dampingCompression : w.dampingRelaxation) * rel;
        w.suspensionForce = force * chassisMass;
        if (w.suspensionForce < 0) w.suspensionForce = 0;
      } else {
        w.suspensionForce = 0;
      }
    }

    // Suspension impulses.
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      let sf = w.suspensionForce;
      if (sf > w.maxSuspensionForce) sf = w.maxSuspensionForce;
      const hn = w.raycastResult.hitNormalWorld;
      const hp = w.raycastResult.hitPointWorld;
      const k = sf * timeStep;
      applyImpulse(k * hn.x, k * hn.y, k * hn.z, hp.x - pos.x, hp.y - pos.y, hp.z - pos.z);
    }

    // updateFriction.
    let onGround = 0;
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      if (w.raycastResult.body) onGround++;
      w.sideImpulse = 0;
      w.forwardImpulse = 0;
    }
    vehicle.numWheelsOnGround = onGround;
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      if (!w.raycastResult.body) continue;
      const wq = w.worldTransform.quaternion;
      const wx = wq.x,
        wy = wq.y,
        wz = wq.z,
        ww = wq.w;
      // The wheel's world right axis (its transform applied to local +z).
      const ix = ww * 0 + wy * 1 - wz * 0;
      const iy = ww * 0 + wz * 0 - wx * 1;
      const iz = ww * 1 + wx * 0 - wy * 0;
      const iw = -wx * 0 - wy * 0 - wz * 1;
      let ax = ix * ww + iw * -wx + iy * -wz - iz * -wy;
      let ay = iy * ww + iw * -wy + iz * -wx - ix * -wz;
      let az = iz * ww + iw * -wz + ix * -wy - iy * -wx;
      const hn = w.raycastResult.hitNormalWorld;
      const proj = ax * hn.x + ay * hn.y + az * hn.z;
      ax = ax - proj * hn.x;
      ay = ay - proj * hn.y;
      az = az - proj * hn.z;
      let len = Math.sqrt(ax * ax + ay * ay + az * az);
      if (len > 0.0) {
        len = 1 / len;
        ax *= len;
        ay *= len;
        az *= len;
      } else ax = ay = az = 0;
      axle[3 * i] = ax;
      axle[3 * i + 1] = ay;
      axle[3 * i + 2] = az;
      let gx = hn.y * az - hn.z * ay;
      let gy = hn.z * ax - hn.x * az;
      let gz = hn.x * ay - hn.y * ax;
      len = Math.sqrt(gx * gx + gy * gy + gz * gz);
      if (len > 0.0) {
        len = 1 / len;
        gx *= len;
        gy *= len;
        gz *= len;
      } else gx = gy = gz = 0;
      fwdWS[3 * i] = gx;
      fwdWS[3 * i + 1] = gy;
      fwdWS[3 * i + 2] = gz;
      // resolveSingleBilateral against the static ground (its velocity terms are exact zeros).
      if (ax * ax + ay * ay + az * az > 1.1) w.sideImpulse = 0;
      else {
        const hp = w.raycastResult.hitPointWorld;
        const px = hp.x - pos.x,
          py = hp.y - pos.y,
          pz = hp.z - pos.z;
        const vx = ang.y * pz - ang.z * py + vel.x;
        const vy = ang.z * px - ang.x * pz + vel.y;
        const vz = ang.x * py - ang.y * px + vel.z;
        const relVel = ax * vx + ay * vy + az * vz;
        w.sideImpulse = -0.2 * relVel * (1 / (chassis.invMass + ground.invMass));
      }
    }
    let sliding = false;
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      const grounded = w.raycastResult.body !== null;
      let rollingFriction = 0;
      w.slipInfo = 1;
      if (grounded) {
        const maxImpulse = w.brake ? w.brake : 0;
        // calcRollingFriction against the static ground.
        const hp = w.raycastResult.hitPointWorld;
        const dx = fwdWS[3 * i]!,
          dy = fwdWS[3 * i + 1]!,
          dz = fwdWS[3 * i + 2]!;
        const px = hp.x - pos.x,
          py = hp.y - pos.y,
          pz = hp.z - pos.z;
        const vx = ang.y * pz - ang.z * py + vel.x;
        const vy = ang.z * px - ang.x * pz + vel.y;
        const vz = ang.x * py - ang.y * px + vel.z;
        const vrel = dx * vx + dy * vy + dz * vz;
        // computeImpulseDenominator(chassis, hit, dir): invMass + dir . ((I (r x dir)) x r).
        const cx = py * dz - pz * dy;
        const cy = pz * dx - px * dz;
        const cz = px * dy - py * dx;
        const mx = I[0]! * cx + I[1]! * cy + I[2]! * cz;
        const my = I[3]! * cx + I[4]! * cy + I[5]! * cz;
        const mz = I[6]! * cx + I[7]! * cy + I[8]! * cz;
        const ex = my * pz - mz * py;
        const ey = mz * px - mx * pz;
        const ez = mx * py - my * px;
        const denom0 = chassis.invMass + (dx * ex + dy * ey + dz * ez);
        // + 0: the ground's denominator, an exact zero (turns a -0 into +0 as the library's sum does).
        const jacDiagABInv = 1 / (denom0 + 0);
        let j1 = -vrel * jacDiagABInv;
        if (maxImpulse < j1) j1 = maxImpulse;
        if (j1 < -maxImpulse) j1 = -maxImpulse;
        rollingFriction = j1;
        rollingFriction += w.engineForce * timeStep;
        w.slipInfo *= maxImpulse / rollingFriction;
      }
      w.forwardImpulse = 0;
      w.skidInfo = 1;
      if (grounded) {
        w.skidInfo = 1;
        const maximp = w.suspensionForce * timeStep * w.frictionSlip;
        const maximpSquared = maximp * maximp;
        w.forwardImpulse = rollingFriction;
        const x = (w.forwardImpulse * 0.5) / w.forwardAcceleration;
        const y = w.sideImpulse / w.sideAcceleration;
        const impulseSquared = x * x + y * y;
        w.sliding = false;
        if (impulseSquared > maximpSquared) {
          sliding = true;
          w.sliding = true;
          w.skidInfo *= maximp / Math.sqrt(impulseSquared);
        }
      }
    }
    vehicle.sliding = sliding;
    if (sliding) {
      for (let i = 0; i < n; i++) {
        const w = wheels[i]!;
        if (w.sideImpulse !== 0 && w.skidInfo < 1) {
          w.forwardImpulse *= w.skidInfo;
          w.sideImpulse *= w.skidInfo;
        }
      }
    }
    // Friction impulses.
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      const hp = w.raycastResult.hitPointWorld;
      let rx = hp.x - pos.x,
        ry = hp.y - pos.y,
        rz = hp.z - pos.z;
      if (w.forwardImpulse !== 0) {
        const f = w.forwardImpulse;
        applyImpulse(f * fwdWS[3 * i]!, f * fwdWS[3 * i + 1]!, f * fwdWS[3 * i + 2]!, rx, ry, rz);
      }
      if (w.sideImpulse !== 0) {
        const s = w.sideImpulse;
        const sx = s * axle[3 * i]!,
          sy = s * axle[3 * i + 1]!,
          sz = s * axle[3 * i + 2]!;
        // To the chassis frame (conjugate rotation), scale the up component by rollInfluence, back.
        const cx = q.x,
          cy = q.y,
          cz = q.z,
          cw = q.w;
        let ix = cw * rx + -cy * rz - -cz * ry;
        let iy = cw * ry + -cz * rx - -cx * rz;
        let iz = cw * rz + -cx * ry - -cy * rx;
        let iw = -(-cx) * rx - -cy * ry - -cz * rz;
        const lx = ix * cw + iw * -(-cx) + iy * -(-cz) - iz * -(-cy);
        let ly = iy * cw + iw * -(-cy) + iz * -(-cx) - ix * -(-cz);
        const lz = iz * cw + iw * -(-cz) + ix * -(-cy) - iy * -(-cx);
        ly *= w.rollInfluence;
        ix = cw * lx + cy * lz - cz * ly;
        iy = cw * ly + cz * lx - cx * lz;
        iz = cw * lz + cx * ly - cy * lx;
        iw = -cx * lx - cy * ly - cz * lz;
        rx = ix * cw + iw * -cx + iy * -cz - iz * -cy;
        ry = iy * cw + iw * -cy + iz * -cx - ix * -cz;
        rz = iz * cw + iw * -cz + ix * -cy - iy * -cx;
        applyImpulse(sx, sy, sz, rx, ry, rz);
      }
    }

    // Wheel spin.
    for (let i = 0; i < n; i++) {
      const w = wheels[i]!;
      const cp = w.chassisConnectionPointWorld;
      const px = cp.x - pos.x,
        py = cp.y - pos.y,
        pz = cp.z - pos.z;
      const vx = ang.y * pz - ang.z * py + vel.x;
      const vy = ang.z * px - ang.x * pz + vel.y;
      const vz = ang.x * py - ang.y * px + vel.z;
      if (w.isInContact) {
        const hn = w.raycastResult.hitNormalWorld;
        const proj = fx * hn.x + fy * hn.y + fz * hn.z;
        const gx = fx - proj * hn.x,
          gy = fy - proj * hn.y,
          gz = fz - proj * hn.z;
        const proj2 = gx * vx + gy * vy + gz * vz;
        w.deltaRotation = (-1 * proj2 * timeStep) / w.radius;
      }
      if ((w.sliding || !w.isInContact) && w.engineForce !== 0 && w.useCustomSlidingRotationalSpeed) {
        w.deltaRotation = (w.engineForce > 0 ? 1 : -1) * w.customSlidingRotationalSpeed * timeStep;
      }
      if (Math.abs(w.brake) > Math.abs(w.engineForce)) w.deltaRotation = 0;
      w.rotation += w.deltaRotation;
      w.deltaRotation *= 0.99;
    }
  };
}
