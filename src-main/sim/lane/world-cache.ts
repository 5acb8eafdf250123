/** The lane env's last few worlds by road seed: a world is a pure function of (config, road seed), and rebuilding one costs a reset. */
import type { LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import { buildLaneWorld, type LaneWorld } from './scene-gen.js';

const KEEP = 4;

export class LaneWorldCache {
  private readonly worlds = new Map<string, LaneWorld>();

  constructor(private readonly config: LaneEnvConfig) {}

  /** The world of road `seed` (the same object while it stays among the last KEEP used). */
  get(seed: number): LaneWorld {
    const key = String(seed);
    let w = this.worlds.get(key);
    if (w) {
      this.worlds.delete(key);
    } else {
      w = buildLaneWorld(this.config, seed);
    }
    this.worlds.set(key, w);
    while (this.worlds.size > KEEP) this.worlds.delete(this.worlds.keys().next().value!);
    return w;
  }
}
