/**
 * Things the 3D view moves: the lane car, the pendulum, the mountain car and the robot arm,
 * each updated from a ViewPose. Geometry is built once; updates only set transforms.
 */
import * as THREE from 'three';
import type { ArmScene } from '../../../../src-shared/scene/arm';
import type { LaneCarSpec } from '../../../../src-shared/scene/lane-scene';
import type { ArmViewPose, CarViewPose, MountainCarViewPose, PendulumViewPose } from './poses';

/** Wheel mount points below the chassis centre (m), as in the physics (car-spec.ts). */
const WHEEL_MOUNT_Y = -0.1;

function lambert(c: THREE.ColorRepresentation): THREE.MeshLambertMaterial {
  return new THREE.MeshLambertMaterial({ color: c });
}

/** The lane car: body, cabin, windows, lights and four wheels (steering, spin, suspension). */
export class CarModel {
  readonly group = new THREE.Group();
  private readonly wheels: THREE.Group[] = [];
  private readonly tyres: THREE.Mesh[] = [];
  private spin = 0;
  private readonly disposables: Array<{ dispose(): void }> = [];

  constructor(readonly spec: LaneCarSpec) {
    const paint = new THREE.Color().setRGB(spec.color[0], spec.color[1], spec.color[2], THREE.SRGBColorSpace);
    // A darker paint reads badly on dark asphalt: lift it a little towards a visible body colour.
    const body = new THREE.MeshStandardMaterial({ color: paint.lerp(new THREE.Color(0xb8322a), 0.55), roughness: 0.45, metalness: 0.3 });
    const glass = new THREE.MeshStandardMaterial({ color: 0x1b2430, roughness: 0.15, metalness: 0.6 });
    const dark = lambert(0x1a1a1a);
    const lamp = new THREE.MeshBasicMaterial({ color: 0xfff2c8 });
    const tail = new THREE.MeshBasicMaterial({ color: 0xc0181a });
    const L = spec.length;
    const W = spec.width;
    // Chassis frame: forward +x, up +y, right +z, origin at the chassis centre (0.35 m above its bottom).
    const lower = new THREE.Mesh(new THREE.BoxGeometry(L, 0.62, W), body);
    lower.position.set(0, 0.02, 0);
    const cabin = new THREE.Mesh(new THREE.BoxGeometry(L * 0.5, 0.5, W * 0.86), glass);
    cabin.position.set(-0.25, 0.58, 0);
    const roof = new THREE.Mesh(new THREE.BoxGeometry(L * 0.42, 0.06, W * 0.84), body);
    roof.position.set(-0.3, 0.86, 0);
    const bumperF = new THREE.Mesh(new THREE.BoxGeometry(0.12, 0.18, W * 0.96), dark);
    bumperF.position.set(L / 2, -0.2, 0);
    const bumperR = bumperF.clone();
    bumperR.position.x = -L / 2;
    this.group.add(lower, cabin, roof, bumperF, bumperR);
    for (const z of [-W * 0.36, W * 0.36]) {
      const head = new THREE.Mesh(new THREE.BoxGeometry(0.04, 0.1, 0.3), lamp);
      head.position.set(L / 2 + 0.01, 0.12, z);
      const back = new THREE.Mesh(new THREE.BoxGeometry(0.04, 0.1, 0.3), tail);
      back.position.set(-L / 2 - 0.01, 0.14, z);
      this.group.add(head, back);
    }
    const tyreGeo = new THREE.CylinderGeometry(spec.wheelRadius, spec.wheelRadius, 0.22, 20).rotateX(Math.PI / 2);
    const hubGeo = new THREE.CylinderGeometry(spec.wheelRadius * 0.55, spec.wheelRadius * 0.55, 0.23, 6).rotateX(Math.PI / 2);
    const hubMat = lambert(0x9a9da3);
    const x = spec.wheelbase / 2;
    const z = spec.track / 2;
    for (const [wx, wz] of [
      [x, -z],
      [x, z],
      [-x, -z],
      [-x, z],
    ] as const) {
      const mount = new THREE.Group();
      mount.position.set(wx, WHEEL_MOUNT_Y - 0.35, wz);
      const tyre = new THREE.Mesh(tyreGeo, dark);
      tyre.add(new THREE.Mesh(hubGeo, hubMat));
      mount.add(tyre);
      this.group.add(mount);
      this.wheels.push(mount);
      this.tyres.push(tyre);
    }
    this.disposables.push(body, glass, dark, lamp, tail, hubMat, tyreGeo, hubGeo);
    this.group.traverse((o) => {
      if (o instanceof THREE.Mesh && o.geometry !== tyreGeo && o.geometry !== hubGeo) this.disposables.push(o.geometry);
    });
  }

  /** Places the car; `dt` (s) advances the wheels' spin at the car's speed. */
  update(p: CarViewPose, dt: number): void {
    this.group.position.set(p.position[0], p.position[1], p.position[2]);
    this.group.quaternion.set(p.quaternion[0], p.quaternion[1], p.quaternion[2], p.quaternion[3]);
    this.spin -= (p.speed * dt) / this.spec.wheelRadius;
    for (let i = 0; i < 4; i++) {
      const mount = this.wheels[i]!;
      mount.position.y = WHEEL_MOUNT_Y - p.suspension[i]!;
      mount.rotation.y = i < 2 ? p.steering : 0;
      this.tyres[i]!.rotation.z = this.spin;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Gymnasium's pendulum: a 1 m rod on a pivot, theta = 0 upright, + counter-clockwise. */
export class PendulumModel {
  readonly group = new THREE.Group();
  private readonly arm = new THREE.Group();
  private readonly torque: THREE.Mesh;
  private readonly disposables: Array<{ dispose(): void }> = [];

  constructor() {
    const rodMat = new THREE.MeshStandardMaterial({ color: 0xd2452f, roughness: 0.5 });
    const pivotMat = new THREE.MeshStandardMaterial({ color: 0x30343b, roughness: 0.4, metalness: 0.5 });
    const rod = new THREE.Mesh(new THREE.BoxGeometry(0.08, 1, 0.08), rodMat);
    rod.position.y = 0.5;
    const bob = new THREE.Mesh(new THREE.SphereGeometry(0.1, 20, 12), rodMat);
    bob.position.y = 1;
    this.arm.add(rod, bob);
    const pivot = new THREE.Mesh(new THREE.CylinderGeometry(0.06, 0.06, 0.2, 20).rotateX(Math.PI / 2), pivotMat);
    const stand = new THREE.Mesh(new THREE.BoxGeometry(0.1, 1.6, 0.1), pivotMat);
    stand.position.set(0, -0.8, -0.15);
    const base = new THREE.Mesh(new THREE.BoxGeometry(1.2, 0.05, 0.6), pivotMat);
    base.position.set(0, -1.6, -0.15);
    const ringMat = new THREE.MeshBasicMaterial({ color: 0x3f8cff, transparent: true, opacity: 0.85, side: THREE.DoubleSide });
    this.torque = new THREE.Mesh(new THREE.RingGeometry(0.22, 0.27, 32, 1, 0, Math.PI), ringMat);
    this.torque.position.z = 0.1;
    this.group.add(this.arm, pivot, stand, base, this.torque);
    this.group.position.y = 1.7;
    this.group.traverse((o) => {
      if (o instanceof THREE.Mesh) this.disposables.push(o.geometry);
    });
    this.disposables.push(rodMat, pivotMat, ringMat);
  }

  update(p: PendulumViewPose): void {
    this.arm.rotation.z = p.theta;
    // The ring shows the applied torque: its arc grows with |torque|, on the side it pushes.
    const k = Math.max(0.05, Math.min(1, Math.abs(p.torque)));
    this.torque.scale.setScalar(0.6 + 0.8 * k);
    this.torque.rotation.z = p.torque >= 0 ? 0 : Math.PI;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Gymnasium's mountain car: the hill y = 0.45 sin(3x) + 0.55 and a car on it. */
export class MountainCarModel {
  readonly group = new THREE.Group();
  private readonly car: THREE.Mesh;
  private readonly disposables: Array<{ dispose(): void }> = [];

  constructor() {
    const pts: THREE.Vector2[] = [];
    for (let x = -1.2; x <= 0.6001; x += 0.02) pts.push(new THREE.Vector2(x, 0.45 * Math.sin(3 * x) + 0.55));
    const shape = new THREE.Shape([new THREE.Vector2(-1.2, -0.2), ...pts, new THREE.Vector2(0.6, -0.2)]);
    const hillMat = new THREE.MeshStandardMaterial({ color: 0x6b8f4e, roughness: 0.9 });
    const hill = new THREE.Mesh(new THREE.ExtrudeGeometry(shape, { depth: 0.4, bevelEnabled: false }).translate(0, 0, -0.2), hillMat);
    const carMat = new THREE.MeshStandardMaterial({ color: 0xd2452f });
    this.car = new THREE.Mesh(new THREE.BoxGeometry(0.12, 0.06, 0.12), carMat);
    const flagMat = new THREE.MeshBasicMaterial({ color: 0xf5c542 });
    const flag = new THREE.Mesh(new THREE.BoxGeometry(0.005, 0.12, 0.06), flagMat);
    flag.position.set(0.45, 0.45 * Math.sin(1.35) + 0.61, 0);
    this.group.add(hill, this.car, flag);
    this.disposables.push(hillMat, carMat, flagMat, hill.geometry, this.car.geometry, flag.geometry);
  }

  update(p: MountainCarViewPose): void {
    const x = p.position;
    const slope = Math.atan(1.35 * Math.cos(3 * x));
    this.car.position.set(x - 0.03 * Math.sin(slope), 0.45 * Math.sin(3 * x) + 0.55 + 0.03 * Math.cos(slope), 0.05);
    this.car.rotation.z = slope;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The robot arm from its scene description (z up); bodies placed from poses. */
export class ArmModel {
  readonly group = new THREE.Group();
  private readonly bodies: THREE.Mesh[] = [];
  private readonly target: THREE.Mesh;
  private readonly targetMat: THREE.MeshStandardMaterial;
  private readonly disposables: Array<{ dispose(): void }> = [];

  constructor(scene: ArmScene) {
    for (const b of scene.bodies) {
      const [hx, hy, hz] = b.shape.halfExtents;
      const mat = new THREE.MeshStandardMaterial({ color: b.colour, roughness: 0.55, metalness: b.role === 'cube' ? 0 : 0.2 });
      const mesh = new THREE.Mesh(new THREE.BoxGeometry(2 * hx, 2 * hy, 2 * hz), mat);
      this.group.add(mesh);
      this.bodies.push(mesh);
      this.disposables.push(mat, mesh.geometry);
    }
    const t = scene.table;
    const tableMat = new THREE.MeshStandardMaterial({ color: t.colour, roughness: 0.8 });
    const table = new THREE.Mesh(new THREE.BoxGeometry(t.size[0], t.size[1], t.thickness), tableMat);
    table.position.set(t.centre[0], t.centre[1], t.top - t.thickness / 2);
    this.targetMat = new THREE.MeshStandardMaterial({ color: scene.target.colour, transparent: true, opacity: 0.6 });
    this.target = new THREE.Mesh(new THREE.SphereGeometry(Math.max(scene.target.radius, scene.target.threshold), 24, 16), this.targetMat);
    this.group.add(table, this.target);
    this.disposables.push(tableMat, table.geometry, this.targetMat, this.target.geometry);
  }

  update(p: ArmViewPose): void {
    for (let i = 0; i < this.bodies.length && 7 * i + 6 < p.bodies.length; i++) {
      const b = p.bodies;
      const o = 7 * i;
      this.bodies[i]!.position.set(b[o]!, b[o + 1]!, b[o + 2]!);
      this.bodies[i]!.quaternion.set(b[o + 3]!, b[o + 4]!, b[o + 5]!, b[o + 6]!);
    }
    this.target.position.set(p.target[0], p.target[1], p.target[2]);
    this.targetMat.color.set(p.success ? 0x2fbf4f : 0xe0a030);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
