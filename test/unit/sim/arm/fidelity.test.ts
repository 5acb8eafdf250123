/**
 * Physical fidelity of the arm: random commands for 10,000 control steps (100,000
 * physics steps of 1/240 s), hinges within 5 mm, no NaN, a resting cube moving < 1 mm. The one
 * long test of the arm (about 10 s here).
 */
import { describe, expect, it } from 'vitest';
import { Body, Box, Plane, Vec3, World } from 'cannon-es';
import { ArmPushEnvConfig } from '../../../../src-shared/config/envs/arm.js';
import { ArmWorld } from '../../../../src-main/sim/arm/arm-world.js';
import { CUBE, FRICTION, GRAVITY, JOINTS, N_JOINTS, PHYSICS_DT } from '../../../../src-main/sim/arm/model.js';
import { Rng } from '../../../../src-main/core/rng.js';

const DEG = Math.PI / 180;

describe('arm physical fidelity', () => {
  it('keeps hinges within 5 mm and a resting cube within 1 mm under 10,000 steps of random commands', () => {
    const config = ArmPushEnvConfig.parse({ id: 'arm-push' });
    const world = new ArmWorld({
      withCube: true,
      solverIterations: config.solverIterations,
      contactSolverIterations: config.contactSolverIterations,
      cubeSolverIterations: config.cubeSolverIterations,
    });
    // The cube rests out of the arm's reach (the arm reaches about 0.85 m from its base).
    world.resetPose(
      JOINTS.map((j) => j.neutral),
      [0.6, 0.6, CUBE.halfSize],
    );
    for (let k = 0; k < 120; k++) world.stepPhysics(); // let the contact settle (0.5 s)
    const cube = world.cube!;
    const rest = cube.position.clone();

    const rng = new Rng(2024);
    const action = new Float32Array(N_JOINTS);
    let hold = 0;
    let maxSeparation = 0;
    let maxMisalignment = 0;
    let maxLimitOvershoot = 0;
    let maxCubeDrift = 0;
    let touchedTable = 0;
    let finite = true;
    for (let step = 0; step < 10_000; step++) {
      // Half the run with angle targets, half with joint speeds; each command held 1-30 steps.
      world.mode = step < 5_000 ? 'position' : 'velocity';
      if (step === 5_000) hold = 0;
      if (hold-- <= 0) {
        for (let i = 0; i < N_JOINTS; i++) action[i] = rng.uniform(-1, 1);
        hold = rng.int(30);
        world.setAction(action);
      }
      for (let k = 0; k < config.physicsStepsPerAction; k++) {
        world.stepPhysics();
        maxSeparation = Math.max(maxSeparation, world.jointSeparation());
        maxMisalignment = Math.max(maxMisalignment, world.axisMisalignment());
      }
      for (let i = 0; i < N_JOINTS; i++) {
        const q = world.q[i]!;
        if (!Number.isFinite(q) || !Number.isFinite(world.qd[i]!)) finite = false;
        maxLimitOvershoot = Math.max(maxLimitOvershoot, JOINTS[i]!.lower - q, q - JOINTS[i]!.upper);
      }
      if (world.world.contacts.some((c) => c.bi !== cube && c.bj !== cube)) touchedTable++;
      maxCubeDrift = Math.max(maxCubeDrift, cube.position.distanceTo(rest));
    }
    const ee = [0, 0, 0];
    world.endEffector(ee);
    expect(finite).toBe(true);
    expect(ee.every(Number.isFinite)).toBe(true);
    expect(maxSeparation).toBeLessThan(0.005);
    expect(maxMisalignment).toBeLessThan(2 * DEG);
    expect(maxLimitOvershoot).toBeLessThan(2 * DEG);
    expect(maxCubeDrift).toBeLessThan(0.001);
    // The random commands did drive the arm into the table (the hard case for the solver).
    expect(touchedTable).toBeGreaterThan(100);
    console.log(
      `fidelity: hinge separation ${(maxSeparation * 1000).toFixed(2)} mm, axis misalignment ${(maxMisalignment / DEG).toFixed(2)} deg, ` +
        `limit overshoot ${(Math.max(0, maxLimitOvershoot) / DEG).toFixed(2)} deg, cube drift ${(maxCubeDrift * 1000).toFixed(4)} mm, ` +
        `arm on table in ${touchedTable} of 10000 steps`,
    );
  });

  it('holds a pose against gravity (no sag) for 60 s with zero velocity commands', () => {
    const world = new ArmWorld({ withCube: false, solverIterations: 15, contactSolverIterations: 40 });
    world.mode = 'velocity';
    // Arm stretched out forward: the largest gravity torque on the shoulder.
    const q = [0, 1.4, 0.2, 0.1, 0];
    world.resetPose(q);
    world.setAction(new Float32Array(N_JOINTS));
    for (let k = 0; k < 60 * 240; k++) world.stepPhysics();
    for (let i = 0; i < N_JOINTS; i++) expect(Math.abs(world.q[i]! - q[i]!), JOINTS[i]!.name).toBeLessThan(0.5 * DEG);
  });

  it('makes a box slide at the Coulomb force mu m g, not tip over (friction fix)', () => {
    // The arm world's friction settings, on a lone cube: push it at its centre of mass.
    const slide = (force: number) => {
      const world = new ArmWorld({ withCube: true, solverIterations: 20, contactSolverIterations: 40 });
      world.resetPose(
        JOINTS.map((j) => j.neutral),
        [0.5, 0.5, CUBE.halfSize],
      );
      const cube = world.cube!;
      const start = cube.position.clone();
      const f = new Vec3(force, 0, 0);
      for (let k = 0; k < 240; k++) {
        cube.applyForce(f);
        world.stepPhysics();
      }
      return { moved: cube.position.x - start.x, tilt: 2 * Math.asin(Math.min(1, Math.hypot(cube.quaternion.x, cube.quaternion.y))) };
    };
    const coulomb = FRICTION.cubeTable * CUBE.mass * GRAVITY;
    expect(slide(0.7 * coulomb).moved).toBeLessThan(0.01);
    const s = slide(1.5 * coulomb);
    // Net force 0.5 mu m g for 1 s: x = a t^2 / 2 = 0.5 * 0.5 * 9.81 / 2 = 1.23 m (minus damping).
    expect(s.moved).toBeGreaterThan(0.9);
    expect(s.moved).toBeLessThan(1.3);
    expect(s.tilt).toBeLessThan(2 * DEG);
  });

  it('documents why: with cannon-es default friction the same push tips the cube instead', () => {
    const world = new World({ gravity: new Vec3(0, 0, -GRAVITY) });
    world.defaultContactMaterial.friction = FRICTION.cubeTable;
    world.addBody(new Body({ mass: 0, shape: new Plane() }));
    const h = CUBE.halfSize;
    const cube = new Body({ mass: CUBE.mass, shape: new Box(new Vec3(h, h, h)) });
    cube.position.set(0, 0, h);
    world.addBody(cube);
    const f = new Vec3(1.5 * FRICTION.cubeTable * CUBE.mass * GRAVITY, 0, 0);
    for (let k = 0; k < 240; k++) {
      cube.applyForce(f);
      world.step(PHYSICS_DT);
    }
    expect(cube.position.x).toBeLessThan(0.01); // 1.5x the Coulomb force and it sticks
  });
});
