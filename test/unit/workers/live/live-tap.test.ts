/**
 * The live view's engine side without a worker thread: a lane run trained by the real Trainer
 * with the LiveTap's hooks. Frames stream while watched (validated like every message), episodes
 * are recorded, and a manual takeover logs a "manual" disengagement, drives in real time with
 * the user's input, records frames and demonstrations, and hands the car back.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFrame, type RunManual } from '../../../../src-shared/live.js';
import { LiveTap } from '../../../../src-main/workers/live/live-tap.js';
import { runTraining } from '../../../../src-main/workers/run-training.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { FramesReader } from '../../../../src-main/sim/lane/frames-file.js';
import { MANUAL_LABEL_COLUMNS, readManualLabels } from '../../../../src-main/workers/live/manual-frames.js';
import { listTracks, readTrack } from '../../../../src-main/store/episode-tracks.js';
import { tempDir } from '../../../helpers/tmp.js';
import { fakeJob } from '../../rl/fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

const laneConfig = (totalSteps: number) => ({
  env: { id: 'lane' as const, maxEpisodeSteps: 60 },
  totalSteps,
  evalEvery: 0,
  evalEpisodes: 1,
  checkpointEvery: 0,
  logEvery: 100,
  backend: 'wasm' as const,
  td3: { actorHidden: [8], criticHidden: [8], batchSize: 16, learningStarts: 50, bufferSize: 5_000 },
});

describe('live tap', () => {
  it('streams valid frames while watched, records every episode, and keeps to the trainer numbers', async () => {
    const dir = join(tmp.dir, 'watch');
    mkdirSync(dir);
    const f = fakeJob(dir, laneConfig(300));
    const frames: unknown[] = [];
    const tap = new LiveTap(dir, f.job.controls, f.job.out, { frame: (fr) => frames.push(fr), manual: () => {} });
    tap.setWatching(true);
    f.setSpeed('realtime');
    // Realtime paces at 20 Hz; switch to fast after a few frames so the test stays quick.
    const t0 = Date.now();
    const timer = setInterval(() => {
      if (frames.length >= 5) f.setSpeed('fast');
    }, 20);
    try {
      await runTraining(f.job, tap.hooks(), (t) => tap.attach(t));
    } finally {
      clearInterval(timer);
      tap.close();
      f.close();
    }
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(frames.length).toBeGreaterThanOrEqual(5);
    for (const fr of frames) expect(LiveFrame.safeParse(fr).success).toBe(true);
    const first = LiveFrame.parse(frames[0]);
    expect(first.pose.kind).toBe('car');
    expect(first.camera?.width).toBe(64);
    expect(first.camera?.data.length).toBe(Math.ceil((64 * 64 * 3) / 3) * 4);
    expect(first.sampled).toBe(false); // realtime: every step
    expect(first.source).toBe('random');
    expect(typeof first.q).toBe('number');
    const last = LiveFrame.parse(frames.at(-1));
    expect(last.source).toBe('agent');
    // Episodes: every finished one is recorded with its ordinal, in order.
    const episodes = f.metrics().filter((l) => l.kind === 'episode');
    const listed = listTracks(dir).episodes;
    expect(listed.map((e) => e.episode)).toEqual(episodes.map((_, i) => i + 1));
    expect(listed.map((e) => e.steps)).toEqual(episodes.map((l) => l.length));
    const track = readTrack(dir, listed[0]!.episode)!;
    expect(track.columns[0]).toBe('t');
    expect(track.stepIndex.length).toBe(listed[0]!.steps);
    // Disengagement events name the episode they ended.
    for (const e of f.events.filter((ev) => ev.kind === 'disengagement')) {
      expect(listed.find((x) => x.episode === e.episode)?.cause).toBe(e.cause);
    }
  });

  it('takes over: a manual disengagement, real-time driving with recorded frames and demonstrations, then hands back', async () => {
    const dir = join(tmp.dir, 'manual');
    mkdirSync(dir);
    const f = fakeJob(dir, laneConfig(400));
    const manual: Array<Omit<RunManual, 'id'>> = [];
    const frames: LiveFrame[] = [];
    const controls = { ...f.job.controls, poke: () => {} };
    Object.defineProperties(controls, Object.getOwnPropertyDescriptors(f.job.controls));
    const tap = new LiveTap(dir, controls, f.job.out, { frame: (fr) => frames.push(fr), manual: (m) => manual.push(m) });
    let trainer: { step: number } | undefined;
    let takenAt = -1;
    const driver = setInterval(() => {
      if (!trainer) return;
      if (takenAt < 0 && trainer.step >= 120) {
        takenAt = trainer.step;
        tap.requestTakeover(true, { recordFrames: true, demonstrations: true });
      }
      if (tap.manual) tap.setInput(0.05, 0);
      const driven = frames.filter((fr) => fr.source === 'manual').length;
      if (tap.manual && driven >= 30) tap.requestTakeover(false, { recordFrames: true, demonstrations: true });
    }, 10);
    try {
      await runTraining(f.job, tap.hooks(), (t) => {
        trainer = t;
        tap.attach(t);
      });
    } finally {
      clearInterval(driver);
      tap.close();
      f.close();
    }
    expect(takenAt).toBeGreaterThan(0);
    // The takeover: a "manual" disengagement and the agent's episode ended with it.
    const manualEv = f.events.filter((e) => e.kind === 'disengagement' && e.cause === 'manual');
    expect(manualEv).toHaveLength(1);
    const ordinal = manualEv[0]!.episode as number;
    const eps = f.metrics().filter((l) => l.kind === 'episode');
    expect(eps[ordinal - 1]!.disengagements).toBeGreaterThanOrEqual(1);
    // The drive: on, then off (released), with frames and demonstrations.
    expect(manual[0]!.on).toBe(true);
    const end = manual.at(-1)!;
    expect(end.on).toBe(false);
    expect(end.reason).toBe('released');
    expect(end.demonstrations).toBeGreaterThanOrEqual(30);
    expect(end.frames).toBe(end.demonstrations);
    const driven = frames.filter((fr) => fr.source === 'manual');
    expect(driven.length).toBeGreaterThanOrEqual(30);
    expect(driven.every((fr) => !fr.sampled)).toBe(true);
    // The user's steering, from the first input on (the drive starts straight).
    expect(driven.slice(3).every((fr) => Math.abs(fr.action[0]! - 0.05) < 1e-6)).toBe(true);
    // Real time: 30 steps of 0.05 s take about 1.5 s.
    expect(driven.at(-1)!.wall - driven[0]!.wall).toBeGreaterThan(1000);
    // The frames: one shared-format frame set, "manual" segments of at most 20 frames, labels beside it.
    expect(end.frameSet).toMatch(/^frames[\\/]manual-[0-9-]+\.frames\.json$/);
    const set = new FramesReader(join(dir, end.frameSet!));
    expect(set.count).toBe(end.frames);
    expect(set.manifest.sources).toEqual({ manual: end.frames });
    expect(set.manifest.segments.every((s) => s.count <= 20 && typeof s.info?.roadSeed === 'number')).toBe(true);
    expect(set.frame(0).length).toBe(64 * 64 * 3);
    set.close();
    const labels = readManualLabels(join(dir, end.frameSet!));
    const cols = MANUAL_LABEL_COLUMNS.length;
    expect(labels.columns).toEqual([...MANUAL_LABEL_COLUMNS]);
    expect(labels.rows.length).toBe(end.frames * cols);
    expect(labels.rows[(end.frames - 1) * cols]).toBeCloseTo(0.05, 5);
    // The drive's own track, and training went on to the end after it.
    expect(readTrack(dir, ordinal, true)?.manual).toBe(true);
    expect(f.statuses.at(-1)!.status).toBe('finished');
    expect(existsSync(join(dir, 'eval.json'))).toBe(true);
  });
});
