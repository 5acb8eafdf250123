/**
 * Replay of one recorded episode: its track from runs.track, a playback clock (play/pause,
 * speed, scrubbing) in simulated seconds, and the pose at that time for the 3D view.
 */
import type { EpisodeTrack } from '../../../../src-shared/live';
import { trackRows } from '../../../../src-shared/live';
import { describeError } from '../errors';
import type { UiClient } from '../engine-client';
import { sampleTrack, type ViewPose } from '../three/poses';

export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

export class Replay {
  track = $state<EpisodeTrack | null>(null);
  error = $state<string | null>(null);
  /** Playback position (simulated seconds since the episode started) and its bounds. */
  t = $state(0);
  start = $state(0);
  end = $state(0);
  playing = $state(true);
  speed = $state<number>(1);
  private rows: Float32Array = new Float32Array(0);
  private disposed = false;

  constructor(
    client: UiClient,
    readonly runId: string,
    readonly episode: number,
    readonly manual: boolean,
    /** Start this many seconds before the end (the seconds before a disengagement). */
    startAtEndMinus?: number,
  ) {
    client.request('runs.track', { id: runId, episode, manual }).then(
      (track) => {
        if (this.disposed) return;
        this.rows = trackRows(track);
        const cols = track.columns.length;
        const n = track.stepIndex.length;
        if (n === 0) {
          this.error = `Episode ${episode} has no recorded steps (it ended as it began).`;
          return;
        }
        this.start = n ? this.rows[0]! : 0;
        this.end = n ? this.rows[(n - 1) * cols]! : 0;
        this.t = startAtEndMinus === undefined ? this.start : Math.max(this.start, this.end - startAtEndMinus);
        this.track = track;
      },
      (e: unknown) => {
        if (!this.disposed) this.error = describeError(e).message;
      },
    );
  }

  get ready(): boolean {
    return this.track !== null;
  }

  /** Advances the clock by `dt` real seconds (when playing); stops at the end. */
  tick(dt: number): void {
    if (!this.playing || !this.track) return;
    const next = this.t + dt * this.speed;
    if (next >= this.end) {
      this.t = this.end;
      this.playing = false;
    } else this.t = next;
  }

  seek(t: number): void {
    this.t = Math.max(this.start, Math.min(this.end, t));
  }

  togglePlay(): void {
    if (!this.track) return;
    if (!this.playing && this.t >= this.end) this.t = this.start;
    this.playing = !this.playing;
  }

  /** The pose at the playback position. */
  pose(): ViewPose | undefined {
    return this.track ? sampleTrack(this.track, this.rows, this.t) : undefined;
  }

  /**
   * The recorded row at the playback position (the last at or before it): episode step and the
   * named columns (action a0.., speed, offset, … as the env's track records them). Reading
   * `t` makes it reactive.
   */
  row(): { step: number; values: Record<string, number> } | null {
    const track = this.track;
    const t = this.t;
    if (!track) return null;
    const cols = track.columns.length;
    const n = track.stepIndex.length;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rows[mid * cols]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const values: Record<string, number> = {};
    track.columns.forEach((c, j) => (values[c] = this.rows[lo * cols + j]!));
    return { step: track.stepIndex[lo]!, values };
  }

  /** Decoded rows (for the map's driven path). */
  get data(): Float32Array {
    return this.rows;
  }

  dispose(): void {
    this.disposed = true;
  }
}
