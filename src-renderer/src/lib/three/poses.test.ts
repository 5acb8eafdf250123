import { describe, expect, it } from 'vitest';
import { decodeBase64, TRACK_COLUMNS, type EpisodeTrack } from '../../../../src-shared/live';
import { interpolatePose, PoseTimeline, sampleTrack, slerp, type CarViewPose, type ViewPose } from './poses';

const car = (t: number, x: number, yaw: number, roadSeed = 7): CarViewPose => ({
  kind: 'car',
  roadSeed,
  t,
  position: [x, 0.77, 0],
  quaternion: [0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)],
  steering: 0,
  throttle: 0,
  speed: 8,
  s: x,
  offset: 0,
  headingError: 0,
  suspension: [0.35, 0.35, 0.35, 0.35],
});

describe('view poses', () => {
  it('interpolates the car: positions linearly, rotation on the unit sphere', () => {
    const p = interpolatePose(car(0, 0, 0), car(1, 10, Math.PI / 2), 0.5) as CarViewPose;
    expect(p.position[0]).toBeCloseTo(5);
    expect(p.t).toBeCloseTo(0.5);
    expect(Math.hypot(...p.quaternion)).toBeCloseTo(1, 6);
    // Half of a 90 degree turn about y.
    expect(2 * Math.atan2(p.quaternion[1], p.quaternion[3])).toBeCloseTo(Math.PI / 4, 5);
  });

  it('never blends two episodes: another road, or time going back', () => {
    expect(interpolatePose(car(0, 0, 0, 1), car(1, 10, 0, 2), 0.3)).toMatchObject({ roadSeed: 1 });
    expect(interpolatePose(car(0, 0, 0, 1), car(1, 10, 0, 2), 0.7)).toMatchObject({ roadSeed: 2 });
    const back = interpolatePose(car(5, 50, 0), car(0, 0, 0), 0.5) as CarViewPose;
    expect(back.position[0]).toBe(50);
  });

  it('turns the pendulum the short way round', () => {
    const a: ViewPose = { kind: 'pendulum', t: 0, theta: Math.PI - 0.1, omega: 0, torque: 0 };
    const b: ViewPose = { kind: 'pendulum', t: 1, theta: -Math.PI + 0.1, omega: 0, torque: 0 };
    const m = interpolatePose(a, b, 0.5);
    expect(m.kind === 'pendulum' && Math.abs(Math.abs(m.theta) - Math.PI)).toBeLessThan(1e-9);
  });

  it('slerps the shortest way (q and -q are one rotation)', () => {
    const q = slerp([0, 0, 0, 1], [0, 0, 0, -1], 0.5);
    expect(q[3]).toBeCloseTo(1);
  });

  it('plays live poses out a little behind their arrival, interpolated', () => {
    const tl = new PoseTimeline();
    for (let i = 0; i <= 10; i++) tl.push(1000 + 50 * i, car(i * 0.05, i, 0));
    // Arrivals every 50 ms: a 100 ms play-out delay.
    expect(tl.delay()).toBe(100);
    const p = tl.sample(1000 + 50 * 5 + 100 + 25) as CarViewPose;
    expect(p.position[0]).toBeCloseTo(5.5);
    // Before the first and after the last: held.
    expect((tl.sample(0) as CarViewPose).position[0]).toBe(0);
    expect((tl.sample(1e9) as CarViewPose).position[0]).toBe(10);
  });

  it('samples a recorded lane track at any time of the replay', () => {
    const cols = TRACK_COLUMNS.lane.length;
    const n = 4;
    const rows = new Float32Array(n * cols);
    for (let i = 0; i < n; i++) {
      rows[i * cols] = 0.05 * i; // t
      rows[i * cols + 1] = 2 * i; // px
      rows[i * cols + 7] = 1; // qw
      rows[i * cols + 11] = 2 * i; // s
    }
    const bytes = new Uint8Array(rows.buffer);
    const track = { kind: 'lane' as const, columns: [...TRACK_COLUMNS.lane], seed: 42, stepIndex: [0, 1, 2, 3], dt: 0.05 } satisfies Pick<
      EpisodeTrack,
      'kind' | 'columns' | 'seed' | 'stepIndex' | 'dt'
    >;
    const p = sampleTrack(track, rows, 0.075) as CarViewPose;
    expect(p.kind).toBe('car');
    expect(p.roadSeed).toBe(42);
    expect(p.position[0]).toBeCloseTo(3);
    expect((sampleTrack(track, rows, 99) as CarViewPose).position[0]).toBeCloseTo(6);
    // The rows travel as base64: the renderer's decoder gives back the same bytes.
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    expect(decodeBase64(btoa(bin))).toEqual(bytes);
  });
});
