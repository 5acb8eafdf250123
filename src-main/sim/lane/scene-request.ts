/** The scene.lane request: the scene description of a road seed under a (partial) lane config. */
import { LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import { ContractError, formatIssues } from '../../../src-shared/protocol.js';
import type { LaneScene } from '../../../src-shared/scene/lane-scene.js';
import { buildLaneScene } from './scene-gen.js';

export function laneSceneFor(seed: number, config: Record<string, unknown>): LaneScene {
  const parsed = LaneEnvConfig.safeParse({ ...config, id: 'lane' });
  if (!parsed.success) throw new ContractError('bad-request', 'invalid lane env config', formatIssues(parsed.error, 'config'));
  return buildLaneScene(parsed.data, seed);
}
