/**
 * What an export says about its env: observation element names (with units) and how the
 * [-1, 1] actions map to physical units. The spaces come from the env itself (makeEnv); the
 * names and scalings below mirror the doc comments of src-main/sim. An env without an entry
 * here is exported with a normalized scaling ([-1, 1], unit "normalized"); envs that add an
 * entry get physical units in their exports' metadata.
 */
import type { EnvConfig } from '../../src-shared/config/envs/index.js';
import { makeEnv } from '../sim/registry.js';
import type { ActionScaling, ObservationSpec } from './metadata.js';
import { vectorSpace } from './metadata.js';

interface EnvDescription {
  observationNames: string[];
  actionScaling: ActionScaling[];
}

const DESCRIPTIONS: Partial<Record<string, EnvDescription>> = {
  pendulum: {
    observationNames: ['cos(theta)', 'sin(theta)', 'angular velocity (rad/s)'],
    actionScaling: [{ name: 'torque', unit: 'N m', low: -2, high: 2 }],
  },
  cartpole: {
    observationNames: ['cart position (m)', 'cart velocity (m/s)', 'pole angle (rad)', 'pole angular velocity (rad/s)'],
    actionScaling: [{ name: 'push direction (0 left, 1 right)', unit: 'index', low: 0, high: 1 }],
  },
  'mountaincar-discrete': {
    observationNames: ['position (m)', 'velocity (m/step)'],
    actionScaling: [{ name: 'acceleration (0 left, 1 none, 2 right)', unit: 'index', low: 0, high: 2 }],
  },
  mountaincar: {
    observationNames: ['position (m)', 'velocity (m/step)'],
    // Gymnasium's MountainCarContinuous takes the force in [-1, 1] directly (times power 0.0015 in the dynamics).
    actionScaling: [{ name: 'force', unit: 'Gymnasium force units (x 0.0015 in the dynamics)', low: -1, high: 1 }],
  },
};

export interface EnvExportInfo {
  observation: ObservationSpec;
  actionScaling: ActionScaling[];
}

/** Observation spec and action scaling of a vector-observation env, for export metadata. */
export function envExportInfo(config: EnvConfig): EnvExportInfo {
  const env = makeEnv(config);
  try {
    const d = DESCRIPTIONS[config.id];
    const n = env.actionSpace.shape[0]!;
    const names = d?.observationNames.length === env.observationSpace.low.length ? d.observationNames : undefined;
    return {
      observation: { kind: 'vector', space: vectorSpace(env.observationSpace.low, env.observationSpace.high, names) },
      actionScaling:
        d?.actionScaling.length === n ? d.actionScaling : Array.from({ length: n }, (_, i) => ({ name: `action ${i}`, unit: 'normalized', low: -1, high: 1 })),
    };
  } finally {
    env.close?.();
  }
}
