/**
 * The 3D view: one WebGL renderer on a canvas, the scene of the run's env (the lane road from
 * its LaneScene, the arm from its ArmScene, the pendulum, the mountain car), the model that
 * follows the poses, and the cameras: chase, top-down and driver (the agent camera's mount,
 * pitch and horizontal field of view) for the lane car, and orbit controls everywhere.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { ArmScene } from '../../../../src-shared/scene/arm';
import type { LaneScene } from '../../../../src-shared/scene/lane-scene';
import { buildLaneScene3D, LaneMaterials, setTextureAnisotropy, type LaneScene3D } from './lane-builder';
import { ArmModel, CarModel, MountainCarModel, PendulumModel } from './models';
import type { CarViewPose, ViewPose } from './poses';

export type CameraMode = 'chase' | 'top' | 'driver' | 'orbit';
export const CAMERA_MODES: Record<CameraMode, string> = { chase: 'Chase', top: 'Top-down', driver: 'Driver', orbit: 'Orbit' };

export type SceneKind = 'lane' | 'arm' | 'pendulum' | 'mountaincar' | 'none';

/**
 * Whether WebGL here runs in software (SwiftShader, llvmpipe: headless browsers, VMs), where
 * the view trades resolution for frame rate from the start and skips multisampling.
 */
export function softwareWebGL(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return true;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software|softpipe/i.test(name);
  } catch {
    return true;
  }
}

/** A fixed render scale (pixel ratio, 0.25-2) from localStorage `drive-lab.render-scale`, if set. */
function fixedRenderScale(): number | undefined {
  try {
    const v = Number(localStorage.getItem('drive-lab.render-scale'));
    return Number.isFinite(v) && v >= 0.25 && v <= 2 ? v : undefined;
  } catch {
    return undefined;
  }
}

let software: boolean | undefined;
/** Shortest time (ms) between two road changes of the view (fast training switches roads several times a second). */
const ROAD_SWITCH_MS = 1500;
/** Lowest render scale (pixel ratio) the view adapts down to: below it the road turns to mush. */
const MIN_SCALE = 0.5;

export interface SceneViewOptions {
  canvas: HTMLCanvasElement;
  kind: SceneKind;
  /** Fetches a lane road's scene (the run's env config, road seed). */
  loadLane?: (roadSeed: number) => Promise<LaneScene>;
  /** Fetches the arm scene. */
  loadArm?: () => Promise<ArmScene>;
  onError?: (message: string) => void;
}

const UP_Y = new THREE.Vector3(0, 1, 0);
const FORWARD = new THREE.Vector3(1, 0, 0);
const v1 = new THREE.Vector3();
const v2 = new THREE.Vector3();
const v3 = new THREE.Vector3();
const q1 = new THREE.Quaternion();
const e1 = new THREE.Euler();

export class SceneView {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(55, 1, 0.2, 6000);
  readonly controls: OrbitControls;
  mode: CameraMode = 'chase';
  private lane: LaneScene3D | undefined;
  private readonly laneMaterials = new LaneMaterials();
  private adaptFrames = 0;
  readonly software: boolean;
  private laneSeed = -1;
  private laneSpec: LaneScene | undefined;
  private loadingSeed = -1;
  private car: CarModel | undefined;
  private pendulum: PendulumModel | undefined;
  private mountain: MountainCarModel | undefined;
  private arm: ArmModel | undefined;
  private lastTime = 0;
  private readonly lastCar = new THREE.Vector3();
  private hasCar = false;
  private chaseInit = false;
  /** Chassis centre height at rest (m), from the first pose. */
  private restY = 0.77;
  private disposed = false;
  /** Whether the model is shown (a pose arrived and its scene is loaded). */
  ready = false;
  /** Render scale (pixel ratio), adapted to keep the frame time near 30 fps. */
  private scale = 1;
  private readonly maxScale: number;
  private pendingScale = 1;
  /** A render scale set by the user (localStorage drive-lab.render-scale), kept as is. */
  private readonly fixedScale: number | undefined;
  /** Mean time between frames (ms). */
  private frameMs = 1000 / 30;
  private lastSwitch = -Infinity;
  private lastCarPose: CarViewPose | undefined;

  constructor(private readonly opts: SceneViewOptions) {
    software ??= softwareWebGL();
    this.software = software;
    setTextureAnisotropy(software ? 1 : 4);
    this.renderer = new THREE.WebGLRenderer({ canvas: opts.canvas, antialias: !software, preserveDrawingBuffer: true, powerPreference: 'high-performance' });
    this.maxScale = Math.min(2, window.devicePixelRatio || 1);
    this.fixedScale = fixedRenderScale();
    this.scale = this.fixedScale ?? (software ? Math.min(this.maxScale, 0.6) : this.maxScale);
    this.renderer.setPixelRatio(this.scale);
    this.pendingScale = this.scale;
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.controls = new OrbitControls(this.camera, opts.canvas);
    this.controls.enableDamping = true;
    this.controls.enabled = false;
    this.setupKind();
  }

  private setupKind(): void {
    const { kind } = this.opts;
    const s = this.scene;
    if (kind === 'lane' || kind === 'none') {
      s.background = new THREE.Color(0xa9c3de);
      this.camera.position.set(-10, 5, 8);
      this.camera.lookAt(0, 0, 0);
      return;
    }
    s.background = new THREE.Color(0x20242b);
    s.add(new THREE.HemisphereLight(0xdfe8ff, 0x30343a, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 2.4);
    sun.position.set(3, 5, 4);
    s.add(sun);
    this.mode = 'orbit';
    this.controls.enabled = true;
    if (kind === 'pendulum') {
      this.pendulum = new PendulumModel();
      s.add(this.pendulum.group);
      const floor = new THREE.Mesh(new THREE.CircleGeometry(3, 48).rotateX(-Math.PI / 2), new THREE.MeshStandardMaterial({ color: 0x2c3139, roughness: 1 }));
      floor.position.y = 0.05;
      s.add(floor);
      this.camera.position.set(0, 1.9, 3.6);
      this.controls.target.set(0, 1.6, 0);
    } else if (kind === 'mountaincar') {
      this.mountain = new MountainCarModel();
      s.add(this.mountain.group);
      this.camera.position.set(-0.3, 0.6, 1.9);
      this.controls.target.set(-0.3, 0.45, 0);
    } else if (kind === 'arm') {
      this.camera.up.set(0, 0, 1);
      this.camera.position.set(1.1, -0.9, 0.75);
      this.controls.target.set(0, 0, 0.15);
      const grid = new THREE.GridHelper(2, 20, 0x556070, 0x3a4350);
      grid.rotation.x = Math.PI / 2;
      grid.position.z = -0.41;
      s.add(grid);
      this.opts
        .loadArm?.()
        .then((scene) => {
          if (this.disposed) return;
          this.arm = new ArmModel(scene);
          this.scene.add(this.arm.group);
          this.arm.update({ kind: 'arm', t: 0, bodies: scene.initialPose.bodies, target: scene.initialPose.target, success: scene.initialPose.success });
          this.ready = true;
        })
        .catch((e: unknown) => this.opts.onError?.(e instanceof Error ? e.message : String(e)));
    }
    this.controls.update();
  }

  setMode(mode: CameraMode): void {
    if (this.opts.kind !== 'lane') mode = 'orbit';
    const was = this.mode;
    this.mode = mode;
    this.controls.enabled = mode === 'orbit';
    if (mode === 'orbit' && was !== 'orbit' && this.hasCar) {
      // Start orbiting from where the camera is, around the car.
      this.controls.target.copy(this.lastCar);
      this.controls.update();
    }
    if (mode === 'chase') this.chaseInit = false;
    this.camera.up.copy(this.opts.kind === 'arm' ? new THREE.Vector3(0, 0, 1) : UP_Y);
  }

  private ensureLane(seed: number, nowMs: number): void {
    if (seed === this.laneSeed || seed === this.loadingSeed || !this.opts.loadLane) return;
    if (this.loadingSeed >= 0) return;
    this.loadingSeed = seed;
    this.lastSwitch = nowMs;
    this.opts.loadLane(seed).then(
      (spec) => {
        if (this.disposed || this.loadingSeed !== seed) return;
        this.loadingSeed = -1;
        if (this.lane) {
          this.scene.remove(this.lane.root);
          this.lane.dispose();
        }
        this.lane = buildLaneScene3D(spec, this.laneMaterials);
        this.laneSpec = spec;
        this.laneSeed = seed;
        this.scene.add(this.lane.root);
        this.scene.fog = this.lane.fog;
        this.scene.background = this.lane.background;
        if (!this.car) {
          this.car = new CarModel(spec.car);
          this.scene.add(this.car.group);
        }
      },
      (e: unknown) => {
        this.loadingSeed = -1;
        this.opts.onError?.(`cannot load the road: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /** Road seed of the lane scene shown (-1: none yet). */
  get roadSeed(): number {
    return this.laneSeed;
  }

  /** The lane scene shown (for overlays), if any. */
  get laneScene(): LaneScene | undefined {
    return this.laneSpec;
  }

  /**
   * Draws one frame with `pose` (the current sample of the live stream or the replay).
   * `immediate`: show a new road at once (the user drives, or a replay), not at most one road
   * change every ROAD_SWITCH_MS as while training runs fast.
   */
  render(pose: ViewPose | undefined, nowMs: number, immediate = false): void {
    const interval = this.lastTime ? nowMs - this.lastTime : 0;
    const dt = Math.min(0.1, interval / 1000);
    this.lastTime = nowMs;
    if (this.pendingScale !== this.renderer.getPixelRatio()) this.renderer.setPixelRatio(this.pendingScale);
    this.resize();
    if (pose) this.apply(pose, dt, nowMs, immediate);
    if (this.controls.enabled) this.controls.update();
    this.renderer.render(this.scene, this.camera);
    if (interval > 0 && interval < 250) this.adapt(interval);
  }

  /**
   * Lowers the resolution while frames come slower than ~25 per second and raises it again above
   * ~45. It watches the time between frames, not the time render() takes: with WebGL the
   * drawing happens later in the GPU process (in software, llvmpipe or SwiftShader, that is
   * where the time goes).
   */
  private adapt(intervalMs: number): void {
    if (this.fixedScale !== undefined) return;
    this.frameMs = 0.9 * this.frameMs + 0.1 * intervalMs;
    if (++this.adaptFrames < 30) return;
    this.adaptFrames = 0;
    let next = this.scale;
    if (this.frameMs > 40 && this.scale > MIN_SCALE) next = Math.max(MIN_SCALE, this.scale * 0.85);
    else if (this.frameMs < 22 && this.scale < this.maxScale) next = Math.min(this.maxScale, this.scale * 1.1);
    if (next !== this.scale) {
      // Applied before the next frame draws: resizing the canvas clears what it shows.
      this.scale = this.pendingScale = next;
      this.frameMs = 1000 / 30;
    }
  }

  /** Render scale in use (for tests and the status line). */
  get renderScale(): number {
    return this.scale;
  }

  private apply(pose: ViewPose, dt: number, nowMs: number, immediate: boolean): void {
    switch (pose.kind) {
      case 'car': {
        if (pose.roadSeed !== this.laneSeed) {
          // Another road (a new episode): load it, at most one every ROAD_SWITCH_MS (fast training
          // switches roads several times a second), holding the last pose on the shown road meanwhile.
          if (this.loadingSeed < 0 && (immediate || this.laneSeed < 0 || nowMs - this.lastSwitch >= ROAD_SWITCH_MS)) this.ensureLane(pose.roadSeed, nowMs);
          const held = this.lastCarPose;
          if (held && held.kind === 'car' && held.roadSeed === this.laneSeed) this.placeCar(held, dt);
          return;
        }
        this.lastCarPose = pose;
        this.placeCar(pose, dt);
        return;
      }
      case 'pendulum':
        this.pendulum?.update(pose);
        this.ready = true;
        return;
      case 'mountaincar':
        this.mountain?.update(pose);
        this.ready = true;
        return;
      case 'arm':
        this.arm?.update(pose);
        return;
    }
  }

  /** Places the car (on the shown road) and the camera that follows it. */
  private placeCar(pose: CarViewPose, dt: number): void {
    const car = this.car;
    if (!car || this.laneSeed !== pose.roadSeed) return;
    if (!this.hasCar) this.restY = pose.position[1];
    car.update(pose, dt);
    car.group.visible = true;
    const pos = v1.set(pose.position[0], pose.position[1], pose.position[2]);
    if (this.hasCar && this.mode === 'orbit') {
      // Orbit follows the car: move the camera and target by the car's displacement.
      v2.subVectors(pos, this.lastCar);
      if (v2.lengthSq() < 400) {
        this.camera.position.add(v2);
        this.controls.target.add(v2);
      } else this.controls.target.copy(pos);
    }
    this.lastCar.copy(pos);
    this.hasCar = true;
    this.ready = true;
    q1.set(pose.quaternion[0], pose.quaternion[1], pose.quaternion[2], pose.quaternion[3]);
    this.placeCamera(pos, q1, dt);
  }

  private placeCamera(pos: THREE.Vector3, quat: THREE.Quaternion, dt: number): void {
    const cam = this.camera;
    const fwd = v2.copy(FORWARD).applyQuaternion(quat);
    fwd.y = 0;
    if (fwd.lengthSq() < 1e-6) fwd.set(1, 0, 0);
    fwd.normalize();
    const spec = this.laneSpec?.camera;
    if (this.mode === 'chase') {
      cam.fov = 55;
      const want = v3.copy(pos).addScaledVector(fwd, -8.5);
      want.y = pos.y + 3.1;
      const k = this.chaseInit ? 1 - Math.exp(-dt * 6) : 1;
      this.chaseInit = true;
      cam.position.lerp(want, k);
      cam.up.copy(UP_Y);
      cam.lookAt(
        v3
          .copy(pos)
          .addScaledVector(fwd, 6)
          .setY(pos.y + 0.6),
      );
    } else if (this.mode === 'top') {
      cam.fov = 50;
      cam.position.set(pos.x, pos.y + 48, pos.z + 0.001);
      cam.up.set(0, 0, -1); // map north up
      cam.lookAt(pos);
    } else if (this.mode === 'driver' && spec) {
      // The agent camera: mounted `forward` m ahead of the centre, at its height, pitched down.
      const aspect = cam.aspect || 1;
      cam.fov = (2 * Math.atan(Math.tan((spec.hFovDeg * Math.PI) / 360) / aspect) * 180) / Math.PI;
      cam.position
        .set(spec.forward, spec.heightAboveGround - this.restY, 0)
        .applyQuaternion(quat)
        .add(pos);
      e1.set((-spec.pitchDeg * Math.PI) / 180, -Math.PI / 2, 0, 'YXZ');
      cam.quaternion.copy(quat).multiply(new THREE.Quaternion().setFromEuler(e1));
      cam.up.copy(UP_Y);
    }
    cam.updateProjectionMatrix();
  }

  private resize(): void {
    const c = this.renderer.domElement;
    const w = c.clientWidth;
    const h = c.clientHeight;
    const pr = this.renderer.getPixelRatio();
    if (w && h && (c.width !== Math.floor(w * pr) || c.height !== Math.floor(h * pr))) {
      this.renderer.setSize(w, h, false);
      this.camera.aspect = w / h;
      this.camera.updateProjectionMatrix();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.controls.dispose();
    this.lane?.dispose();
    this.laneMaterials.dispose();
    this.car?.dispose();
    this.pendulum?.dispose();
    this.mountain?.dispose();
    this.arm?.dispose();
    this.renderer.dispose();
  }
}
