import { afterAll, describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { LANE_TEST_SEEDS, LANE_TRAIN_SEEDS, LaneEnvConfig, isLaneTestSeed, laneTestSeeds } from '../../../../src-shared/config/envs/lane.js';
import { CAR_POSE_FLOATS, CarPose, packCarPose, unpackCarPose } from '../../../../src-shared/scene/car-pose.js';
import { mapToWorld, quaternionYaw, yawQuaternion } from '../../../../src-shared/scene/frames.js';
import { LaneScene } from '../../../../src-shared/scene/lane-scene.js';
import { dashCoverage, makeNoiseTile } from '../../../../src-shared/scene/texture.js';
import { Engine } from '../../../../src-main/services/engine.js';
import { buildLaneScene, buildLaneWorld } from '../../../../src-main/sim/lane/scene-gen.js';
import { LaneEnv } from '../../../../src-main/sim/lane/lane-env.js';
import { tempDir } from '../../../helpers/tmp.js';

const config = LaneEnvConfig.parse({ id: 'lane' });

describe('lane config', () => {
  it('has a documented default for every field and refuses bad values', () => {
    const c = EnvConfig.parse({ id: 'lane' });
    expect(c).toMatchObject({ id: 'lane', obs: 'state', actionRepeat: 3, throttle: false });
    if (c.id === 'lane') expect(c.camera).toMatchObject({ width: 64, height: 64 });
    expect(LaneEnvConfig.safeParse({ id: 'lane', obs: 'lidar' }).success).toBe(false);
    expect(LaneEnvConfig.safeParse({ id: 'lane', road: { laneCount: [3, 1] } }).success).toBe(false);
    const shape = LaneEnvConfig.shape;
    for (const [k, v] of Object.entries(shape)) if (k !== 'id') expect((v as { description?: string }).description, k).toBeTruthy();
  });

  it('keeps training and held-out test seeds apart', () => {
    expect(LANE_TRAIN_SEEDS.first + LANE_TRAIN_SEEDS.count).toBeLessThanOrEqual(LANE_TEST_SEEDS.first);
    expect(laneTestSeeds(3)).toEqual([LANE_TEST_SEEDS.first, LANE_TEST_SEEDS.first + 1, LANE_TEST_SEEDS.first + 2]);
    expect(isLaneTestSeed(LANE_TEST_SEEDS.first)).toBe(true);
    expect(isLaneTestSeed(5)).toBe(false);
    // Seeds the env draws by itself come from the training range.
    const env = new LaneEnv(config);
    for (let k = 0; k < 20; k++) {
      env.reset(k);
      expect(env.seed).toBeLessThan(LANE_TRAIN_SEEDS.first + LANE_TRAIN_SEEDS.count);
      expect(isLaneTestSeed(env.seed)).toBe(false);
    }
  });
});

describe('scene description', () => {
  it('validates against its schema, survives JSON and is a pure function of (config, seed)', () => {
    const a = buildLaneScene(config, 1_000_001);
    expect(LaneScene.safeParse(a).success).toBe(true);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(buildLaneScene(config, 1_000_001)).toEqual(a);
    expect(buildLaneScene(config, 1_000_002)).not.toEqual(a);
    expect(a.road.x.length).toBe(Math.floor(a.road.length / a.road.spacing) + 1);
    expect(JSON.stringify(a).length).toBeLessThan(200_000);
  });

  it('randomizes marking styles, colours and lighting across seeds', () => {
    const styles = new Set<string>();
    const asphalt = new Set<number>();
    const lanes = new Set<number>();
    let missingEdge = 0;
    for (let seed = 0; seed < 40; seed++) {
      const s = buildLaneScene(config, seed);
      lanes.add(s.cross.laneCount);
      asphalt.add(Math.round(s.surface.asphalt[1] * 100));
      for (const m of s.markings) styles.add(`${m.role}:${m.dash ? 'dashed' : 'solid'}:${m.color[2] < 0.5 ? 'yellow' : 'white'}`);
      if (!s.markings.some((m) => m.role === 'edge-right') || !s.markings.some((m) => m.role === 'edge-left')) missingEdge++;
      if (s.markings.filter((m) => m.role === 'centre').length === 2) styles.add('double');
    }
    for (const want of ['centre:dashed:white', 'centre:solid:yellow', 'edge-right:solid:white', 'edge-left:dashed:white', 'double'])
      expect([...styles]).toContain(want);
    expect(missingEdge).toBeGreaterThan(2);
    expect(asphalt.size).toBeGreaterThan(10);
    expect([...lanes].sort()).toEqual([1, 2, 3]);
  });

  it('switches randomization off when asked', () => {
    const plain = LaneEnvConfig.parse({ id: 'lane', randomize: { style: false, lighting: false, props: false } });
    const a = buildLaneScene(plain, 3);
    const b = buildLaneScene(plain, 4);
    expect(a.surface).toEqual(b.surface);
    expect(a.lighting).toEqual(b.lighting);
    expect(a.props).toEqual([]);
    expect(a.road.x).not.toEqual(b.road.x); // the topology still changes
  });

  it('places props beside the road, never on it', () => {
    let n = 0;
    for (const seed of [11, 12, 13, 14]) {
      const { scene, road } = buildLaneWorld(config, seed);
      for (const p of scene.props) {
        n++;
        if (road.projectAny(p.x, p.y)) {
          const [lo, hi] = p.kind === 'post' ? [scene.cross.asphaltRight, scene.cross.asphaltLeft] : [scene.cross.vergeRight, scene.cross.vergeLeft];
          expect(road.pd < lo || road.pd > hi, `${p.kind} at d=${road.pd}`).toBe(true);
        }
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it('shares texture and dash helpers with the 3D view', () => {
    const tile = makeNoiseTile(5, 64);
    expect(tile).toEqual(makeNoiseTile(5, 64));
    expect(Math.max(...tile)).toBeLessThanOrEqual(1);
    expect(Math.min(...tile)).toBeGreaterThanOrEqual(-1);
    expect(dashCoverage(0, 12, 3, 12, 0)).toBeCloseTo(0.25, 12);
    expect(dashCoverage(1, 2, 3, 12, 0)).toBe(1);
    expect(dashCoverage(5, 6, 3, 12, 0)).toBe(0);
  });
});

describe('frames and poses', () => {
  it('converts between map and world frames', () => {
    expect(mapToWorld(3, 4, 1)).toEqual([3, 1, -4]);
    for (const yaw of [0, 0.5, -2, 3]) expect(quaternionYaw(yawQuaternion(yaw))).toBeCloseTo(yaw, 12);
  });

  it('gives the car pose in the shared shape and packs it losslessly', () => {
    const env = new LaneEnv(config);
    env.reset(1, { roadSeed: 1_000_000, offset: 0, headingError: 0 });
    for (let i = 0; i < 10; i++) env.step(Float32Array.of(0.2));
    const pose = env.pose();
    expect(CarPose.safeParse(pose).success).toBe(true);
    expect(pose.wheels.every((w) => w.contact)).toBe(true);
    expect(pose.speed).toBeGreaterThan(7);
    // The wheels sit below the chassis centre.
    for (const w of pose.wheels) expect(w.position[1]).toBeLessThan(pose.position[1]);
    const packed = new Float64Array(CAR_POSE_FLOATS);
    packCarPose(pose, packed);
    expect(unpackCarPose(packed)).toEqual(pose);
  });
});

describe('scene.lane channel', () => {
  const tmp = tempDir();
  const engine = new Engine({ runsDir: tmp.dir });
  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('returns the scene of a seed and refuses a bad config with the field named', async () => {
    const scene = await engine.client().request('scene.lane', { seed: 1_000_000, config: { road: { curviness: 0.9 } } });
    expect(scene).toEqual(buildLaneScene(LaneEnvConfig.parse({ id: 'lane', road: { curviness: 0.9 } }), 1_000_000));
    const reply = await engine.dispatcher.handleEnvelope({
      type: 'req',
      id: 3,
      channel: 'scene.lane',
      payload: { seed: 1, config: { road: { curviness: 5 } } },
    });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('bad-request');
      expect(reply.error.issues?.join(' ')).toMatch(/config\.road\.curviness/);
    }
    const neg = await engine.dispatcher.handleEnvelope({ type: 'req', id: 4, channel: 'scene.lane', payload: { seed: -1 } });
    expect(neg.ok).toBe(false);
  });
});
