/** What manual driving (takeover in the live view) uses of the lane env. */
import type { LaneEnv } from './lane-env.js';

export type LaneManualDriving = Pick<
  LaneEnv,
  'config' | 'seed' | 'controlDtS' | 'laneState' | 'disengagement' | 'episodeMetrics' | 'step' | 'reset' | 'recover' | 'observation' | 'frame'
>;
