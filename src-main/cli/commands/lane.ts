/**
 * `npm run cli -- lane <command>`: the lane-following simulator from the command line.
 *   lane eval  --policy random|zero|keeper [--seeds test:10] [--route 250]   Kendall et al.'s protocol
 *   lane scene --seed S                                                       the scene description (JSON)
 *   lane frame --seed S --out f.png [--steps N]                               a driver-camera image
 * Env options come from --obs, --width/--height and --config '<JSON of LaneEnvConfig fields>'.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { LANE_TEST_SEEDS, LANE_TRAIN_SEEDS, LaneEnvConfig, isLaneTestSeed, laneActionDim } from '../../../src-shared/config/envs/lane.js';
import { formatIssues } from '../../../src-shared/protocol.js';
import { evaluateLane, KENDALL_TABLE_I, laneKeeperPolicy, randomPolicy, zeroPolicy, type LaneEvalResult, type LanePolicy } from '../../sim/lane/evaluate.js';
import { LaneEnv } from '../../sim/lane/lane-env.js';
import { writePng } from '../../sim/lane/png.js';
import { buildLaneScene } from '../../sim/lane/scene-gen.js';
import { parseSeeds } from '../seeds.js';
import { CliError, globalOptions, intOption, output, Progress } from '../context.js';

/**
 * Parses a seed list: "1000000,1000003", ranges "1000000-1000009", or "test:N" / "train:N"
 * (the first N seeds of the held-out test or the training range).
 */
export function parseSeedList(raw: string): number[] {
  return parseSeeds(raw, '--seeds', { test: LANE_TEST_SEEDS, train: LANE_TRAIN_SEEDS });
}

interface EnvOpts {
  obs?: string;
  width?: string;
  height?: string;
  config?: string;
}

/** The lane env config from the common options. */
export function laneConfigFrom(o: EnvOpts, defaults: Record<string, unknown> = {}): LaneEnvConfig {
  let extra: Record<string, unknown> = {};
  if (o.config) {
    try {
      extra = JSON.parse(o.config) as Record<string, unknown>;
    } catch {
      throw new CliError('--config must be JSON, e.g. \'{"road":{"curviness":0.8}}\'');
    }
    if (!extra || typeof extra !== 'object' || Array.isArray(extra)) throw new CliError('--config must be a JSON object');
  }
  const camera = { ...((defaults.camera as object) ?? {}), ...((extra.camera as object) ?? {}) } as Record<string, unknown>;
  if (o.width !== undefined) camera.width = intOption('--width', o.width, 8);
  if (o.height !== undefined) camera.height = intOption('--height', o.height, 8);
  const input = { ...defaults, ...extra, id: 'lane', camera, ...(o.obs ? { obs: o.obs } : {}) };
  const parsed = LaneEnvConfig.safeParse(input);
  if (!parsed.success) throw new CliError(`invalid lane config: ${formatIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

function envOptions(cmd: Command): Command {
  return cmd
    .option('--obs <kind>', 'observation: state or pixels')
    .option('--width <px>', 'camera width (pixels)')
    .option('--height <px>', 'camera height (pixels)')
    .option('--config <json>', 'more lane env options as JSON (see src-shared/config/envs/lane.ts)');
}

export function policyFor(name: string, config: LaneEnvConfig, seed: number): LanePolicy {
  const dim = laneActionDim(config);
  if (name === 'random') return randomPolicy(dim, seed);
  if (name === 'zero') return zeroPolicy(dim);
  if (name === 'keeper') {
    if (config.obs !== 'state') throw new CliError('--policy keeper reads the state observation: use --obs state');
    return laneKeeperPolicy(config);
  }
  throw new CliError(`--policy must be random, zero or keeper (got "${name}"); trained runs: see the generic eval command`);
}

function evalTable(policy: string, r: LaneEvalResult): string {
  const lines = [`policy ${policy}, ${r.seeds.length} routes of ${r.routeLengthM} m`, 'seed       distance  disengagements  MPD (m)  mean |offset|  causes'];
  for (const s of r.seeds) {
    const causes =
      Object.entries(s.causes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-';
    lines.push(
      `${String(s.seed).padEnd(9)}  ${s.distance.toFixed(1).padStart(8)}  ${String(s.disengagements).padStart(14)}  ${s.mpd.toFixed(1).padStart(7)}  ${s.meanAbsOffset.toFixed(2).padStart(13)}  ${causes}`,
    );
  }
  const o = r.overall;
  lines.push(`overall: MPD ${o.mpd.toFixed(2)} m, ${o.disengagementsPerRoute.toFixed(1)} disengagements per route, ${o.cleanRoutes}/${o.routes} routes clean`);
  lines.push('Kendall et al. 2018, Table I (real car, 250 m): ' + KENDALL_TABLE_I.map((k) => `${k.method} ${k.mpd} m / ${k.disengagements}`).join('; '));
  return lines.join('\n');
}

export function register(program: Command): void {
  const lane = program.command('lane').description('The lane-following simulator: evaluate baselines, inspect scenes, save camera frames.');

  envOptions(
    lane
      .command('eval')
      .description(
        "Kendall et al.'s protocol: fixed routes on held-out seeds, the car put back in the lane after each disengagement; MPD per seed and overall.",
      )
      .option('--policy <name>', 'random, zero, or keeper (a hand-written controller on the state observation)', 'random')
      .option('--seeds <list>', 'road seeds: 1000000,1000001 or 1000000-1000009 or test:10', 'test:10')
      .option('--route <m>', 'route length (m)', '250')
      .option('--policy-seed <n>', 'seed of the random policy', '0')
      .option('--events', 'include every disengagement event in the JSON'),
  ).action((o: EnvOpts & { policy: string; seeds: string; route: string; policySeed: string; events?: boolean }, cmd: Command) => {
    const g = globalOptions(cmd);
    const config = laneConfigFrom(o);
    const seeds = parseSeedList(o.seeds);
    const route = Number(o.route);
    if (!Number.isFinite(route) || route < 10 || route > 10_000) throw new CliError('--route must be 10..10000 metres');
    const policy = policyFor(o.policy, config, intOption('--policy-seed', o.policySeed, 0)!);
    const train = seeds.filter((s) => !isLaneTestSeed(s));
    if (train.length && !g.json)
      process.stderr.write(
        `note: ${train.length} seed(s) are not held-out test seeds (test seeds: ${LANE_TEST_SEEDS.first}..${LANE_TEST_SEEDS.first + LANE_TEST_SEEDS.count - 1})\n`,
      );
    const progress = new Progress(g, `eval ${o.policy}`, seeds.length);
    const result = evaluateLane(policy, { config, seeds, routeLengthM: route, onSeed: (_r, i) => progress.update(i + 1) });
    progress.stop();
    const json = {
      policy: o.policy,
      obs: config.obs,
      routeLengthM: result.routeLengthM,
      overall: result.overall,
      seeds: result.seeds.map(({ events, ...rest }) => (o.events ? { ...rest, events } : rest)),
      kendallTableI: KENDALL_TABLE_I,
    };
    output(g, json, () => evalTable(o.policy, result));
  });

  envOptions(
    lane.command('scene').description('Print the scene description of a road seed (what the 3D view draws).').requiredOption('--seed <n>', 'road seed'),
  ).action((o: EnvOpts & { seed: string }, cmd: Command) => {
    const g = globalOptions(cmd);
    const scene = buildLaneScene(laneConfigFrom(o), intOption('--seed', o.seed, 0)!);
    output(g, scene, () => {
      const c = scene.cross;
      const kinds: Record<string, number> = {};
      for (const p of scene.props) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
      const maxK = scene.road.curvature.reduce((a, k) => Math.max(a, Math.abs(k)), 0);
      return [
        `road seed ${scene.seed}: ${scene.road.length.toFixed(0)} m, ${scene.road.pieces.length} pieces, tightest radius ${maxK > 0 ? (1 / maxK).toFixed(1) : '-'} m`,
        `${c.laneCount} lane(s) of ${c.laneWidth} m; asphalt ${c.asphaltRight.toFixed(2)}..${c.asphaltLeft.toFixed(2)} m, verge to ${c.vergeRight.toFixed(2)}..${c.vergeLeft.toFixed(2)} m`,
        `markings: ${scene.markings.map((m) => `${m.role} ${m.dash ? 'dashed' : 'solid'} ${m.color[2] < 0.5 ? 'yellow' : 'white'}`).join(', ') || 'none'}`,
        `props: ${
          Object.entries(kinds)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || 'none'
        }`,
        `sun: elevation ${((scene.lighting.sunElevation * 180) / Math.PI).toFixed(0)} deg, intensity ${scene.lighting.sunIntensity.toFixed(2)}; fog ${scene.sky.fogDistance} m`,
        '(--json prints the whole description)',
      ].join('\n');
    });
  });

  envOptions(
    lane
      .command('frame')
      .description("Save the driver camera's image of a road seed as PNG (after driving --steps steps with the lane keeper).")
      .requiredOption('--seed <n>', 'road seed')
      .requiredOption('--out <file.png>', 'where to write the PNG')
      .option('--steps <n>', 'steps to drive first', '0')
      .option('--scale <k>', 'enlarge each pixel k x k', '1'),
  ).action((o: EnvOpts & { seed: string; out: string; steps: string; scale: string }, cmd: Command) => {
    const g = globalOptions(cmd);
    const config = laneConfigFrom(o);
    const seed = intOption('--seed', o.seed, 0)!;
    const steps = intOption('--steps', o.steps, 0)!;
    const scale = intOption('--scale', o.scale, 1)!;
    if (scale > 16) throw new CliError('--scale must be 1..16');
    // The camera renders for either observation kind; drive on the state observation.
    const driveConfig: LaneEnvConfig = { ...config, obs: 'state' };
    const env = new LaneEnv(driveConfig);
    const keeper = laneKeeperPolicy(driveConfig);
    let { obs } = env.reset(seed, { roadSeed: seed, offset: 0, headingError: 0 });
    let driven = 0;
    while (driven < steps) {
      const r = env.step(keeper(obs));
      obs = r.obs;
      driven++;
      if (r.terminated || r.truncated) break;
    }
    const frame = env.frame();
    mkdirSync(dirname(o.out), { recursive: true });
    writePng(o.out, frame, config.camera.width, config.camera.height, scale);
    output(
      g,
      { out: o.out, seed, steps: driven, width: config.camera.width * scale, height: config.camera.height * scale, s: env.laneState.s },
      () => `wrote ${o.out} (${config.camera.width}x${config.camera.height}, seed ${seed}, after ${driven} steps)`,
    );
  });
}
