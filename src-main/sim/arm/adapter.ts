/** Adapters of the robot-arm simulators (see ../adapter.ts): generic evaluation, the arm in the live view, its 3D scene, its camera. */
import { ARM_CAMERA_SIZE, type ArmEnvConfig, type ArmEnvId } from '../../../src-shared/config/envs/arm.js';
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import { LaneVaeObsConfig } from '../../../src-shared/config/envs/lane.js';
import { armTrackColumns } from '../../../src-shared/live.js';
import type { EnvAdapter, EnvView } from '../adapter.js';
import type { Env } from '../env.js';
import { ArmEnv } from './arm-env.js';
import { armImageExtraNames, ArmCameraEnv } from './camera-env.js';
import { N_BODIES } from './kinematics.js';
import { JOINTS, N_JOINTS, SERVO_LIMIT_MARGIN } from './model.js';
import { defaultArmScene } from './scene.js';
import { scriptedPolicy } from './scripted.js';

function armView(env: ArmEnv, camera?: ArmCameraEnv): EnvView {
  const nb = N_BODIES + (env.id === 'arm-push' ? 1 : 0);
  const na = env.actionSpace.shape[0]!;
  return {
    kind: 'arm',
    columns: armTrackColumns(nb, N_JOINTS, na),
    dt: env.controlDtS,
    seed: (s) => s,
    writeRow(out, off, t, action) {
      const p = env.pose();
      let o = off;
      out[o++] = t;
      for (const v of p.bodies) out[o++] = v;
      for (const v of p.joints) out[o++] = v;
      for (const v of p.endEffector) out[o++] = v;
      for (const v of p.target) out[o++] = v;
      out[o++] = p.success ? 1 : 0;
      for (let k = 0; k < na; k++) out[o + k] = k < action.length ? action[k]! : 0;
    },
    pose: () => ({ kind: 'arm', pose: env.pose() }),
    camera: () => (camera ? { width: camera.camera.width, height: camera.camera.height, rgb: camera.frame() } : undefined),
  };
}

const isImageObs = (c: ArmEnvConfig) => c.obs === 'pixels' || c.obs === 'vae';

function armAdapter<K extends ArmEnvId>(id: K): EnvAdapter<Extract<EnvConfig, { id: K }>> {
  return {
    make: (c) => (isImageObs(c) ? new ArmCameraEnv(c) : new ArmEnv(c)),
    view: (env: Env) => (env instanceof ArmEnv ? armView(env) : env instanceof ArmCameraEnv ? armView(env.sim, env) : undefined),
    encodedImageObs(c) {
      const arm: ArmEnvConfig = c;
      if (arm.obs !== 'vae') return undefined;
      const size = arm.cameraSize ?? ARM_CAMERA_SIZE;
      const extraNames = armImageExtraNames(arm, N_JOINTS);
      return {
        height: size,
        width: size,
        channels: 3,
        extraDim: extraNames.length,
        extraNames,
        vae: LaneVaeObsConfig.parse(arm.vae ?? {}),
      };
    },
    scene: (seed) => defaultArmScene(id, seed),
    // The scripted controllers read the state observation.
    scripted: (c) => {
      const arm: ArmEnvConfig = c;
      if (isImageObs(arm)) return undefined;
      const policy = scriptedPolicy(id, arm.control);
      return (obs, out) => void policy.act(obs, out);
    },
    actionUnits: (c, n) => {
      const arm: ArmEnvConfig = c;
      return JOINTS.slice(0, n).map((j) =>
        arm.control === 'velocity'
          ? { name: `${j.name} speed`, unit: 'rad/s', low: -j.maxSpeed, high: j.maxSpeed }
          : { name: `${j.name} angle target`, unit: 'rad', low: j.lower + SERVO_LIMIT_MARGIN, high: j.upper - SERVO_LIMIT_MARGIN },
      );
    },
  };
}

export const armReachAdapter = armAdapter('arm-reach');
export const armPushAdapter = armAdapter('arm-push');
