/**
 * One run's live view state in the renderer: the latest frame (for the panels), the pose
 * timeline (for the 3D view, not reactive: read every animation frame), the manual driving
 * state, the replay, the camera mode, and the watch lease that makes the engine stream.
 */
import type { LiveFrame, RunManual } from '../../../../src-shared/live';
import { WATCH_LEASE_S } from '../../../../src-shared/live';
import type { UiClient } from '../engine-client';
import { PoseTimeline, poseFromFrame } from '../three/poses';
import type { CameraMode } from '../three/scene-view';
import { Replay } from './replay.svelte';

/** Panels redraw at most this often (ms); the 3D view reads every frame. */
const PANEL_MS = 66;

export class LiveRun {
  /** Latest frame, for the agent camera and action panels (throttled). */
  frame = $state<LiveFrame | null>(null);
  /** Frames received since the view opened. */
  received = $state(0);
  /** Wall time (ms, performance clock) of the last frame. */
  lastAt = $state(0);
  manual = $state<Omit<RunManual, 'id'> | null>(null);
  cameraMode = $state<CameraMode>('chase');
  /** The orbit camera as the user left it (kept while the Live tab is closed; not reactive). */
  orbitView: { position: [number, number, number]; target: [number, number, number] } | undefined;
  /** Road seed the 3D view shows (-1: none); it trails the stream by up to ~1.5 s while training runs fast. */
  viewRoad = $state(-1);
  /** Replay mode (null: live). */
  replay = $state<Replay | null>(null);
  readonly timeline = new PoseTimeline();
  /** The newest frame, unthrottled. */
  latest: LiveFrame | null = null;
  private panelTimer: ReturnType<typeof setTimeout> | undefined;
  private watchers = 0;
  private lease: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly id: string,
    private readonly client: UiClient,
  ) {}

  onFrame(f: LiveFrame): void {
    const now = performance.now();
    this.timeline.push(now, poseFromFrame(f));
    this.latest = f;
    this.received++;
    this.lastAt = now;
    this.panelTimer ??= setTimeout(() => {
      this.panelTimer = undefined;
      this.frame = this.latest;
    }, PANEL_MS);
  }

  onManual(m: Omit<RunManual, 'id'>): void {
    this.manual = m;
  }

  get driving(): boolean {
    return this.manual?.on === true;
  }

  /** Holds a watch lease while the returned function is not called (renewed every few seconds). */
  watch(): () => void {
    this.watchers++;
    if (this.watchers === 1) {
      const renew = () => {
        this.client.request('live.watch', { id: this.id, seconds: WATCH_LEASE_S }).catch(() => {});
      };
      renew();
      this.lease = setInterval(renew, (WATCH_LEASE_S * 1000) / 3);
    }
    return () => {
      this.watchers--;
      if (this.watchers === 0) {
        clearInterval(this.lease);
        this.lease = undefined;
      }
    };
  }

  /** Opens the replay of an episode (manual: the drive by hand that followed it) at `t` seconds (default: its start). */
  openReplay(episode: number, manual = false, startAtEndMinus?: number): Replay {
    this.replay?.dispose();
    const r = new Replay(this.client, this.id, episode, manual, startAtEndMinus);
    this.replay = r;
    return r;
  }

  closeReplay(): void {
    this.replay?.dispose();
    this.replay = null;
  }
}
