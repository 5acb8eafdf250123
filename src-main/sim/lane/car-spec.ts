/**
 * The simulated car: a mid-size saloon, ~1,200 kg, 4.4 m x 1.8 m, rear-wheel drive. These numbers
 * define the physics (vehicle.ts) and are copied into every scene description for drawing.
 */
export const CAR = {
  mass: 1200, // kg
  length: 4.4, // m
  width: 1.8, // m
  /** Half extents of the chassis box (m): the lower body; x forward, y up, z right. */
  halfExtents: [2.2, 0.35, 0.9] as const,
  /** Top of the body above the ground at rest (m), for drawing. */
  bodyHeight: 1.45,
  /** Bonnet front edge above the ground (m). */
  hoodHeight: 0.9,
  /** Bonnet rear edge (windscreen base) ahead of the car's centre (m). */
  hoodRearX: 0.7,
  wheelbase: 2.7, // m
  track: 1.56, // m
  wheelRadius: 0.32, // m
  /** Wheel mount points below the chassis centre (m). */
  wheelMountY: -0.1,
  suspensionRestLength: 0.35, // m
} as const;
