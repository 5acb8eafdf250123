/** The lane car's pose for drawing (world frame, three.js-ready): chassis, wheels and the road-relative state. */
import type { CarPose } from '../../../src-shared/scene/car-pose.js';
import type { CarPhysics } from './vehicle.js';

/** `t` (simulated s), `step`, `speed` (m/s), `s` (m), `offset` (m, + left) and `headingError` (rad) come from the env. */
export function carPose(car: CarPhysics, t: number, step: number, speed: number, s: number, offset: number, headingError: number): CarPose {
  const b = car.chassis;
  const wheels: CarPose['wheels'] = [];
  for (let i = 0; i < 4; i++) {
    const position = [0, 0, 0];
    const quaternion = [0, 0, 0, 1];
    const w = car.vehicle.wheelInfos[i]!;
    const contact = w.isInContact; // read first: updating the transform clears it until the next step
    car.wheelTransform(i, position, quaternion);
    wheels.push({
      position: position as [number, number, number],
      quaternion: quaternion as [number, number, number, number],
      suspension: w.suspensionLength,
      contact,
    });
  }
  return {
    t,
    step,
    position: [b.position.x, b.position.y, b.position.z],
    quaternion: [b.quaternion.x, b.quaternion.y, b.quaternion.z, b.quaternion.w],
    wheels,
    steering: car.steer,
    throttle: car.throttle,
    speed,
    s,
    offset,
    headingError,
  };
}
