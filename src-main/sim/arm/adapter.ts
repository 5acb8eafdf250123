/** Adapters of the robot-arm simulators (see ../adapter.ts): generic evaluation, the arm in the live view, its 3D scene. */
import type { ArmEnvConfig, ArmEnvId } from '../../../src-shared/config/envs/arm.js';
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import { armTrackColumns } from '../../../src-shared/live.js';
import type { EnvAdapter, EnvView } from '../adapter.js';
import type { Env } from '../env.js';
import { ArmEnv } from './arm-env.js';
import { N_BODIES } from './kinematics.js';
import { N_JOINTS } from './model.js';
import { defaultArmScene } from './scene.js';
import { scriptedPolicy } from './scripted.js';

function armView(env: ArmEnv): EnvView {
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
    camera: () => undefined,
  };
}

function armAdapter<K extends ArmEnvId>(id: K): EnvAdapter<Extract<EnvConfig, { id: K }>> {
  return {
    make: (c) => new ArmEnv(c),
    view: (env: Env) => (env instanceof ArmEnv ? armView(env) : undefined),
    scene: (seed) => defaultArmScene(id, seed),
    scripted: (c) => {
      const arm: ArmEnvConfig = c;
      const policy = scriptedPolicy(id, arm.control);
      return (obs, out) => void policy.act(obs, out);
    },
  };
}

export const armReachAdapter = armAdapter('arm-reach');
export const armPushAdapter = armAdapter('arm-push');
