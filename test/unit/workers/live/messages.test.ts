/**
 * Validation of the live view's messages: run.frame events (camera images must be base64 of
 * exactly width * height * 3 bytes), the user's driving input and takeover requests, at the
 * contract (engine and renderer) and at the worker boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventChannels, requestChannels } from '../../../../src-shared/contract.js';
import { base64Length, DriveInput, LiveFrame, RunFrame } from '../../../../src-shared/live.js';
import { CAR_POSE_FLOATS } from '../../../../src-shared/scene/car-pose.js';
import { Engine } from '../../../../src-main/services/engine.js';
import { FromWorker, ToWorker } from '../../../../src-main/workers/protocol.js';
import { tempDir } from '../../../helpers/tmp.js';

const image = (w: number, h: number) => ({ width: w, height: h, channels: 3 as const, data: Buffer.alloc(w * h * 3, 7).toString('base64') });
const frame = () => ({
  id: 'run-1',
  env: 0,
  episode: 3,
  episodeStep: 10,
  t: 0.5,
  step: 1234,
  wall: Date.now(),
  action: [0.25, -1],
  q: 12.5,
  reward: 0.4,
  episodeReturn: 4.1,
  source: 'agent' as const,
  sampled: true,
  pose: { kind: 'car' as const, packed: new Array<number>(CAR_POSE_FLOATS).fill(0.5), roadSeed: 42 },
  camera: image(64, 64),
});

describe('run.frame', () => {
  it('accepts a well-formed frame, with or without a reconstruction image', () => {
    expect(eventChannels['run.frame'].safeParse(frame()).success).toBe(true);
    expect(RunFrame.safeParse({ ...frame(), reconstruction: image(64, 64) }).success).toBe(true);
    expect(RunFrame.safeParse({ ...frame(), camera: undefined, pose: { kind: 'pendulum', theta: 1, omega: 0 } }).success).toBe(true);
  });

  const bad: Array<[string, (f: ReturnType<typeof frame>) => unknown]> = [
    ['image bytes that do not match its size', (f) => ({ ...f, camera: { ...f.camera, width: 63 } })],
    ['a truncated image', (f) => ({ ...f, camera: { ...f.camera, data: f.camera.data.slice(0, -4) } })],
    ['an image that is not base64', (f) => ({ ...f, camera: { ...f.camera, data: '<script>'.padEnd(f.camera.data.length, 'A') } })],
    ['a huge image', (f) => ({ ...f, camera: image(1000, 1000) })],
    ['4 channels', (f) => ({ ...f, camera: { ...f.camera, channels: 4 } })],
    ['a packed car pose of the wrong length', (f) => ({ ...f, pose: { ...f.pose, packed: [1, 2, 3] } })],
    ['an unknown pose kind', (f) => ({ ...f, pose: { kind: 'boat' } })],
    ['an action outside [-1, 1]', (f) => ({ ...f, action: [2] })],
    ['a NaN Q-value', (f) => ({ ...f, q: Number.NaN })],
    ['a bad run id', (f) => ({ ...f, id: '../x' })],
    ['a missing episode', (f) => ({ ...f, episode: undefined })],
    ['an unknown source', (f) => ({ ...f, source: 'ghost' })],
  ];
  for (const [what, make] of bad) {
    it(`refuses ${what}`, () => {
      expect(RunFrame.safeParse(make(frame())).success).toBe(false);
    });
  }

  it('crosses the worker boundary only when valid', () => {
    const { id: _id, ...f } = frame();
    expect(FromWorker.safeParse({ type: 'frame', frame: f }).success).toBe(true);
    expect(FromWorker.safeParse({ type: 'frame', frame: { ...f, camera: { ...f.camera, data: 'AAAA' } } }).success).toBe(false);
    expect(LiveFrame.safeParse({ ...f, extra: 1 }).success).toBe(true); // unknown keys are stripped, not trusted
    expect('extra' in LiveFrame.parse({ ...f, extra: 1 })).toBe(false);
  });

  it('sizes base64 as the encoder does', () => {
    for (const n of [0, 1, 2, 3, 4, 12288, 76800]) expect(base64Length(n)).toBe(Buffer.alloc(n).toString('base64').length);
  });
});

describe('driving input and takeover', () => {
  it('accepts steering and throttle in [-1, 1] only', () => {
    expect(DriveInput.safeParse({ steer: -1, throttle: 1 }).success).toBe(true);
    for (const bad of [
      { steer: 1.01, throttle: 0 },
      { steer: 0, throttle: -2 },
      { steer: Number.NaN, throttle: 0 },
      { steer: Infinity, throttle: 0 },
      { steer: '0', throttle: 0 },
      { steer: 0 },
    ]) {
      expect(DriveInput.safeParse(bad).success).toBe(false);
    }
  });

  it('validates train.drive and train.takeover requests (extra fields refused)', () => {
    const drive = requestChannels['train.drive'].request;
    expect(drive.safeParse({ id: 'r', steer: 0.5, throttle: 0 }).success).toBe(true);
    expect(drive.safeParse({ id: 'r', steer: 0.5, throttle: 0, speed: 99 }).success).toBe(false);
    expect(drive.safeParse({ id: 'r', steer: 5, throttle: 0 }).success).toBe(false);
    const takeover = requestChannels['train.takeover'].request;
    expect(takeover.parse({ id: 'r', on: true })).toEqual({ id: 'r', on: true, recordFrames: true, demonstrations: false });
    expect(takeover.safeParse({ id: 'r', on: 'yes' }).success).toBe(false);
  });

  it('validates the messages the worker takes', () => {
    expect(ToWorker.safeParse({ type: 'drive', steer: 0.1, throttle: -0.2 }).success).toBe(true);
    expect(ToWorker.safeParse({ type: 'drive', steer: 3, throttle: 0 }).success).toBe(false);
    expect(ToWorker.safeParse({ type: 'drive', steer: Number.NaN, throttle: 0 }).success).toBe(false);
    expect(ToWorker.safeParse({ type: 'takeover', on: true, options: { recordFrames: false, demonstrations: true } }).success).toBe(true);
    expect(ToWorker.safeParse({ type: 'takeover', on: true }).success).toBe(false); // the engine always sends the options
    expect(ToWorker.safeParse({ type: 'watch', on: 1 }).success).toBe(false);
  });

  describe('at the engine', () => {
    const tmp = tempDir();
    let engine: Engine;
    beforeAll(() => {
      engine = new Engine({ runsDir: tmp.dir });
    });
    afterAll(() => tmp.cleanup());

    it('answers bad driving requests with bad-request and takeovers of idle runs with conflict', async () => {
      const run = await engine.client().request('runs.create', { config: { env: { id: 'lane' } } });
      const bad = await engine.dispatcher.call('train.drive', { id: run.id, steer: 9, throttle: 0 });
      expect('error' in bad && bad.error.code).toBe('bad-request');
      const idle = await engine.dispatcher.call('train.takeover', { id: run.id, on: true });
      expect('error' in idle && idle.error.code).toBe('conflict');
      const watch = await engine.client().request('live.watch', { id: run.id });
      expect(watch.streaming).toBe(false);
      expect(await engine.client().request('runs.episodes', { id: run.id })).toMatchObject({ episodes: [], bytes: 0 });
      const missing = await engine.dispatcher.call('runs.track', { id: run.id, episode: 1 });
      expect('error' in missing && missing.error.code).toBe('not-found');
      const noCkpt = await engine.dispatcher.call('runs.export', { id: run.id });
      expect('error' in noCkpt && noCkpt.error.code).toBe('not-found');
    });
  });
});
