/**
 * The arm tasks seen through the fixed table camera (config obs "pixels" or "vae"): the same
 * simulator (ArmEnv, same seeds, rewards, info and episode ends), with the observation
 *   [camera image (size * size * 3 values, byte / 255, HWC, rows from the top), goal (3, m)],
 * followed, with cameraLastAction, by the previous action (zeros after a reset).
 * The "vae" observation is this same raw observation: the run's encoder turns the image into a
 * latent (src-main/rl/encoder/). Not a GoalEnv: the achieved goal (the paddle tip or the cube)
 * is in `info` but not in the observation, so hindsight replay cannot relabel it.
 */
import { ARM_CAMERA_SIZE, type ArmEnvConfig } from '../../../src-shared/config/envs/arm.js';
import { boxSpace, type BoxSpace, type ImageObsLayout, type ResetResult, type StepResult } from '../env.js';
import type { Env } from '../env.js';
import { ArmEnv } from './arm-env.js';
import { ArmCamera } from './camera.js';
import { N_BODIES } from './kinematics.js';

/** Vector features after the image: the goal, then (cameraLastAction) the previous action. */
export function armImageExtraNames(config: Pick<ArmEnvConfig, 'cameraLastAction'>, actionDim: number): string[] {
  const goal = ['goal x (m)', 'goal y (m)', 'goal z (m)'];
  return config.cameraLastAction ? [...goal, ...Array.from({ length: actionDim }, (_, j) => `previous action ${j + 1}`)] : goal;
}
const INV_255 = 1 / 255;

export class ArmCameraEnv implements Env {
  readonly id: ArmEnvConfig['id'];
  readonly config: Readonly<ArmEnvConfig>;
  readonly imageLayout: ImageObsLayout;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly controlDtS: number;
  /** The simulator (state observation, goals, pose). */
  readonly sim: ArmEnv;
  readonly camera: ArmCamera;
  private readonly obs: Float32Array;
  private readonly poses: Float64Array;
  private stateObs: Float32Array | undefined;
  /** The previous action (observed with cameraLastAction). */
  private readonly lastAction: Float32Array;

  constructor(config: ArmEnvConfig) {
    this.config = config;
    this.id = config.id;
    this.sim = new ArmEnv(config);
    this.actionSpace = this.sim.actionSpace;
    this.controlDtS = this.sim.controlDtS;
    const size = config.cameraSize ?? ARM_CAMERA_SIZE;
    const withCube = config.id === 'arm-push';
    this.camera = new ArmCamera({ width: size, height: size }, withCube);
    this.lastAction = new Float32Array(this.actionSpace.shape[0]!);
    this.poses = new Float64Array(7 * (N_BODIES + (withCube ? 1 : 0)));
    const extraDim = armImageExtraNames(config, this.actionSpace.shape[0]!).length;
    this.imageLayout = { height: size, width: size, channels: 3, extraDim };
    const pixels = size * size * 3;
    this.obs = new Float32Array(pixels + extraDim);
    this.observationSpace = boxSpace(
      Array.from({ length: pixels + extraDim }, (_, i) => (i < pixels ? 0 : -Infinity)),
      Array.from({ length: pixels + extraDim }, (_, i) => (i < pixels ? 1 : Infinity)),
    );
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    const r = this.sim.reset(seed, options);
    this.lastAction.fill(0);
    return { obs: this.observe(r.obs), info: r.info };
  }

  step(action: Float32Array): StepResult {
    const r = this.sim.step(action);
    // What the arm was told, clipped to the action space as the simulator applies it.
    for (let j = 0; j < this.lastAction.length; j++) this.lastAction[j] = Math.max(-1, Math.min(1, action[j]!));
    return { obs: this.observe(r.obs), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: r.info };
  }

  /** The camera image of the current observation (height * width * 3 bytes; overwritten by the next step). */
  frame(): Uint8Array {
    return this.camera.rgb;
  }

  /** The simulator's state observation of the current step (owned by it; for scripted controllers and data collection). */
  stateObservation(): Float32Array {
    if (!this.stateObs) throw new Error('reset the env first');
    return this.stateObs;
  }

  private observe(stateObs: Float32Array): Float32Array {
    this.stateObs = stateObs;
    this.sim.arm.writePoses(this.poses);
    const rgb = this.camera.render(this.poses);
    const o = this.obs;
    for (let i = 0; i < rgb.length; i++) o[i] = rgb[i]! * INV_255;
    const n = stateObs.length;
    o[rgb.length] = stateObs[n - 3]!;
    o[rgb.length + 1] = stateObs[n - 2]!;
    o[rgb.length + 2] = stateObs[n - 1]!;
    if (this.config.cameraLastAction) o.set(this.lastAction, rgb.length + 3);
    return o;
  }
}
