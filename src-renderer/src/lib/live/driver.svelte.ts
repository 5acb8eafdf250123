/**
 * Driving by hand from the keyboard (arrows or W/A/S/D): the keys steer with a ramp (full lock
 * in about a third of a second, back to centre when released), Up/W accelerates and Down/S
 * brakes (lane runs with a throttle action; otherwise the cruise control holds the speed).
 * While driving, the input goes to the engine 20 times a second (train.drive), which also tells
 * it the user is still there.
 */
import type { UiClient } from '../engine-client';
import { describeError } from '../errors';
import type { Toasts } from '../toasts.svelte';

export const DRIVE_KEYS: Record<string, 'left' | 'right' | 'up' | 'down'> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  a: 'left',
  A: 'left',
  d: 'right',
  D: 'right',
  w: 'up',
  W: 'up',
  s: 'down',
  S: 'down',
};

const SEND_MS = 50;
/** Steering rate towards full lock and back to centre (per second of key press). */
const STEER_RATE = 3;
const RETURN_RATE = 4;

export class ManualDriver {
  steer = $state(0);
  throttle = $state(0);
  /** A takeover or hand-back is in flight. */
  pending = $state(false);
  readonly held = new Set<'left' | 'right' | 'up' | 'down'>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private last = 0;

  constructor(
    private readonly client: UiClient,
    private readonly toasts: Toasts,
  ) {}

  /** Takes over run `id` (options as in train.takeover). */
  async takeOver(id: string, options: { recordFrames: boolean; demonstrations: boolean }): Promise<boolean> {
    if (this.pending) return false;
    this.pending = true;
    try {
      const r = await this.client.request('train.takeover', { id, on: true, ...options });
      if (!r.manual) {
        this.toasts.push('warn', 'The run did not hand over the car', ['It may be finishing or evaluating; try again.']);
        return false;
      }
      this.startSending(id);
      return true;
    } catch (e) {
      this.toasts.push('error', `Cannot take over: ${describeError(e).message}`);
      return false;
    } finally {
      this.pending = false;
    }
  }

  async handBack(id: string): Promise<void> {
    this.stopSending();
    this.held.clear();
    this.steer = 0;
    this.throttle = 0;
    try {
      await this.client.request('train.takeover', { id, on: false });
    } catch (e) {
      this.toasts.error('Could not hand the car back', e);
    }
  }

  key(e: KeyboardEvent, down: boolean): boolean {
    const k = DRIVE_KEYS[e.key];
    if (!k) return false;
    if (down) this.held.add(k);
    else this.held.delete(k);
    return true;
  }

  private startSending(id: string): void {
    this.stopSending();
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const dt = Math.min(0.2, (now - this.last) / 1000);
      this.last = now;
      const target = (this.held.has('left') ? 1 : 0) - (this.held.has('right') ? 1 : 0);
      let s = this.steer;
      if (target !== 0) s += Math.sign(target - s) * Math.min(Math.abs(target - s), STEER_RATE * dt);
      else s -= Math.sign(s) * Math.min(Math.abs(s), RETURN_RATE * dt);
      this.steer = Math.max(-1, Math.min(1, s));
      this.throttle = (this.held.has('up') ? 1 : 0) - (this.held.has('down') ? 1 : 0);
      this.client.request('train.drive', { id, steer: this.steer, throttle: this.throttle }).catch(() => {});
    }, SEND_MS);
  }

  /** Stops sending (the engine hands the car back after its input timeout). */
  stopSending(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get sending(): boolean {
    return this.timer !== undefined;
  }
}
