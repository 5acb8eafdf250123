import { describe, expect, it } from 'vitest';
import { ArmWorld } from '../../../../src-main/sim/arm/arm-world.js';
import { endEffector, forwardKinematics, inverseKinematics, N_BODIES, POSE_STRIDE, withinLimits } from '../../../../src-main/sim/arm/kinematics.js';
import { JOINTS, N_JOINTS, REACH_TARGET_HIGH, REACH_TARGET_LOW } from '../../../../src-main/sim/arm/model.js';
import { Rng } from '../../../../src-main/core/rng.js';

describe('arm kinematics', () => {
  it('places the physics bodies where forward kinematics says, and reads the angles back', () => {
    const world = new ArmWorld({ withCube: false, solverIterations: 15, contactSolverIterations: 40 });
    const rng = new Rng(3);
    const poses = new Float64Array(POSE_STRIDE * N_BODIES);
    const q = new Float64Array(N_JOINTS);
    for (let trial = 0; trial < 20; trial++) {
      for (let i = 0; i < N_JOINTS; i++) q[i] = rng.uniform(JOINTS[i]!.lower, JOINTS[i]!.upper);
      world.resetPose(q);
      forwardKinematics(q, poses);
      const written: number[] = [];
      world.writePoses(written);
      for (let k = 0; k < poses.length; k++) expect(written[k]).toBeCloseTo(poses[k]!, 12);
      for (let i = 0; i < N_JOINTS; i++) expect(world.q[i]).toBeCloseTo(q[i]!, 12);
      // Every hinge's two pivots coincide in the placed pose.
      expect(world.jointSeparation()).toBeLessThan(1e-12);
      const ee = [0, 0, 0];
      const fk = [0, 0, 0];
      world.endEffector(ee);
      endEffector(q, fk);
      for (let k = 0; k < 3; k++) expect(ee[k]).toBeCloseTo(fk[k]!, 12);
    }
  });

  it('inverse kinematics reaches every point of the reach-target cube within joint limits', () => {
    const q = new Float64Array(N_JOINTS);
    const p = [0, 0, 0];
    let solved = 0;
    let total = 0;
    for (let x = REACH_TARGET_LOW[0]; x <= REACH_TARGET_HIGH[0] + 1e-9; x += 0.05) {
      for (let y = REACH_TARGET_LOW[1]; y <= REACH_TARGET_HIGH[1] + 1e-9; y += 0.05) {
        for (let z = REACH_TARGET_LOW[2] + 0.01; z <= REACH_TARGET_HIGH[2] + 1e-9; z += 0.05) {
          total++;
          for (const pitch of [Math.PI, 0.8 * Math.PI, 0.6 * Math.PI]) {
            if (!inverseKinematics([x, y, z], pitch, q) || !withinLimits(q)) continue;
            endEffector(q, p);
            expect(Math.hypot(p[0]! - x, p[1]! - y, p[2]! - z)).toBeLessThan(1e-9);
            solved++;
            break;
          }
        }
      }
    }
    expect(solved).toBe(total);
  });
});
