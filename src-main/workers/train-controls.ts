/**
 * The control state a training job reads (pause, resume, stop, evaluate now, speed), driven
 * by the control messages the engine posts to the worker. Kept apart from the worker entry so
 * it can be tested without a thread.
 */
import type { TrainSpeed } from '../../src-shared/types.js';
import type { TrainControls } from '../rl/train/types.js';
import type { ToWorker } from './protocol.js';

/** The messages that steer a running job (as opposed to the job messages that start one). */
export type ControlMessage = Extract<ToWorker, { type: 'pause' | 'resume' | 'stop' | 'evaluate' | 'set-speed' }>;

export function isControlMessage(msg: ToWorker): msg is ControlMessage {
  return msg.type === 'pause' || msg.type === 'resume' || msg.type === 'stop' || msg.type === 'evaluate' || msg.type === 'set-speed';
}

export class WorkerTrainControls implements TrainControls {
  private stop = false;
  private pausedNow = false;
  private evaluateRequested = false;
  private speedNow: TrainSpeed = 'fast';
  private wake: Array<() => void> = [];

  get stopRequested(): boolean {
    return this.stop;
  }
  get paused(): boolean {
    return this.pausedNow;
  }
  get speed(): TrainSpeed {
    return this.speedNow;
  }

  /** Resolves when resumed, stopped, or poked (see poke). */
  waitWhilePaused(): Promise<void> {
    if (!this.pausedNow || this.stop) return Promise.resolve();
    return new Promise<void>((resolve) => this.wake.push(resolve));
  }

  takeEvaluateRequest(): boolean {
    const r = this.evaluateRequested;
    this.evaluateRequested = false;
    return r;
  }

  /** Applies one control message from the engine. */
  apply(msg: ControlMessage): void {
    switch (msg.type) {
      case 'pause':
        this.pausedNow = true;
        return;
      case 'resume':
        this.pausedNow = false;
        this.wakeUp();
        return;
      case 'stop':
        this.stop = true;
        this.wakeUp();
        return;
      case 'evaluate':
        this.evaluateRequested = true;
        return;
      case 'set-speed':
        this.speedNow = msg.speed;
        return;
    }
  }

  /** Wakes a paused job without resuming it (it has something to do: manual driving). */
  poke(): void {
    this.wakeUp();
  }

  private wakeUp(): void {
    for (const w of this.wake.splice(0)) w();
  }
}
