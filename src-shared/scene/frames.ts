/**
 * Coordinate frames shared by the simulator, the agent's camera and the three.js view.
 *
 * - Map frame (top-down, metres): x east, y north, right-handed seen from above. Headings
 *   (yaw) are radians counter-clockwise from +x; curvature is dheading/ds (1/m), positive
 *   turning left. Lateral offsets `d` are metres to the LEFT of a centreline (negative = right).
 * - World frame (three.js and cannon-es, metres, y up): world = (x_map, height, -y_map).
 *   A yaw ψ in the map is a rotation by +ψ about world +y (three.js `rotation.y = ψ`), which
 *   maps the car's local forward axis +x to (cos ψ, 0, -sin ψ).
 * - Car body frame (cannon-es RaycastVehicle defaults): forward +x, up +y, right +z.
 */

/** World position of a map point at a height above the ground (y up). */
export function mapToWorld(x: number, y: number, height = 0): [number, number, number] {
  return [x, height, -y];
}

/** Map (x, y) of a world position. */
export function worldToMap(wx: number, wz: number): [number, number] {
  return [wx, -wz];
}

/** The world quaternion [x, y, z, w] of a pure map yaw (radians, CCW from +x). */
export function yawQuaternion(yaw: number): [number, number, number, number] {
  return [0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)];
}

/** Map yaw (radians) of a world quaternion [x, y, z, w]: heading of its local +x axis. */
export function quaternionYaw(q: readonly number[]): number {
  const [x, y, z, w] = q as [number, number, number, number];
  // Local +x rotated to world: first column of the rotation matrix.
  const fx = 1 - 2 * (y * y + z * z);
  const fz = 2 * (x * z - w * y);
  return Math.atan2(-fz, fx);
}
