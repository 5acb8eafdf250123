/** The lane env's observation and action spaces, from its config (lane-env.ts says what each value is). */
import { laneActionDim, type LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import { boxSpace, type BoxSpace, type ImageObsLayout } from '../env.js';

export interface LaneSpaces {
  observationSpace: BoxSpace;
  actionSpace: BoxSpace;
  /** The image observations' layout ("pixels", "vae"); undefined for "state". */
  imageLayout: ImageObsLayout | undefined;
  /** Values in one observation. */
  obsLength: number;
}

export function laneSpaces(config: LaneEnvConfig): LaneSpaces {
  const c = config.camera;
  let observationSpace: BoxSpace;
  let imageLayout: ImageObsLayout | undefined;
  let obsLength: number;
  if (config.obs !== 'state') {
    imageLayout = { height: c.height, width: c.width, channels: 3, extraDim: 2 };
    const n = c.width * c.height * 3;
    const low = new Array<number>(n + 2).fill(0);
    const high = new Array<number>(n + 2).fill(1);
    low[n] = -1;
    high[n] = 2;
    low[n + 1] = -1;
    high[n + 1] = 1;
    observationSpace = boxSpace(low, high);
    obsLength = n + 2;
  } else {
    observationSpace = boxSpace([-3, -3, -1.5, -1.5, -1.5, -1.5, -1, -1], [3, 3, 1.5, 1.5, 1.5, 1.5, 2, 1]);
    obsLength = 8;
  }
  const actDim = laneActionDim(config);
  const actionSpace = boxSpace(new Array<number>(actDim).fill(-1), new Array<number>(actDim).fill(1));
  return { observationSpace, actionSpace, imageLayout, obsLength };
}
